package vn.onewindow.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import vn.onewindow.common.infra.Ascii;

/**
 * Takes the caller's X-Request-Id when it is a sane token without an ID or phone number in it, otherwise mints one;
 * echoes the id it took on every answer, so the caller can quote what the logs name.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  /** HEADER as an AsciiString, made once: Vert.x keeps its hash for the look-up and the put, and copies it whole. */
  private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
  private static final String KEY = "requestId";
  private static final int MAX_LENGTH = 64;
  /**
   * A run of this many digits has the shape of a personal number: an old 9-digit ID, a 10-digit phone, a 12-digit
   * citizen ID. Callers build request ids from whatever they hold ("cccd-079123456789", "Nguyen_Van_A-0912345678"),
   * and the log masker deliberately leaves digits glued to '-', '.' or letters alone (dossier codes, UUIDs, stream
   * ids), so such an id would reach every log line of its request in clear.
   */
  private static final int PERSONAL_DIGITS = 9;
  /**
   * The longest group a phone or an ID is written in ("0912 345 678", "079 123 456 789"): digits in such groups count
   * together; a longer group (a date "20261206", a counter) ends the count.
   */
  private static final int GROUP_DIGITS = 4;

  private RequestIds() {
  }

  public static void assign(RoutingContext ctx) {
    String incoming = ctx.request().getHeader(HEADER_NAME);
    String id = incoming != null && SafeTokens.isSafe(incoming, 1, MAX_LENGTH) && !holdsPersonalDigits(incoming)
        ? incoming
        : mint();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER_NAME, id);
    ctx.next();
  }

  /**
   * Whether {@code id} holds a run of {@link #PERSONAL_DIGITS} ASCII digits or more, or as many in groups of at most
   * {@link #GROUP_DIGITS} joined by single separators (a loop: every request asks). A
   * generated id (a UUID in its canonical form, or a W3C trace id's 32 hex digits) is judged by whole groups only:
   * about 3 % of random UUIDs and 14 % of trace ids hold such a run by chance, and replacing them would break the
   * caller's correlation; a group entirely of digits (a citizen ID dressed as a UUID's last group) still counts.
   */
  static boolean holdsPersonalDigits(String id) {
    if (isUuidOrTraceId(id)) {
      int from = 0;
      for (int dash = id.indexOf('-'); from <= id.length(); dash = id.indexOf('-', from)) {
        int to = dash < 0 ? id.length() : dash;
        if (to - from >= PERSONAL_DIGITS && allDigits(id, from, to)) {
          return true;
        }
        from = to + 1;
      }
      return false;
    }
    // run: the digits since the last other character; chain: those of the short groups just before it, each joined
    // to the next by one separator ("0912.345.678", "079-123-456-789": how people write a phone or an ID)
    int run = 0;
    int chain = 0;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Ascii.isDigit(c)) {
        if (chain + ++run >= PERSONAL_DIGITS) {
          return true;
        }
      } else {
        chain = isGroupSeparator(c) && run > 0 && run <= GROUP_DIGITS ? chain + run : 0;
        run = 0;
      }
    }
    return false;
  }

  private static boolean isGroupSeparator(char c) {
    return c == '-' || c == '.' || c == '_' || c == ':';
  }

  /** 8-4-4-4-12 hex digits with their dashes, or 32 hex digits (case-insensitive). */
  private static boolean isUuidOrTraceId(String id) {
    int n = id.length();
    if (n != 36 && n != 32) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = id.charAt(i);
      boolean dashPlace = n == 36 && (i == 8 || i == 13 || i == 18 || i == 23);
      if (dashPlace ? c != '-' : Character.digit(c, 16) < 0 || c > 'f') {
        return false;
      }
    }
    return true;
  }

  private static boolean allDigits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Ascii.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * A version-4 UUID from the thread's fast generator: a correlation id, not a secret (dossier ids keep
   * {@code UUID.randomUUID}'s SecureRandom), so it need not queue on SecureRandom's lock for every request.
   */
  static String mint() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
        (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }
}
