package vn.onewindow.gateway.submit;

import com.fasterxml.jackson.core.io.CharTypes;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import vn.onewindow.common.dossier.NationalStatus;

/**
 * The acknowledgement a citizen keeps (receipt and appointment, template 01). {@code replayed} is true when an
 * Idempotency-Key retry returned the receipt of the dossier queued the first time.
 */
public record Receipt(String dossierId, String code, String receivedAt, String expectedResultBy,
                      String procedureCode, boolean replayed) {
  /** The same for every receipt: a newly registered dossier. */
  private static final String STATUS = NationalStatus.NEWLY_REGISTERED.toJson().encode();
  private static final JsonStringEncoder ESCAPES = JsonStringEncoder.getInstance();
  /** The table {@link JsonStringEncoder#quoteAsString(CharSequence, StringBuilder)} escapes by: non-zero = escaped. */
  private static final int[] ESCAPED = CharTypes.get7BitOutputEscapes();
  /**
   * The body's layout, one owner for both forms: before each value (id, code, receivedAt, expectedResultBy,
   * procedureCode, statusUrl, the order of {@link #values}) the separator and its quoted name with the colon; the
   * status, the same for every receipt, sits before receivedAt.
   */
  private static final String[] PREFIXES = {"{\"id\":", ",\"code\":", ",\"status\":" + STATUS + ",\"receivedAt\":",
      ",\"expectedResultBy\":", ",\"procedureCode\":", ",\"statusUrl\":"};
  private static final byte[][] PREFIX_BYTES = Arrays.stream(PREFIXES)
      .map(prefix -> prefix.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
  /** Every character of the receipt but its values' (the prefixes, each value's two quotes, the closing brace). */
  private static final int FIXED_LENGTH = Arrays.stream(PREFIXES).mapToInt(String::length).sum()
      + 2 * PREFIXES.length + 1;
  private static final int FIXED_BYTES = Arrays.stream(PREFIX_BYTES).mapToInt(prefix -> prefix.length).sum()
      + 2 * PREFIXES.length + 1;

  /**
   * The 202's body in UTF-8, as {@link #toJson} encoded. The usual values (ASCII with nothing to escape: ids, codes,
   * dates, URLs) are copied byte by byte between the prefixes, encoded once: the status's Vietnamese label made the
   * String form UTF-16 throughout, encoded again for every answer (about 2 % of the gateway's samples, run CCp). Any
   * other value takes the String form. {@code ReceiptJsonTest} holds both to the JsonObject encoding.
   */
  public Buffer toBody(String statusUrl) {
    String[] values = values(statusUrl);
    int length = FIXED_BYTES;
    for (String value : values) {
      if (value == null || needsEscaping(value) || !isAscii(value)) {
        return Buffer.buffer(toJson(statusUrl).getBytes(StandardCharsets.UTF_8));
      }
      length += value.length();
    }
    byte[] body = new byte[length];
    int at = 0;
    for (int i = 0; i < values.length; i++) {
      System.arraycopy(PREFIX_BYTES[i], 0, body, at, PREFIX_BYTES[i].length);
      at += PREFIX_BYTES[i].length;
      body[at++] = '"';
      for (int c = 0; c < values[i].length(); c++) {
        body[at++] = (byte) values[i].charAt(c);
      }
      body[at++] = '"';
    }
    body[at] = '}';
    return Buffer.buffer(body);
  }

  /**
   * The 202's body, written into one builder with Jackson's own string escaping: a map of seven members built and
   * walked by a Jackson generator for every receipt showed among the profile's top frames (a JsonObject, its
   * LinkedHashMap, a generator and its buffers per receipt); this builder takes about 1% of the gateway's samples.
   * Sized for values that need no escaping, so it is not grown halfway. {@code ReceiptJsonTest} holds it to the
   * JsonObject encoding, byte for byte.
   */
  public String toJson(String statusUrl) {
    String[] values = values(statusUrl);
    int length = FIXED_LENGTH;
    for (String value : values) {
      length += length(value);
    }
    StringBuilder json = new StringBuilder(length);
    for (int i = 0; i < values.length; i++) {
      member(json, PREFIXES[i], values[i]);
    }
    return json.append('}').toString();
  }

  /** The values in the order of {@link #PREFIXES}. */
  private String[] values(String statusUrl) {
    return new String[] {dossierId, code, receivedAt, expectedResultBy, procedureCode, statusUrl};
  }

  /** {@code prefix}: the separator and the quoted name with its colon, one constant per member. */
  private static void member(StringBuilder json, String prefix, String value) {
    json.append(prefix);
    if (value == null) {
      json.append("null");
      return;
    }
    json.append('"');
    if (needsEscaping(value)) {
      ESCAPES.quoteAsString(value, json);
    } else {
      // quoteAsString would copy it unchanged (it only rewrites characters its table marks), one append(char) per
      // character; the usual values (ids, codes, dates, URLs) take this path
      json.append(value);
    }
    json.append('"');
  }

  private static boolean needsEscaping(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < ESCAPED.length && ESCAPED[c] != 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean isAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static int length(String value) {
    return value == null ? 4 : value.length();
  }
}
