package vn.onewindow.gateway.submit;

import java.time.DayOfWeek;
import java.time.LocalDate;

/**
 * Statutory deadlines count working days (Monday to Friday). Public holidays are not in the catalogue yet, so the
 * date is a lower bound; the handling agency's system sets the binding appointment.
 */
public final class WorkingDays {
  private WorkingDays() {
  }

  public static LocalDate add(LocalDate from, int workingDays) {
    LocalDate date = from;
    int remaining = workingDays;
    while (remaining > 0) {
      date = date.plusDays(1);
      if (date.getDayOfWeek() != DayOfWeek.SATURDAY && date.getDayOfWeek() != DayOfWeek.SUNDAY) {
        remaining--;
      }
    }
    return date;
  }
}
