package vn.onewindow.common.calendar;

import java.time.LocalDate;

/**
 * "Lunar month/day falls on this Gregorian date", written next to Tết and Hùng Kings entries so that a
 * test can check them against an astronomical computation; the runtime only keeps it for the record.
 */
public record LunarAnchor(int month, int day, LocalDate date) {
}
