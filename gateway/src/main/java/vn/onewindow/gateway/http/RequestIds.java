package vn.onewindow.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import vn.onewindow.common.infra.Ascii;

/**
 * Takes the caller's X-Request-Id when it has the shape of a machine-made id, otherwise mints one; echoes the id it
 * took on every answer, so the caller can quote what the logs name. A refused value is never logged.
 *
 * <p>Frontends were seen sending the citizen's ID number, phone or name as their request id, and the id reaches every
 * log line of its request. So the rule admits what id generators make and nothing a person is known by:
 * <ul>
 *   <li>a canonical UUID (any version), a W3C trace id (32 hex digits) or a ULID (26 of Crockford's base 32, upper
 *   case, the first 0-7), judged by its fields: replaced only when the UUID's last group is a citizen ID's 12 digits
 *   (0 first: the province codes run 001-096; 1 random UUID in 2,800 has such a group) or the trace id or ULID is all
 *   digits. By the plain rule below 11 % of random UUIDs (their 4-digit groups chain), 14 % of trace ids and 0.03 %
 *   of ULIDs would be replaced, breaking the caller's correlation;</li>
 *   <li>else 16 to 64 characters of {@code [A-Za-z0-9._:-]} with at least one digit and no personal run of digits
 *   ({@link #holdsPersonalDigits}). 16: a random id unique across a fleet has 64 bits or more (a W3C span id's 16 hex
 *   digits; ULID 26, nanoid 21, KSUID 27), while a name with a birth year ("An1990", "Lan-0912") is shorter. A digit:
 *   a generator's alphabet has ten of them and a counter or a timestamp is digits, while a name, joined or not
 *   ("NguyenVanAn", "nguyen.van.an"), has none.</li>
 * </ul>
 * Spaces, '+' (a phone written +84...) and anything outside ASCII (a name with its diacritics) are outside the
 * alphabet. What it costs: a random id of another shape without a digit (2.8 % of 21-character base64url ids) or
 * with 9 digits in a row (5 % of 16-hex span ids, 10 % of 24-hex ids) gets a minted id, which the answer names:
 * "cccd079123456789" is 16 hex digits too.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  /** HEADER as an AsciiString, made once: Vert.x keeps its hash for the look-up and the put, and copies it whole. */
  private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
  private static final String KEY = "requestId";
  private static final int MIN_LENGTH = 16;
  private static final int MAX_LENGTH = 64;
  /**
   * A run of this many digits has the shape of a personal number: an old 9-digit ID, a 10-digit phone, a 12-digit
   * citizen ID. Callers build request ids from whatever they hold ("cccd-079123456789", "Nguyen_Van_A-0912345678"),
   * and the log masker deliberately leaves digits glued to '-', '.' or letters alone (dossier codes, UUIDs, stream
   * ids), so such an id would reach every log line of its request in clear.
   */
  private static final int PERSONAL_DIGITS = 9;
  private static final int UUID_LENGTH = 36;
  private static final int TRACE_ID_LENGTH = 32;
  private static final int ULID_LENGTH = 26;
  /** A citizen ID (CCCD): 12 digits, the first 0 (province codes 001-096). */
  private static final int CITIZEN_ID_DIGITS = 12;
  /**
   * The longest group a phone or an ID is written in ("0912 345 678", "079 123 456 789"): digits in such groups count
   * together; a longer group (a date "20261206", a counter) ends the count.
   */
  private static final int GROUP_DIGITS = 4;

  private RequestIds() {
  }

  public static void assign(RoutingContext ctx) {
    String incoming = ctx.request().getHeader(HEADER_NAME);
    String id = incoming != null && adopts(incoming) ? incoming : mint();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER_NAME, id);
    ctx.next();
  }

  /** Whether {@code id} has the shape of a machine-made id (the class comment's rule). A few loops, no allocation. */
  static boolean adopts(String id) {
    if (!SafeTokens.isSafe(id, MIN_LENGTH, MAX_LENGTH)) {
      return false;
    }
    return isGeneratedShape(id) ? !holdsCitizenIdField(id) : digitsUnlessPersonal(id) > 0;
  }

  /**
   * Whether {@code id} holds a personal number by the rule {@link #adopts} applies: for a UUID, a trace id or a ULID,
   * a field that is one; for anything else, a run of {@link #PERSONAL_DIGITS} digits.
   */
  static boolean holdsPersonalDigits(String id) {
    return isGeneratedShape(id) ? holdsCitizenIdField(id) : digitsUnlessPersonal(id) < 0;
  }

  /**
   * The ASCII digits {@code id} holds, or -1 when it holds a run of {@link #PERSONAL_DIGITS} or more, or as many in
   * groups of at most {@link #GROUP_DIGITS} joined by single separators (a loop: every such request asks).
   */
  private static int digitsUnlessPersonal(String id) {
    // run: the digits since the last other character; chain: those of the short groups just before it, each joined
    // to the next by one separator ("0912.345.678", "079-123-456-789": how people write a phone or an ID)
    int digits = 0;
    int run = 0;
    int chain = 0;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Ascii.isDigit(c)) {
        digits++;
        if (chain + ++run >= PERSONAL_DIGITS) {
          return -1;
        }
      } else {
        chain = isGroupSeparator(c) && run > 0 && run <= GROUP_DIGITS ? chain + run : 0;
        run = 0;
      }
    }
    return digits;
  }

  /** A personal number dressed as a generated id: a UUID's last group of 12 digits, 0 first; all digits otherwise. */
  private static boolean holdsCitizenIdField(String id) {
    int n = id.length();
    if (n != UUID_LENGTH) {
      return Ascii.isDigits(id, 0, n);
    }
    int from = n - CITIZEN_ID_DIGITS;
    return id.charAt(from) == '0' && Ascii.isDigits(id, from, n);
  }

  private static boolean isGeneratedShape(String id) {
    return isUuidOrTraceId(id) || isUlid(id);
  }

  /** 26 characters of Crockford's base 32 in upper case (no I, L, O, U), the first 0-7 (48 bits of milliseconds). */
  private static boolean isUlid(String id) {
    if (id.length() != ULID_LENGTH || id.charAt(0) < '0' || id.charAt(0) > '7') {
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

  private static boolean isGroupSeparator(char c) {
    return c == '-' || c == '.' || c == '_' || c == ':';
  }

  /** 8-4-4-4-12 hex digits with their dashes, or 32 hex digits (case-insensitive). */
  private static boolean isUuidOrTraceId(String id) {
    int n = id.length();
    if (n != UUID_LENGTH && n != TRACE_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = id.charAt(i);
      boolean dashPlace = n == UUID_LENGTH && (i == 8 || i == 13 || i == 18 || i == 23);
      if (dashPlace ? c != '-' : Character.digit(c, 16) < 0 || c > 'f') {
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
