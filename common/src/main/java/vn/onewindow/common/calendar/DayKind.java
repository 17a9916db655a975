package vn.onewindow.common.calendar;

import java.util.Arrays;
import java.util.Optional;

/** What a calendar entry does to the days it covers; the YAML spelling is the lower-case name. */
public enum DayKind {
  /** A public holiday or a day of an announced break (may cover weekend days of the break). */
  HOLIDAY(false),
  /** A holiday that fell on a weekly rest day, moved to the next working day (Labour Code art. 111(3)). */
  COMPENSATORY(false),
  /** A Saturday worked in exchange for a swap_dayoff (a dispatch of the Government Office). */
  SWAP_WORKDAY(true),
  /** A weekday taken off, repaid by a swap_workday. */
  SWAP_DAYOFF(false);

  private final boolean working;

  DayKind(boolean working) {
    this.working = working;
  }

  public boolean working() {
    return working;
  }

  public String yamlName() {
    return name().toLowerCase();
  }

  static Optional<DayKind> parse(String yamlName) {
    return Arrays.stream(values()).filter(k -> k.yamlName().equals(yamlName)).findFirst();
  }
}
