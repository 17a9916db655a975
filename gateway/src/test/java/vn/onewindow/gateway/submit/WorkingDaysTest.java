package vn.onewindow.gateway.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** Statutory deadlines in working days (Monday to Friday), without servers. */
class WorkingDaysTest {
  private static final LocalDate MONDAY = LocalDate.of(2025, 3, 3);
  private static final LocalDate FRIDAY = LocalDate.of(2025, 3, 7);
  private static final LocalDate SATURDAY = LocalDate.of(2025, 3, 8);

  @Test
  void shouldKeepTheDateWhenNoWorkingDaysAreAdded() {
    assertThat(WorkingDays.add(SATURDAY, 0)).isEqualTo(SATURDAY);
  }

  @Test
  void shouldCountOnlyWeekdaysWithinAWeek() {
    assertThat(WorkingDays.add(MONDAY, 1)).isEqualTo(LocalDate.of(2025, 3, 4));
    assertThat(WorkingDays.add(MONDAY, 4)).isEqualTo(FRIDAY);
  }

  @Test
  void shouldSkipTheWeekendFromFridayAndFromTheWeekendItself() {
    assertThat(WorkingDays.add(FRIDAY, 1)).isEqualTo(LocalDate.of(2025, 3, 10));
    assertThat(WorkingDays.add(SATURDAY, 1)).isEqualTo(LocalDate.of(2025, 3, 10));
    assertThat(WorkingDays.add(LocalDate.of(2025, 3, 9), 1)).isEqualTo(LocalDate.of(2025, 3, 10));
  }

  @Test
  void shouldAddWholeWeeksAsSevenCalendarDays() {
    assertThat(WorkingDays.add(MONDAY, 5)).isEqualTo(MONDAY.plusWeeks(1));
    assertThat(WorkingDays.add(MONDAY, 15)).isEqualTo(MONDAY.plusWeeks(3));
  }

  @Test
  void shouldCrossAYearEnd() {
    assertThat(WorkingDays.add(LocalDate.of(2025, 12, 31), 3)).isEqualTo(LocalDate.of(2026, 1, 5));
  }
}
