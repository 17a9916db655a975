package vn.onewindow.common.calendar;

import java.time.LocalDate;
import java.util.Optional;
import java.util.stream.Stream;

/** One line of a year file (or one occurrence of a recurring holiday): a day or an inclusive range. */
public record CalendarEntry(String file, LocalDate from, LocalDate to, DayKind kind, String name, String source,
                           boolean provisional, Optional<LunarAnchor> lunar) {

  public Stream<LocalDate> dates() {
    return from.datesUntil(to.plusDays(1));
  }

  public boolean covers(LocalDate date) {
    return !date.isBefore(from) && !date.isAfter(to);
  }

  /** How errors name the entry: file, date(s) and name. */
  public String describe() {
    String when = from.equals(to) ? from.toString() : from + ".." + to;
    return file + ": " + when + " " + kind.yamlName() + " '" + name + "'";
  }
}
