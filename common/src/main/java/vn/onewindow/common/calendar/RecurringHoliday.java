package vn.onewindow.common.calendar;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Optional;

/**
 * A holiday on a fixed Gregorian month/day, observed from {@code effectiveFrom} on (the date the law that
 * creates it takes effect), e.g. Vietnamese Culture Day on 24 November.
 */
public record RecurringHoliday(String file, int month, int day, String name, String source,
                               LocalDate effectiveFrom, boolean provisional) {

  /** The occurrence in {@code year} as a holiday entry, or empty before the effective date. */
  Optional<CalendarEntry> in(int year) {
    LocalDate date;
    try {
      date = LocalDate.of(year, month, day);
    } catch (DateTimeException e) {
      return Optional.empty(); // 29 Feb in a common year: no occurrence.
    }
    if (date.isBefore(effectiveFrom)) {
      return Optional.empty();
    }
    return Optional.of(new CalendarEntry(file, date, date, DayKind.HOLIDAY, name, source, provisional,
        Optional.empty()));
  }
}
