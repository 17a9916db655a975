package vn.onewindow.gateway.http;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;

/**
 * The times and dates the API serves from stored rows, all written by the receipts' formatter ({@link InstantText},
 * the text of {@link Instant#toString}), null where the column is NULL.
 * <ul>
 *   <li>{@link #recorded}: a time the hub's own clock took in PostgreSQL ({@code DEFAULT now()}: an event's
 *       recorded_at, a rating's rated_at), to the millisecond like every receipt time, though the column keeps
 *       microseconds; written here alone, so the 201, its replay and every later view of the same row read the same
 *       text;</li>
 *   <li>{@link #stored}: any other stored instant, with the fraction the column kept (a receipt time is already
 *       milliseconds; times an agency sent are shown as sent);</li>
 *   <li>{@link #date}: a date as YYYY-MM-DD.</li>
 * </ul>
 */
public final class ApiTimes {
  private ApiTimes() {
  }

  public static String recorded(Instant recorded) {
    return InstantText.of(recorded.truncatedTo(ChronoUnit.MILLIS));
  }

  public static String recorded(OffsetDateTime recorded) {
    return recorded(recorded.toInstant());
  }

  public static String stored(OffsetDateTime time) {
    return time == null ? null : InstantText.of(time.toInstant());
  }

  public static String date(LocalDate date) {
    return date == null ? null : date.toString();
  }
}
