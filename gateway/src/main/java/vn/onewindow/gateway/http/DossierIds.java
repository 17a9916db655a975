package vn.onewindow.gateway.http;

import java.util.UUID;

/** Dossier ids in paths: only the canonical UUID form exists; anything else is a 404 without touching a store. */
public final class DossierIds {
  private DossierIds() {
  }

  public static UUID parse(String raw) {
    try {
      UUID id = UUID.fromString(raw);
      if (!id.toString().equalsIgnoreCase(raw)) {
        throw new IllegalArgumentException();
      }
      return id;
    } catch (IllegalArgumentException | NullPointerException e) {
      throw HttpFailure.notFound("no dossier with this id");
    }
  }
}
