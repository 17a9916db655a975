package vn.onewindow.common.agency;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.Settings;

/** Reads {@code config/agencies.json} into entries; every error names the file and the entry. */
final class AgencyFile {

  private final String file;

  private AgencyFile(String file) {
    this.file = file;
  }

  static List<Agency> read(Path path) {
    try {
      return parse(path.toString(), Files.readString(path));
    } catch (IOException e) {
      throw new ConfigException("agency directory " + path + " could not be read: " + e.getMessage());
    }
  }

  /**
   * Reads a file path, or else a classpath resource (the shipped config/agencies.json), like the catalogue: the
   * directory of dossier.agency-directory, which every error names ({@link #named}).
   */
  static List<Agency> read(String location) {
    Path path = Path.of(location);
    try (InputStream in = Files.isRegularFile(path) ? Files.newInputStream(path)
        : AgencyFile.class.getClassLoader().getResourceAsStream(location)) {
      if (in == null) {
        throw new ConfigException("agency directory " + named(location) + " is neither a file nor on the classpath");
      }
      return parse(named(location), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("agency directory " + named(location) + " could not be read: " + e.getMessage());
    }
  }

  /** The location of dossier.agency-directory, as its errors name it: with its key and variable. */
  static String named(String location) {
    return "'" + location + "' (" + Settings.knob("dossier.agency-directory") + ")";
  }

  private static List<Agency> parse(String location, String text) {
    try {
      return new AgencyFile(location).entries(new JsonObject(text));
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("agency directory " + location + " is not a JSON object with an 'agencies' array: "
          + e.getMessage());
    }
  }

  private List<Agency> entries(JsonObject root) {
    JsonArray array = root.getJsonArray("agencies");
    if (array == null) {
      throw new ConfigException("agency directory " + file + " has no 'agencies' array");
    }
    List<Agency> agencies = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      agencies.add(entry(i, array.getJsonObject(i)));
    }
    return agencies;
  }

  private Agency entry(int index, JsonObject json) {
    String code = json.getString("code");
    String where = "agency directory " + file + " entry #" + (index + 1) + " '" + code + "'";
    if (!AgencyCode.isWellFormed(code)) {
      throw new ConfigException(where + ": code must look like 000.00.53.H48 (QCVN 102:2016)");
    }
    String name = json.getString("name");
    if (name == null || name.isBlank()) {
      throw new ConfigException(where + ": name is missing");
    }
    AgencyLevel level = AgencyLevel.parse(json.getString("level")).orElseThrow(() -> new ConfigException(
        where + ": level '" + json.getString("level") + "' must be one of national, province, department, district, commune"));
    LocalDate validFrom = date(where, json, "validFrom");
    if (validFrom == null) {
      throw new ConfigException(where + ": validFrom is missing");
    }
    return new Agency(code, name, level, json.getString("parent"), validFrom, date(where, json, "validTo"),
        json.getString("successor"), json.getString("source"), json.getBoolean("verified", false));
  }

  private static LocalDate date(String where, JsonObject json, String field) {
    String value = json.getString(field);
    try {
      return value == null ? null : LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new ConfigException(where + ": " + field + " '" + value + "' must be a date such as 2025-07-01");
    }
  }
}
