package vn.onewindow.common.calendar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Due dates on the real config/calendar/vn files. */
class OfficialCalendarTest {
  static final Path CONFIG = Path.of("..", "config", "calendar", "vn");
  static final ZoneId HCM = ZoneId.of("Asia/Ho_Chi_Minh");
  static final LocalTime CUT_OFF = LocalTime.of(15, 0);

  final OfficialCalendar calendar = OfficialCalendar.load(CONFIG, 2025, 2028);
  final DueDates dueDates = new DueDates(calendar, HCM);

  static java.time.Instant at(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(HCM).toInstant();
  }

  @Test
  void shouldCountTetAsDaysOff() {
    DueDate due = dueDates.due(at("2026-02-13T10:00"), 1);

    assertThat(due.countedFrom()).isEqualTo(LocalDate.of(2026, 2, 13));
    assertThat(due.due()).isEqualTo(LocalDate.of(2026, 2, 23));
    assertThat(LocalDate.of(2026, 2, 16).datesUntil(LocalDate.of(2026, 2, 21))).noneMatch(calendar::isWorkingDay);
  }

  @Test
  void shouldUseTheAgencyZoneNotUtc() {
    // 17:30 UTC on Fri 13 Feb is 00:30 on Sat 14 Feb in Hà Nội: inside the Tết break.
    DueDate due = dueDates.due(java.time.Instant.parse("2026-02-13T17:30:00Z"), 1);

    assertThat(due.countedFrom()).isEqualTo(LocalDate.of(2026, 2, 23));
    assertThat(due.due()).isEqualTo(LocalDate.of(2026, 2, 24));
  }

  @Test
  void shouldWorkSaturday10JanAndRestFriday2Jan2026() {
    assertThat(calendar.isWorkingDay(LocalDate.of(2026, 1, 1))).isFalse();
    assertThat(calendar.isWorkingDay(LocalDate.of(2026, 1, 2))).isFalse();
    assertThat(calendar.isWorkingDay(LocalDate.of(2026, 1, 10))).isTrue();
    assertThat(calendar.isWorkingDay(LocalDate.of(2026, 1, 17))).isFalse();
    // Received Wed 31 Dec 2025: 1 Jan and 2 Jan off, weekend, then Mon 5 Jan.
    assertThat(dueDates.due(at("2025-12-31T09:00"), 1).due()).isEqualTo(LocalDate.of(2026, 1, 5));
    // Received Fri 9 Jan: the next working day is the Saturday worked.
    assertThat(dueDates.due(at("2026-01-09T09:00"), 1).due()).isEqualTo(LocalDate.of(2026, 1, 10));
  }

  @Test
  void shouldCountFromNextWorkingDayWhenReceivedAfterCutOff() {
    DueDate inTime = dueDates.due(at("2026-03-11T14:59"), 0, CUT_OFF);
    DueDate late = dueDates.due(at("2026-03-11T15:01"), 0, CUT_OFF);

    assertThat(inTime.due()).isEqualTo(LocalDate.of(2026, 3, 11));
    assertThat(late.countedFrom()).isEqualTo(LocalDate.of(2026, 3, 12));
    assertThat(late.due()).isEqualTo(LocalDate.of(2026, 3, 12));
    assertThat(dueDates.due(at("2026-03-11T15:00:00.900"), 0, CUT_OFF).due()).isEqualTo(LocalDate.of(2026, 3, 11));
    // Late on a Friday: counted from Monday.
    assertThat(dueDates.due(at("2026-03-13T15:01"), 1, CUT_OFF).due()).isEqualTo(LocalDate.of(2026, 3, 17));
  }

  @Test
  void shouldStartOnNextWorkingDayWhenReceivedOnSunday() {
    DueDate due = dueDates.due(at("2026-03-08T10:00"), 1);

    assertThat(due.countedFrom()).isEqualTo(LocalDate.of(2026, 3, 9));
    assertThat(due.due()).isEqualTo(LocalDate.of(2026, 3, 10));
    assertThat(dueDates.due(at("2026-03-08T10:00"), 0).due()).isEqualTo(LocalDate.of(2026, 3, 9));
  }

  @Test
  void shouldCountTenWorkingDaysAcrossTheAprilHolidays2025() {
    // Thu 24 Apr 2025 + 10: Fri 25, Sat 26 (worked), Mon 28, Tue 29, [30 Apr – 4 May off], 5..9 May, Mon 12.
    assertThat(dueDates.due(at("2025-04-24T09:00"), 10).due()).isEqualTo(LocalDate.of(2025, 5, 12));
  }

  @Test
  void shouldKeepPreviousDueDateWhenSupplementRedates() {
    LocalDate previous = dueDates.due(at("2026-03-02T09:00"), 5).due();

    // Supplement arrives Sat 14 Mar: counted from Mon 16 Mar, 5 working days → Mon 23 Mar.
    Redating redating = dueDates.redate(previous, LocalDate.of(2026, 3, 14), 5);

    assertThat(redating.previous()).isEqualTo(LocalDate.of(2026, 3, 9));
    assertThat(redating.current().countedFrom()).isEqualTo(LocalDate.of(2026, 3, 16));
    assertThat(redating.current().due()).isEqualTo(LocalDate.of(2026, 3, 23));
  }

  @Test
  void shouldFlagProvisionalYearsAndDays() {
    assertThat(calendar.provisionalYears()).containsExactly(2027, 2028);
    assertThat(calendar.isProvisional(LocalDate.of(2027, 3, 1))).isTrue();
    assertThat(calendar.isProvisional(LocalDate.of(2026, 3, 1))).isFalse();
    assertThat(calendar.isProvisional(LocalDate.of(2026, 4, 27))).isTrue();
    assertThat(dueDates.due(at("2026-03-02T09:00"), 5).provisional()).isFalse();
    assertThat(dueDates.due(at("2026-04-24T09:00"), 3).provisional()).isTrue();
    DueDate acrossNewYear = dueDates.due(at("2026-12-28T09:00"), 5);
    assertThat(acrossNewYear.due()).isEqualTo(LocalDate.of(2027, 1, 5));
    assertThat(acrossNewYear.provisional()).isTrue();
  }

  @Test
  void shouldObserveCultureDayOnlyFromItsEffectiveDate() {
    assertThat(calendar.isWorkingDay(LocalDate.of(2026, 11, 24))).isTrue();
    assertThat(calendar.isWorkingDay(LocalDate.of(2027, 11, 24))).isFalse();
    assertThat(calendar.entryOn(LocalDate.of(2027, 11, 24))).get()
        .extracting(CalendarEntry::name).isEqualTo("Vietnamese Culture Day");
    assertThat(calendar.isProvisional(LocalDate.of(2027, 11, 24))).isTrue();
  }

  @Test
  void shouldIdentifyTheFilesByVersion() {
    assertThat(calendar.version()).matches("vn-2025-2028@[0-9a-f]{12}");
    assertThat(OfficialCalendar.load(CONFIG, 2025, 2028).version()).isEqualTo(calendar.version());
    assertThat(OfficialCalendar.load(CONFIG, 2025, 2027).version()).isNotEqualTo(calendar.version());
    assertThat(dueDates.due(at("2026-03-02T09:00"), 1).calendarVersion()).isEqualTo(calendar.version());
  }

  @Test
  void shouldRefuseDatesOutsideTheLoadedYears() {
    OfficialCalendar short2025 = OfficialCalendar.load(CONFIG, 2025, 2025);

    assertThatThrownBy(() -> short2025.addWorkingDays(LocalDate.of(2025, 12, 30), 5))
        .isInstanceOfSatisfying(CalendarNotCoveredException.class, e -> {
          assertThat(e.covered()).isEqualTo(new CalendarNotCoveredException.Years(2025, 2025));
          assertThat(e.covered()).hasToString("2025");
        })
        // years only: the day asked about (a receipt time) stays out of logs
        .hasMessageContaining("covers 2025..2025").hasMessageContaining("2026.yaml").hasMessageNotContaining("01-01");
    assertThatThrownBy(() -> dueDates.due(at("2024-12-31T10:00"), 1))
        .isInstanceOfSatisfying(CalendarNotCoveredException.class,
            e -> assertThat(e.covered()).hasToString("2025-2028"))
        .hasMessageContaining("2024.yaml");
    // received inside the last year, but the count runs into the next one
    assertThatThrownBy(() -> dueDates.due(at("2028-12-29T10:00"), 5)).isInstanceOf(CalendarNotCoveredException.class);
    // a negative count is a bug of the caller, not a calendar limit: not the typed failure
    assertThatThrownBy(() -> dueDates.due(at("2026-03-02T09:00"), -1)).isInstanceOf(IllegalArgumentException.class)
        .isNotInstanceOf(CalendarNotCoveredException.class);
  }

  @Test
  void shouldCountTheDaysLeftUntilTheCalendarEndsInTheAgencyZone() {
    assertThat(dueDates.daysLeft(at("2028-12-31T10:00"))).isZero();
    assertThat(dueDates.daysLeft(at("2028-11-01T00:00"))).isEqualTo(60);
    assertThat(dueDates.daysLeft(at("2029-01-02T10:00"))).isEqualTo(-2);
    // 18:00 UTC on 30 Dec is already 31 Dec in Hà Nội
    assertThat(dueDates.daysLeft(java.time.Instant.parse("2028-12-30T18:00:00Z"))).isZero();
  }
}
