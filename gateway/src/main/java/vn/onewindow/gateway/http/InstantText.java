package vn.onewindow.gateway.http;

import java.time.Instant;
import vn.onewindow.common.infra.LastValue;

/**
 * {@link Instant#toString} of the receipt times, its date and time part kept for the current second: the JDK formats
 * each one through DateTimeFormatter (a print context, a LocalDateTime and its toString), about 1.6% of the gateway's
 * samples for two per dossier, when every dossier of a second shares that part. The JDK's text is that part (from
 * the seconds alone), then the fraction in groups of three digits (from the nanoseconds alone), then 'Z'; a
 * millisecond fraction is written here, a finer one left to the JDK. {@code InstantTextTest} holds it to the JDK.
 */
public final class InstantText {
  private static final int NANOS_PER_MILLI = 1_000_000;
  /** The JDK's text of the last whole second written, without its 'Z', e.g. {@code 2026-12-02T12:46:52}. */
  private static final LastValue<Long, String> SECOND = new LastValue<>(InstantText::secondText);

  private InstantText() {
  }

  public static String of(Instant instant) {
    int nanos = instant.getNano();
    if (nanos % NANOS_PER_MILLI != 0) {
      return instant.toString();
    }
    String second = SECOND.get(instant.getEpochSecond());
    if (nanos == 0) {
      return second + 'Z';
    }
    int millis = nanos / NANOS_PER_MILLI;
    return second + '.' + digit(millis / 100) + digit(millis / 10 % 10) + digit(millis % 10) + 'Z';
  }

  private static char digit(int value) {
    return (char) ('0' + value);
  }

  private static String secondText(long epochSecond) {
    String whole = Instant.ofEpochSecond(epochSecond).toString();
    return whole.substring(0, whole.length() - 1);
  }
}
