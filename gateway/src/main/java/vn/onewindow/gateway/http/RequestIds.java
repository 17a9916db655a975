package vn.onewindow.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import vn.onewindow.common.infra.Ascii;

/**
 * Takes the caller's X-Request-Id when it is an id a tracer or an id library made, otherwise mints one; echoes the id
 * it took on every answer, so the caller can quote what the logs name. A refused value is never logged.
 *
 * <p>Frontends were seen sending the citizen's ID number, phone or name as their request id, and the id reaches every
 * log line of its request. A rule on free text (a length, a digit, no long run of digits) let names with a birth
 * year or a counter through ("nguyen.van.an.1990", "TranThiBichNgoc1990") and numbers split after a long first group
 * ("id-079123-456-789"): text a person wrote cannot be told from a machine's by its shape. So only the forms id
 * generators print are adopted, all of them hexadecimal or Crockford base 32, whose alphabets spell no name:
 * <ul>
 *   <li>a canonical UUID, any version (Envoy, Istio and Kubernetes ingresses' x-request-id; UUIDv7);</li>
 *   <li>16, 24 or 32 hex digits (OpenTelemetry and B3 trace and span ids, MongoDB ObjectIds);</li>
 *   <li>a W3C {@code traceparent} ({@code 00-<32 hex>-<16 hex>-<2 hex>});</li>
 *   <li>an AWS X-Ray trace id ({@code 1-<8 hex>-<24 hex>}, as {@code Root=} of X-Amzn-Trace-Id gives it);</li>
 *   <li>a ULID (26 of Crockford's base 32, upper case, the first 0-7).</li>
 * </ul>
 * Even these are refused when a field is a number a person is known by: a UUID's last group of 12 digits with a 0
 * first (a citizen ID; province codes run 001-096; 1 random UUID in 2,800), or an id or trace-id field all digits.
 * What it costs: an id of any other form (a nanoid, "kiosk-42-0001") gets a minted UUID, which the answer's
 * X-Request-Id names, so the caller still correlates through the answer.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  /** HEADER as an AsciiString, made once: Vert.x keeps its hash for the look-up and the put, and copies it whole. */
  private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
  private static final String KEY = "requestId";
  private static final int UUID_LENGTH = 36;
  private static final int ULID_LENGTH = 26;
  /** {@code 00-} + 32 hex + {@code -} + 16 hex + {@code -} + 2 hex. */
  private static final int TRACEPARENT_LENGTH = 55;
  /** {@code 1-} + 8 hex + {@code -} + 24 hex. */
  private static final int XRAY_LENGTH = 35;
  private static final String XRAY_ROOT = "Root=";
  /** A citizen ID (CCCD): 12 digits, the first 0 (province codes 001-096). */
  private static final int CITIZEN_ID_DIGITS = 12;

  private RequestIds() {
  }

  public static void assign(RoutingContext ctx) {
    take(ctx);
    ctx.next();
  }

  /**
   * Whether the request has no id yet: Vert.x Web's router refused it before its first route, {@link #assign}, ran
   * (no Host, a Host that is no host[:port], a target that is no path). {@link #take} gives it one.
   */
  public static boolean missing(RoutingContext ctx) {
    return ctx.get(KEY) == null;
  }

  /** The caller's id when {@link #adopts} takes it, otherwise a minted one: kept for the logs and echoed. */
  public static void take(RoutingContext ctx) {
    String incoming = ctx.request().getHeader(HEADER_NAME);
    String id = incoming != null && adopts(incoming) ? incoming : mint();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER_NAME, id);
  }

  /** Whether {@code id} is an id a generator made (the class comment's forms). A few loops, no allocation. */
  static boolean adopts(String id) {
    int n = id.length();
    if (n == UUID_LENGTH) {
      return isUuid(id) && !(id.charAt(n - CITIZEN_ID_DIGITS) == '0' && Ascii.isDigits(id, n - CITIZEN_ID_DIGITS, n));
    }
    if (n == 16 || n == 24 || n == 32) {
      return isHex(id, 0, n) && !Ascii.isDigits(id, 0, n);
    }
    if (n == TRACEPARENT_LENGTH) {
      return isHex(id, 0, 2) && id.charAt(2) == '-' && isHex(id, 3, 35) && id.charAt(35) == '-'
          && isHex(id, 36, 52) && id.charAt(52) == '-' && isHex(id, 53, 55) && !Ascii.isDigits(id, 3, 35)
          && !Ascii.isDigits(id, 36, 52);
    }
    if (n == XRAY_LENGTH || n == XRAY_LENGTH + XRAY_ROOT.length() && id.startsWith(XRAY_ROOT)) {
      int at = n - XRAY_LENGTH;
      return id.charAt(at) == '1' && id.charAt(at + 1) == '-' && isHex(id, at + 2, at + 10)
          && id.charAt(at + 10) == '-' && isHex(id, at + 11, n) && !Ascii.isDigits(id, at + 11, n);
    }
    return n == ULID_LENGTH && isUlid(id) && !Ascii.isDigits(id, 0, n);
  }

  /** 8-4-4-4-12 hex digits with their dashes (case-insensitive). */
  private static boolean isUuid(String id) {
    return isHex(id, 0, 8) && id.charAt(8) == '-' && isHex(id, 9, 13) && id.charAt(13) == '-'
        && isHex(id, 14, 18) && id.charAt(18) == '-' && isHex(id, 19, 23) && id.charAt(23) == '-'
        && isHex(id, 24, UUID_LENGTH);
  }

  private static boolean isHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!(Ascii.isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
        return false;
      }
    }
    return true;
  }

  /** 26 characters of Crockford's base 32 in upper case (no I, L, O, U), the first 0-7 (48 bits of milliseconds). */
  private static boolean isUlid(String id) {
    if (id.charAt(0) < '0' || id.charAt(0) > '7') {
      return false;
    }
    for (int i = 1; i < ULID_LENGTH; i++) {
      char c = id.charAt(i);
      if (!(Ascii.isDigit(c) || c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U')) {
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
    String id;
    do {
      // 1 in 2,800 has a citizen ID's shape in its last group, which adopts() refuses: a caller echoing it back
      // (a retry) would get another
      id = new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
          (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
    } while (!adopts(id));
    return id;
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }
}
