package vn.onewindow.gateway.validation;

import java.time.chrono.IsoChronology;

/**
 * What is wrong with a text meant as a day {@code YYYY-MM-DD} of the proleptic Gregorian calendar, years 0001 to
 * 9999, in the words every such field gets: a formData date, an event's {@code dueDate}, a statistics period's
 * {@code from} and {@code to}. A text of the right shape that names no day ("2026-02-29") is told which part is wrong,
 * not that it should be YYYY-MM-DD, which it is (an agency tryout). Read digit by digit: no parser, no exception.
 */
public final class CalendarDates {
  /** A text of another shape: other digits or separators, another length. */
  public static final String SHAPE = SchemaWording.FORMATS.get("date");
  private static final String REAL = "must be a real calendar date: ";

  private CalendarDates() {
  }

  /** Null when {@code s} names a day; else what is wrong: the shape ({@link #SHAPE}), or which part names no day. */
  public static String problem(String s) {
    if (s.length() != 10 || s.charAt(4) != '-' || s.charAt(7) != '-') {
      return SHAPE;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int dayOfMonth = digits(s, 8, 10);
    if (year < 0 || month < 0 || dayOfMonth < 0) {
      return SHAPE;
    }
    if (year == 0) {
      return REAL + "years run from 0001";
    }
    if (month < 1 || month > 12) {
      return REAL + "months run from 01 to 12";
    }
    int days = lengthOfMonth(year, month);
    if (dayOfMonth < 1 || dayOfMonth > days) {
      return REAL + s.substring(0, 7) + " has days 01 to " + days;
    }
    return null;
  }

  /** A day {@link #problem} found nothing wrong with, as {@link FormField#day} numbers it. */
  static int packed(String day) {
    return FormField.day(digits(day, 0, 4), digits(day, 5, 7), digits(day, 8, 10));
  }

  /** The number the ASCII digits at [from, to) write; -1 if any is not one (not even another script's digit). */
  private static int digits(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static int lengthOfMonth(int year, int month) {
    return switch (month) {
      case 2 -> IsoChronology.INSTANCE.isLeapYear(year) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }
}
