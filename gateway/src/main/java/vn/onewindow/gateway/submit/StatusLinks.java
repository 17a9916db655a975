package vn.onewindow.gateway.submit;

import vn.onewindow.gateway.http.Routes;

/** Builds the status URL of a dossier, absolute when a public base URL is configured. */
public record StatusLinks(String publicBaseUrl) {
  public String statusUrl(String dossierId) {
    return publicBaseUrl + Routes.dossier(dossierId);
  }
}
