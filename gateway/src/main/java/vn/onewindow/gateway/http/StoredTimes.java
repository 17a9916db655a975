package vn.onewindow.gateway.http;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * A stored time or date served as the API writes it, null where the column is NULL: an instant as
 * {@link Instant#toString} (in UTC, with the fraction the column kept), a date as YYYY-MM-DD. A time PostgreSQL took
 * itself ({@code DEFAULT now()}) is written by {@link RecordedTimes} instead, to the millisecond.
 */
public final class StoredTimes {
  private StoredTimes() {
  }

  public static String instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }

  public static String date(LocalDate date) {
    return date == null ? null : date.toString();
  }
}
