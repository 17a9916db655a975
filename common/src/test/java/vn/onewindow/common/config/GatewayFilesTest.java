package vn.onewindow.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.common.config.HubConfigTest.refused;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a gateway reads at start are found when the configuration is loaded, before any server starts, and a
 * missing one is refused naming its key, its variable and the value (ops QA: a bad dossier.catalogue ended the process
 * with exit 1 about five seconds later, after the embedded servers had started, naming neither).
 */
class GatewayFilesTest {

  @TempDir
  Path dir;

  @Test
  void shouldRefuseAFileKnobThatNamesNoFileNorResource() {
    refused("dossier.catalogue", "/x")
        .withMessage("config dossier.catalogue='/x' (env HUB_DOSSIER_CATALOGUE) is neither a file nor on the classpath");
    refused("dossier.agency-directory", "/x/agencies.json")
        .withMessage("config dossier.agency-directory='/x/agencies.json' (env HUB_DOSSIER_AGENCY_DIRECTORY) is neither "
            + "a file nor on the classpath");
    refused("security.clients-file", "config/clients.jsn")
        .withMessage("config security.clients-file='config/clients.jsn' (env HUB_SECURITY_CLIENTS_FILE) is neither a "
            + "file nor on the classpath");
    refused("dossier.catalogue", dir.toString())
        .as("a directory is no catalogue")
        .withMessageContaining("is neither a file nor on the classpath");
  }

  /** The dead-letter replay reads the configuration and serves nothing: it is not refused for the gateway's files. */
  @Test
  void shouldNotLookForTheGatewaysFilesForATool() {
    assertThat(HubConfig.forTool(Settings.load(Map.of("HUB_SECURITY_CLIENTS_FILE", "/etc/hub/clients.json")))
        .security().clientsFile()).isEqualTo("/etc/hub/clients.json");
  }

  @Test
  void shouldRefuseACalendarDirectoryThatIsNeitherAFolderNorOnTheClasspath() {
    refused("calendar.dir", "/x/calendar")
        .withMessage("config calendar.dir='/x/calendar' (env HUB_CALENDAR_DIR) is neither a directory nor on the "
            + "classpath (no recurring.yaml there)");
  }

  /** HUB_CALENDAR_FIRST_YEAR=2024 said "missing config/calendar/vn/2024.yaml" after the servers had started. */
  @Test
  void shouldNameTheYearKnobsWhenAYearHasNoFile() {
    refused("calendar.first-year", "2024")
        .withMessage("config calendar.dir=config/calendar/vn has no 2024.yaml: every year from calendar.first-year=2024 "
            + "to calendar.last-year=2028 needs its file (env HUB_CALENDAR_DIR, HUB_CALENDAR_FIRST_YEAR, "
            + "HUB_CALENDAR_LAST_YEAR)");
  }

  @Test
  void shouldReadACalendarFolderOnDiskAndNameItsMissingFiles() throws IOException {
    Files.writeString(dir.resolve("recurring.yaml"), "recurring: []\n");
    for (int year = 2026; year <= 2028; year++) {
      Files.writeString(dir.resolve(year + ".yaml"), "year: " + year + "\nprovisional: false\nentries: []\n");
    }
    HubConfig config = HubConfig.from(Settings.of(Map.of("calendar.dir", dir.toString(),
        "calendar.first-year", "2026")));
    assertThat(config.dossier().calendarDir()).isEqualTo(dir.toString());

    refused("calendar.dir", dir.toString())
        .withMessageStartingWith("config calendar.dir=" + dir + " has no 2025.yaml: ");
    Files.delete(dir.resolve("recurring.yaml"));
    refused("calendar.dir", dir.toString(), "calendar.first-year", "2026")
        .withMessage("config calendar.dir='" + dir + "' (env HUB_CALENDAR_DIR) has no recurring.yaml, which every "
            + "calendar needs");
  }

  @Test
  void shouldAcceptFilesOnDiskAndTheShippedOnesOnTheClasspath() throws IOException {
    Path catalogue = Files.writeString(dir.resolve("procedures.json"), "{}");
    HubConfig config = HubConfig.from(Settings.of(Map.of("dossier.catalogue", catalogue.toString())));
    assertThat(config.dossier().catalogue()).isEqualTo(catalogue.toString());
    // the module's folder has no config/: the shipped files are read from the classpath
    assertThat(Path.of("config", "procedures.json")).doesNotExist();
    assertThat(HubConfig.from(Settings.of(Map.of())).dossier().catalogue()).isEqualTo("config/procedures.json");
  }

  /** Only a gateway reads them: a worker-only process does not refuse to start on them. */
  @Test
  void shouldLeaveTheFilesOfAWorkerOnlyProcessUnchecked() {
    HubConfig config = HubConfig.from(Settings.of(Map.of("hub.role", "intake", "dossier.catalogue", "/x",
        "calendar.first-year", "2024")));
    assertThat(config.runsGateway()).isFalse();
  }
}
