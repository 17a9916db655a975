package vn.onewindow.gateway;

import java.nio.file.Path;
import vn.onewindow.common.agency.AgencyDirectory;
import vn.onewindow.common.calendar.OfficialCalendar;
import vn.onewindow.common.config.DossierConfig;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.gateway.security.ClientRegistry;
import vn.onewindow.gateway.validation.ProcedureCatalogue;

/**
 * What a gateway reads from its configured files at start, each by the loader that owns its format: the procedure
 * catalogue, the agency directory, the official calendar and the registered clients. Read once, so that the hub can
 * refuse a file it cannot apply before it starts any server; the paths were checked with the configuration
 * ({@code vn.onewindow.common.config.GatewayFiles}).
 */
public record GatewayFileContents(ProcedureCatalogue catalogue, AgencyDirectory directory, OfficialCalendar calendar,
                                  ClientRegistry clients) {

  /**
   * Blocking (a slow machine took seconds): call it before anything starts, or off the event loop.
   *
   * @throws vn.onewindow.common.config.ConfigException naming the file, its key and its variable
   */
  public static GatewayFileContents load(HubConfig config) {
    DossierConfig dossier = config.dossier();
    return new GatewayFileContents(ProcedureCatalogue.load(dossier.catalogue()),
        AgencyDirectory.load(dossier.agencyDirectory()),
        OfficialCalendar.load(Path.of(dossier.calendarDir()), dossier.calendarFirstYear(), dossier.calendarLastYear()),
        ClientRegistry.load(config.security().clientsFile(), config.security().developmentClients()));
  }
}
