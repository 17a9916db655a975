package vn.onewindow.common.agency;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Tier of an agency; bounded so it can label metrics and drive routing rules. */
public enum AgencyLevel {
  NATIONAL, PROVINCE, DEPARTMENT, DISTRICT, COMMUNE;

  /** The spelling used in {@code config/agencies.json}. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<AgencyLevel> parse(String value) {
    return Arrays.stream(values()).filter(level -> level.jsonName().equals(value)).findFirst();
  }
}
