package vn.onewindow.common.calendar;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * Due dates on the official calendar. THE RULE: take the receipt time in the agency's zone; the effective
 * receipt day is that date if it is a working day and the time is not after the procedure's cut-off,
 * otherwise the next working day. The receipt day does not count: the due date is the N-th working day
 * after the effective receipt day, and a 0-day (same-day) procedure is due on the effective receipt day.
 *
 * <p>Every computation throws {@link CalendarNotCoveredException} when a day it needs lies outside the loaded years
 * (the receipt day itself, or a day counted after it): callers answer that, they never guess a date.
 */
public final class DueDates {
  private final OfficialCalendar calendar;
  private final ZoneId zone;

  public DueDates(OfficialCalendar calendar, ZoneId zone) {
    this.calendar = Objects.requireNonNull(calendar, "calendar");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** Due date for a procedure without a cut-off time. */
  public DueDate due(Instant receivedAt, int workingDays) {
    return due(receivedAt, workingDays, null);
  }

  /**
   * @param cutOff a receipt strictly after this local time counts from the next working day; compared to
   *               the second, as a receipt slip shows it (15:00:00.999 is in time, 15:00:01 is late); null
   *               for none
   */
  public DueDate due(Instant receivedAt, int workingDays, LocalTime cutOff) {
    LocalDateTime local = LocalDateTime.ofInstant(receivedAt, zone);
    LocalDate day = local.toLocalDate();
    boolean late = cutOff != null && local.toLocalTime().truncatedTo(ChronoUnit.SECONDS)
        .isAfter(cutOff);
    LocalDate countedFrom = late ? calendar.workingDayOnOrAfter(day.plusDays(1)) : calendar.workingDayOnOrAfter(day);
    return count(day, countedFrom, workingDays);
  }

  /**
   * Re-dates a dossier when the supplement arrives (or, by the agency's choice, when it is requested):
   * {@code workingDays} (the remaining or the new statutory days) are counted after the effective day of
   * {@code supplementDate}, by the same rule as a receipt without cut-off.
   */
  public Redating redate(LocalDate previousDue, LocalDate supplementDate, int workingDays) {
    Objects.requireNonNull(previousDue, "previousDue");
    return new Redating(previousDue, count(supplementDate, calendar.workingDayOnOrAfter(supplementDate), workingDays));
  }

  /**
   * Re-dates a dossier when the supplement it waited for arrives: the working days that remained when the supplement
   * was requested ({@link #remainingWorkingDays}) are counted after the effective day of the arrival, without
   * cut-off. A supplement that arrives the day it was requested leaves the date as it was; one requested on the due
   * date (nothing remained) makes the dossier due on the arrival's effective day. One requested after the due date is
   * not re-dated at all ({@link #overdueAt}): callers ask that first.
   */
  public Redating redateOnArrival(LocalDate previousDue, Instant requestedAt, Instant arrivedAt) {
    return redate(previousDue, dayOf(arrivedAt), remainingWorkingDays(previousDue, requestedAt));
  }

  /**
   * Whether a dossier due on {@code due} was already overdue at {@code at}: its date in the agency's zone is after the
   * due date, as the statistics judge a dossier's end (AGENCY.md section 4, by calendar date). A supplement requested
   * then does not re-date it: the deadline had passed, and a round trip of a request and its arrival must not turn a
   * late dossier into one on time (the figure agencies are ranked on).
   */
  public boolean overdueAt(LocalDate due, Instant at) {
    return dayOf(at).isAfter(due);
  }

  /**
   * The working days a dossier due on {@code due} still had when a supplement was requested at {@code requestedAt}:
   * those after the request's effective day, up to and including {@code due}. The effective day is the request's date
   * in the agency's zone when a working day, else the next working day (as for a receipt or an arrival), and it is
   * spent, as the receipt day does not count: so a supplement that arrives the day it was requested leaves the date
   * as it was, on a rest day too. 0 when requested on the due date or later (already overdue).
   */
  public int remainingWorkingDays(LocalDate due, Instant requestedAt) {
    return calendar.workingDaysBetween(calendar.workingDayOnOrAfter(dayOf(requestedAt)), due);
  }

  /**
   * The version of the calendar files these dates are computed on ({@link OfficialCalendar#version()}), to store next
   * to a date computed or checked here, so it can be reproduced after the files change.
   */
  public String calendarVersion() {
    return calendar.version();
  }

  /** The date of {@code at} in the agency's zone: the day every rule here counts. */
  public LocalDate dayOf(Instant at) {
    return LocalDate.ofInstant(at, zone);
  }

  /** Whether public agencies work on {@code date} (a weekday not off, or a Saturday worked in a swap). */
  public boolean isWorkingDay(LocalDate date) {
    return calendar.isWorkingDay(date);
  }

  /** The calendar entry that makes {@code date} differ from the weekly pattern, if any (to explain a closed day). */
  public Optional<CalendarEntry> entryOn(LocalDate date) {
    return calendar.entryOn(date);
  }

  /**
   * Days from {@code now}'s date in the agency's zone to the calendar's last day: 0 on 31 December of its last year,
   * negative after it. Due dates start failing before it reaches 0 (a receipt in late December counts into
   * January), so operators load the next year's file long before.
   */
  public long daysLeft(Instant now) {
    return ChronoUnit.DAYS.between(dayOf(now), calendar.lastDay());
  }

  private DueDate count(LocalDate receivedOn, LocalDate countedFrom, int workingDays) {
    LocalDate due = calendar.addWorkingDays(countedFrom, workingDays);
    return new DueDate(countedFrom, due, workingDays, calendar.anyProvisional(receivedOn, due), calendar.version());
  }
}
