package vn.onewindow.common.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files a gateway reads when it starts (the procedure catalogue, the agency directory, the official calendar and
 * the clients file) are there: each a file path or else a classpath resource, as their loaders read them. Checked
 * when the configuration is loaded, so that a path mistyped stops the process before any server starts, naming its
 * key, variable and value; what the files hold is checked by their loaders.
 */
final class GatewayFiles {
  private GatewayFiles() {
  }

  static void check(Settings s, HubConfig c) {
    if (!c.runsGateway()) {
      return; // only a gateway reads them
    }
    DossierConfig dossier = c.dossier();
    file(s, "dossier.catalogue", dossier.catalogue());
    file(s, "dossier.agency-directory", dossier.agencyDirectory());
    file(s, "security.clients-file", c.security().clientsFile());
    calendar(s, dossier);
  }

  private static void file(Settings s, String key, String location) {
    if (!Files.isRegularFile(Path.of(location)) && !onClasspath(location)) {
      throw s.invalid(key, location, "is neither a file nor on the classpath");
    }
  }

  /** OfficialCalendar reads {@code <dir>/<name>} from a directory on disk, or else the classpath's. */
  private static void calendar(Settings s, DossierConfig dossier) {
    Path dir = Path.of(dossier.calendarDir());
    boolean onDisk = Files.isDirectory(dir);
    if (!onDisk && !onClasspath(dir, "recurring.yaml")) {
      throw s.invalid("calendar.dir", dossier.calendarDir(),
          "is neither a directory nor on the classpath (no recurring.yaml there)");
    }
    if (onDisk && !Files.isRegularFile(dir.resolve("recurring.yaml"))) {
      throw s.invalid("calendar.dir", dossier.calendarDir(), "has no recurring.yaml, which every calendar needs");
    }
    for (int year = dossier.calendarFirstYear(); year <= dossier.calendarLastYear(); year++) {
      String name = year + ".yaml";
      if (onDisk ? !Files.isRegularFile(dir.resolve(name)) : !onClasspath(dir, name)) {
        throw s.conflict("{} has no " + name + ": every year from {} to {} needs its file", "calendar.dir",
            "calendar.first-year", "calendar.last-year");
      }
    }
  }

  private static boolean onClasspath(Path dir, String name) {
    return onClasspath(dir.resolve(name).toString().replace('\\', '/'));
  }

  private static boolean onClasspath(String resource) {
    return GatewayFiles.class.getClassLoader().getResource(resource) != null;
  }
}
