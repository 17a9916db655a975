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
  /** Every character of the receipt but its values' (member names, quotes, separators, the status). */
  private static final int FIXED_LENGTH = new Receipt("", "", "", "", "", false).toJson("").length();
  /** The body's constant parts around its six values, in UTF-8: before the id, after it, ..., after the status URL. */
  private static final byte[][] PARTS = utf8("{\"id\":\"", "\",\"code\":\"", "\",\"status\":" + STATUS
      + ",\"receivedAt\":\"", "\",\"expectedResultBy\":\"", "\",\"procedureCode\":\"", "\",\"statusUrl\":\"", "\"}");
  private static final int PARTS_LENGTH = Arrays.stream(PARTS).mapToInt(part -> part.length).sum();

  /**
   * The 202's body in UTF-8, as {@link #toJson} encoded. The usual values (ASCII with nothing to escape: ids, codes,
   * dates, URLs) are copied byte by byte between the constant parts, encoded once: the status's Vietnamese label made
   * the String form UTF-16 throughout, encoded again for every answer (about 2 % of the gateway's samples, run CCp).
   * Any other value takes the String form. {@code ReceiptJsonTest} holds both to the JsonObject encoding.
   */
  public Buffer toBody(String statusUrl) {
    String[] values = {dossierId, code, receivedAt, expectedResultBy, procedureCode, statusUrl};
    int length = PARTS_LENGTH;
    for (String value : values) {
      if (value == null || needsEscaping(value) || !isAscii(value)) {
        return Buffer.buffer(toJson(statusUrl).getBytes(StandardCharsets.UTF_8));
      }
      length += value.length();
    }
    byte[] body = new byte[length];
    int at = 0;
    for (int i = 0; i < values.length; i++) {
      System.arraycopy(PARTS[i], 0, body, at, PARTS[i].length);
      at += PARTS[i].length;
      for (int c = 0; c < values[i].length(); c++) {
        body[at++] = (byte) values[i].charAt(c);
      }
    }
    System.arraycopy(PARTS[values.length], 0, body, at, PARTS[values.length].length);
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
    StringBuilder json = new StringBuilder(FIXED_LENGTH + length(dossierId) + length(code) + length(receivedAt)
        + length(expectedResultBy) + length(procedureCode) + length(statusUrl));
    member(json, "{\"id\":", dossierId);
    member(json, ",\"code\":", code);
    json.append(",\"status\":").append(STATUS);
    member(json, ",\"receivedAt\":", receivedAt);
    member(json, ",\"expectedResultBy\":", expectedResultBy);
    member(json, ",\"procedureCode\":", procedureCode);
    member(json, ",\"statusUrl\":", statusUrl);
    return json.append('}').toString();
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

  private static byte[][] utf8(String... parts) {
    byte[][] encoded = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      encoded[i] = parts[i].getBytes(StandardCharsets.UTF_8);
    }
    return encoded;
  }

  private static int length(String value) {
    return value == null ? 4 : value.length();
  }
}
