package vn.onewindow.common.calendar;

import java.time.LocalDate;

/**
 * A computed due date and what it rests on.
 *
 * @param countedFrom     the effective receipt day: the working day the count starts after
 * @param due             the due date (NgayHenTra)
 * @param workingDays     the statutory working days counted
 * @param provisional     true if a provisional day lies between the receipt date and {@code due}: the
 *                        date may move when the official notice replaces the computed entries
 * @param calendarVersion {@link OfficialCalendar#version()} of the calendar used
 */
public record DueDate(LocalDate countedFrom, LocalDate due, int workingDays, boolean provisional,
                      String calendarVersion) {
}
