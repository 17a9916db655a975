package vn.onewindow.gateway.http;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;

/**
 * A time the hub's own clock took in PostgreSQL ({@code DEFAULT now()}: an event's recorded_at, a rating's rated_at),
 * as the API writes it: to the millisecond, like every receipt time, though the column keeps microseconds. Written
 * here alone, so the 201, its replay and every later view of the same row read the same text, by the receipts' own
 * formatter ({@link InstantText}). Times an agency sent (an event's {@code at}) are not these: they are shown as sent.
 */
public final class RecordedTimes {
  private RecordedTimes() {
  }

  public static String text(Instant recorded) {
    return InstantText.of(recorded.truncatedTo(ChronoUnit.MILLIS));
  }

  public static String text(OffsetDateTime recorded) {
    return text(recorded.toInstant());
  }
}
