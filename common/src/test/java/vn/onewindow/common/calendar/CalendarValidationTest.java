package vn.onewindow.common.calendar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onewindow.common.config.ConfigException;

/** Small bad calendars: every load error names the file, the date and the entry. */
class CalendarValidationTest {
  @TempDir
  Path dir;

  private void write(String file, String yaml) throws IOException {
    Files.writeString(dir.resolve(file), yaml);
  }

  /** recurring.yaml with one rule, not provisional. */
  private void writeRecurring(int month, int day, String name, String effectiveFrom) throws IOException {
    write("recurring.yaml", "recurring:\n  - {month: " + month + ", day: " + day + ", name: " + name + ", source: R,"
        + " effectiveFrom: " + effectiveFrom + ", provisional: false}\n");
  }

  /** A file for each year, with no entry, not provisional. */
  private void writeEmptyYears(int... years) throws IOException {
    for (int year : years) {
      write(year + ".yaml", "year: " + year + "\nprovisional: false\nentries: []\n");
    }
  }

  /** How every error of a calendar read from {@link #dir} begins: the folder, its key and its variable. */
  private String named() {
    return "official calendar '" + dir + "' (calendar.dir, env HUB_CALENDAR_DIR): ";
  }

  /** recurring.yaml without rules plus a 2026 file with {@code entries} as the only entries. */
  private AbstractThrowableAssert<?, ? extends Throwable> loading2026(String entries) throws IOException {
    write("recurring.yaml", "recurring: []\n");
    write("2026.yaml", "year: 2026\nprovisional: false\nentries:\n" + entries);
    return assertThatThrownBy(() -> OfficialCalendar.load(dir, 2026, 2026)).isInstanceOf(ConfigException.class);
  }

  @Test
  void shouldLoadAMinimalCalendar() throws IOException {
    write("recurring.yaml", "recurring: []\n");
    writeEmptyYears(2026);

    OfficialCalendar calendar = OfficialCalendar.load(dir, 2026, 2026);

    assertThat(calendar.isWorkingDay(LocalDate.of(2026, 1, 1))).isTrue();
    assertThat(calendar.provisionalYears()).isEmpty();
  }

  @Test
  void shouldRejectSwapWorkdayThatIsNotASaturday() throws IOException {
    loading2026("  - {date: 2026-01-11, kind: swap_workday, name: Sunday worked, source: X}\n")
        .hasMessage(named() + "2026.yaml: 2026-01-11 swap_workday 'Sunday worked': a swap_workday must be a Saturday,"
            + " 2026-01-11 is a SUNDAY");
  }

  @Test
  void shouldRejectCompensatoryDayOnAWeekend() throws IOException {
    loading2026("  - {date: 2026-04-26, kind: compensatory, name: Moved, source: X}\n")
        .hasMessageStartingWith(named()
            + "2026.yaml: 2026-04-26 compensatory 'Moved': a compensatory must be a weekday");
  }

  @Test
  void shouldRejectTwoEntriesOnTheSameDate() throws IOException {
    loading2026("""
          - {date: 2026-01-01, kind: holiday, name: New Year, source: X}
          - {date: 2026-01-01, kind: swap_dayoff, name: Again, source: Y}
        """)
        .hasMessage(named()
            + "2026.yaml: 2026-01-01 swap_dayoff 'Again' overlaps 2026.yaml: 2026-01-01 holiday 'New Year'"
            + " on 2026-01-01");
  }

  @Test
  void shouldRejectOverlappingRanges() throws IOException {
    loading2026("""
          - {from: 2026-02-14, to: 2026-02-22, kind: holiday, name: Tết, source: X}
          - {date: 2026-02-20, kind: swap_dayoff, name: Extra, source: Y}
        """)
        .hasMessageContaining("2026.yaml: 2026-02-20 swap_dayoff 'Extra' overlaps")
        .hasMessageContaining("2026-02-14..2026-02-22 holiday 'Tết'");
  }

  @Test
  void shouldRejectAMissingYearFile() throws IOException {
    write("recurring.yaml", "recurring: []\n");
    writeEmptyYears(2025);
    write("2027.yaml", "year: 2027\nprovisional: true\nentries: []\n");

    assertThatThrownBy(() -> OfficialCalendar.load(dir, 2025, 2027))
        .isInstanceOf(ConfigException.class)
        .hasMessage(named() + "missing " + dir.resolve("2026.yaml") + " (every configured year needs its file, and "
            + "recurring.yaml is required)");
  }

  @Test
  void shouldRejectAnUnknownKind() throws IOException {
    loading2026("  - {date: 2026-03-02, kind: holday, name: Typo, source: X}\n")
        .hasMessage(named() + "2026.yaml: 2026-03-02 'Typo': unknown kind 'holday'"
            + " (expected one of holiday, compensatory, swap_workday, swap_dayoff)");
  }

  @Test
  void shouldRejectADateOutsideTheFileYear() throws IOException {
    loading2026("  - {date: 2027-01-01, kind: holiday, name: New Year, source: X}\n")
        .hasMessage(named() + "2026.yaml: 2027-01-01 holiday 'New Year': date is not in 2026, the year of the file");
  }

  @Test
  void shouldRejectAnUnknownKey() throws IOException {
    loading2026("  - {date: 2026-03-02, kind: holiday, name: X, source: X, provisonal: true}\n")
        .hasMessageStartingWith(named() + "2026.yaml: entry #1: unknown key 'provisonal'");
  }

  @Test
  void shouldRejectAYearFileForAnotherYear() throws IOException {
    write("recurring.yaml", "recurring: []\n");
    write("2026.yaml", "year: 2025\nprovisional: false\nentries: []\n");

    assertThatThrownBy(() -> OfficialCalendar.load(dir, 2026, 2026))
        .hasMessage(named() + "2026.yaml: says year 2025 but is the file for 2026");
  }

  @Test
  void shouldRejectAnEntryClashingWithARecurringHoliday() throws IOException {
    writeRecurring(11, 24, "Culture Day", "2026-01-01");
    write("2026.yaml", "year: 2026\nprovisional: false\nentries:\n"
        + "  - {date: 2026-11-24, kind: holiday, name: Culture Day again, source: X}\n");

    assertThatThrownBy(() -> OfficialCalendar.load(dir, 2026, 2026))
        .hasMessage(named() + "recurring.yaml: 2026-11-24 holiday 'Culture Day' overlaps 2026.yaml: 2026-11-24 holiday"
            + " 'Culture Day again' on 2026-11-24");
  }

  @Test
  void shouldSwitchARecurringHolidayOnAtItsEffectiveDate() throws IOException {
    writeRecurring(11, 24, "Culture Day", "2026-11-25");
    writeEmptyYears(2026, 2027);

    OfficialCalendar calendar = OfficialCalendar.load(dir, 2026, 2027);

    assertThat(calendar.isWorkingDay(LocalDate.of(2026, 11, 24))).isTrue();
    assertThat(calendar.isWorkingDay(LocalDate.of(2027, 11, 24))).isFalse();
    assertThat(calendar.isProvisional(LocalDate.of(2027, 11, 24))).isFalse();
  }

  /**
   * A rule for a day no month has (30 April typed as 31 April) used to load and never occur: a holiday silently
   * missing from every due date, the very typo the strict loading is there to stop.
   */
  @Test
  void shouldRejectARecurringHolidayOnADayItsMonthNeverHas() throws IOException {
    writeRecurring(4, 31, "Reunification Day", "2026-01-01");
    writeEmptyYears(2026);

    assertThatThrownBy(() -> OfficialCalendar.load(dir, 2026, 2026))
        .isInstanceOf(ConfigException.class)
        .hasMessage(named() + "recurring.yaml: rule #1: month 4 has no day 31");
  }

  @Test
  void shouldObserveARecurringHolidayOn29FebruaryInLeapYearsOnly() throws IOException {
    writeRecurring(2, 29, "Leap Day", "2027-01-01");
    writeEmptyYears(2027, 2028);

    OfficialCalendar calendar = OfficialCalendar.load(dir, 2027, 2028);

    assertThat(calendar.isWorkingDay(LocalDate.of(2027, 3, 1))).isTrue();
    assertThat(calendar.isWorkingDay(LocalDate.of(2028, 2, 29))).isFalse();
  }
}
