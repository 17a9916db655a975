package vn.onewindow.common.calendar;

import java.util.List;

/** A parsed {@code <year>.yaml}; {@code provisional} marks every day of the year as provisional. */
record YearFile(String file, int year, boolean provisional, List<CalendarEntry> entries) {
}
