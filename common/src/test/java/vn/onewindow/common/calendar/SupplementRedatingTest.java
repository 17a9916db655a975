package vn.onewindow.common.calendar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static vn.onewindow.common.calendar.OfficialCalendarTest.CONFIG;
import static vn.onewindow.common.calendar.OfficialCalendarTest.HCM;
import static vn.onewindow.common.calendar.OfficialCalendarTest.at;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/**
 * Re-dating on the supplement's arrival, on the real calendar files: the working days that remained when the
 * supplement was requested (those after the request's day, up to and including the due date) are counted after the
 * arrival's effective day.
 */
class SupplementRedatingTest {
  final DueDates dueDates = new DueDates(OfficialCalendar.load(CONFIG, 2025, 2028), HCM);

  @Test
  void shouldCountTheWorkingDaysAfterTheRequestDayUpToTheDueDate() {
    LocalDate dueMon9Mar = LocalDate.of(2026, 3, 9);

    // requested Wed 4 Mar: Thu 5, Fri 6, Mon 9 remain (the request's own day is spent, as a receipt day is)
    assertThat(dueDates.remainingWorkingDays(dueMon9Mar, at("2026-03-04T10:00"))).isEqualTo(3);
    // requested on Sat 7 Mar: its effective day is Mon 9, spent as a receipt's effective day is: nothing remains
    assertThat(dueDates.remainingWorkingDays(dueMon9Mar, at("2026-03-07T10:00"))).isZero();
    // requested on Sun 1 Mar: Mon 2 is spent, Tue 3 .. Fri 6 and Mon 9 remain
    assertThat(dueDates.remainingWorkingDays(dueMon9Mar, at("2026-03-01T10:00"))).isEqualTo(5);
    // across Tết 2026 (Sat 14 – Sun 22 Feb): requested Fri 13 Feb, due Tue 24 Feb: Mon 23, Tue 24
    assertThat(dueDates.remainingWorkingDays(LocalDate.of(2026, 2, 24), at("2026-02-13T09:00"))).isEqualTo(2);
  }

  @Test
  void shouldLeaveNoDaysWhenRequestedOnTheDueDayOrAlreadyOverdue() {
    LocalDate dueMon9Mar = LocalDate.of(2026, 3, 9);

    assertThat(dueDates.remainingWorkingDays(dueMon9Mar, at("2026-03-09T08:00"))).isZero();
    assertThat(dueDates.remainingWorkingDays(dueMon9Mar, at("2026-03-12T08:00"))).as("overdue").isZero();
  }

  @Test
  void shouldTakeTheRequestDayInTheAgencyZone() {
    // 18:00 UTC on Wed 4 Mar is 01:00 on Thu 5 Mar in Hà Nội: Fri 6 and Mon 9 remain
    assertThat(dueDates.remainingWorkingDays(LocalDate.of(2026, 3, 9), Instant.parse("2026-03-04T18:00:00Z")))
        .isEqualTo(2);
  }

  @Test
  void shouldCountTheRemainingDaysAfterTheArrivalsEffectiveDay() {
    // the README's row: due Mon 9 Mar, requested Mon 2 Mar (5 days remain), arrives Sat 14 Mar: counted after Mon 16
    Redating weekend = dueDates.redateOnArrival(LocalDate.of(2026, 3, 9), at("2026-03-02T10:00"),
        at("2026-03-14T10:00"));

    assertThat(weekend.previous()).isEqualTo(LocalDate.of(2026, 3, 9));
    assertThat(weekend.current().countedFrom()).isEqualTo(LocalDate.of(2026, 3, 16));
    assertThat(weekend.current().workingDays()).isEqualTo(5);
    assertThat(weekend.current().due()).isEqualTo(LocalDate.of(2026, 3, 23));
  }

  @Test
  void shouldGiveTheSameDateWhenTheSupplementArrivesTheDayItWasRequested() {
    Redating sameDay = dueDates.redateOnArrival(LocalDate.of(2026, 3, 9), at("2026-03-04T09:00"),
        at("2026-03-04T16:00"));

    assertThat(sameDay.current().due()).isEqualTo(LocalDate.of(2026, 3, 9));
  }

  @Test
  void shouldGiveTheSameDateWhenASupplementRequestedOnARestDayArrivesThatDay() {
    // requested and supplied on Sat 7 Mar (a citizen at a Saturday reception desk), due Mon 9 Mar: both the request's
    // and the arrival's effective day are Mon 9, so nothing moves (the README's "arrives the day it was requested")
    Redating saturday = dueDates.redateOnArrival(LocalDate.of(2026, 3, 9), at("2026-03-07T09:00"),
        at("2026-03-07T11:00"));
    assertThat(saturday.current().due()).isEqualTo(LocalDate.of(2026, 3, 9));

    // requested Sat 7 Mar, due Wed 11 Mar (Tue 10, Wed 11 remain after Mon 9), supplied Sun 8 Mar: still Wed 11
    assertThat(dueDates.redateOnArrival(LocalDate.of(2026, 3, 11), at("2026-03-07T09:00"), at("2026-03-08T11:00"))
        .current().due()).isEqualTo(LocalDate.of(2026, 3, 11));
    // the same request over Tết 2026: requested Sat 14 Feb (the break's first day), due Wed 25 Feb, supplied on
    // mùng 1 (Tue 17 Feb): the break ends Sun 22 Feb, so both effective days are Mon 23 Feb and Wed 25 Feb stands
    assertThat(dueDates.redateOnArrival(LocalDate.of(2026, 2, 25), at("2026-02-14T09:00"), at("2026-02-17T11:00"))
        .current().due()).isEqualTo(LocalDate.of(2026, 2, 25));
  }

  @Test
  void shouldDateADossierRequestedOnItsDueDateOnTheArrivalsEffectiveDayWhenItArrivesOnAHoliday() {
    // due Tue 3 Mar, requested that day (0 days remain, not yet overdue), arrives Thu 30 Apr 2026 (Reunification
    // Day): 30 Apr, 1 May and the weekend are off, so it is due on Mon 4 May
    Redating dueDay = dueDates.redateOnArrival(LocalDate.of(2026, 3, 3), at("2026-03-03T10:00"),
        at("2026-04-30T10:00"));

    assertThat(dueDates.overdueAt(LocalDate.of(2026, 3, 3), at("2026-03-03T10:00"))).isFalse();
    assertThat(dueDay.current().workingDays()).isZero();
    assertThat(dueDay.current().countedFrom()).isEqualTo(LocalDate.of(2026, 5, 4));
    assertThat(dueDay.current().due()).isEqualTo(LocalDate.of(2026, 5, 4));
    assertThat(dueDay.previous()).isEqualTo(LocalDate.of(2026, 3, 3));
  }

  @Test
  void shouldTellARequestAfterTheDueDateOverdueByItsDateInTheAgencyZone() {
    LocalDate dueFri6Mar = LocalDate.of(2026, 3, 6);

    assertThat(dueDates.overdueAt(dueFri6Mar, at("2026-03-06T23:59"))).as("the due day itself").isFalse();
    assertThat(dueDates.overdueAt(dueFri6Mar, at("2026-03-07T00:00"))).as("the rest day after it").isTrue();
    assertThat(dueDates.overdueAt(dueFri6Mar, at("2026-03-05T09:00"))).isFalse();
    // 17:30 UTC on Fri 6 Mar is 00:30 on Sat 7 Mar in Hà Nội
    assertThat(dueDates.overdueAt(dueFri6Mar, Instant.parse("2026-03-06T17:30:00Z"))).isTrue();
    assertThat(dueDates.overdueAt(dueFri6Mar, Instant.parse("2026-03-06T16:59:59Z"))).isFalse();
  }

  @Test
  void shouldTellWorkingDaysAndRefuseDaysOutsideTheLoadedYears() {
    assertThat(dueDates.isWorkingDay(LocalDate.of(2026, 12, 13))).as("a Sunday").isFalse();
    assertThat(dueDates.isWorkingDay(LocalDate.of(2027, 2, 8))).as("Tết 2027").isFalse();
    assertThat(dueDates.isWorkingDay(LocalDate.of(2026, 1, 10))).as("a Saturday worked").isTrue();
    assertThat(dueDates.isWorkingDay(LocalDate.of(2026, 12, 15))).isTrue();
    assertThatThrownBy(() -> dueDates.isWorkingDay(LocalDate.of(2029, 1, 3)))
        .isInstanceOf(CalendarNotCoveredException.class);
    assertThatThrownBy(() -> dueDates.remainingWorkingDays(LocalDate.of(2029, 1, 3), at("2028-12-28T10:00")))
        .isInstanceOf(CalendarNotCoveredException.class);
  }
}
