package vn.onewindow.gateway.security;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.validation.Violation;

/**
 * What the JSON parser lets through but the rest of the pipeline cannot keep: bytes that are not strict UTF-8
 * (Jackson decodes overlong forms, CESU surrogates and code points past U+10FFFF that Java's decoder would replace, so
 * the queued payload would no longer be the bytes that were validated), a leading byte order mark, unpaired UTF-16
 * surrogate escapes and numbers beyond a double's range (what PostgreSQL's jsonb refuses and its json operators cannot
 * read back; the intake refuses them too, so the dossier would be dead-lettered after its 202; a huge exponent also
 * expands to that many digits in a reader).
 */
public final class PayloadGuard {
  /** Largest decimal exponent kept: a double's range, far beyond any form field. */
  static final int MAX_EXPONENT = 308;
  private static final BigDecimal LARGEST = BigDecimal.ONE.scaleByPowerOfTen(MAX_EXPONENT);
  /**
   * Whitespace between a body's values that is always taken: indentation of any real dossier stays far below it, and
   * a body not longer than this is never read for padding (the accepted path's bodies are a few KB). Not twice this:
   * more than this much padding that is also more than half the body fits in a body under twice this (QA: 20,000
   * spaces after a 1.3 KB dossier got 202).
   */
  static final int PADDING_ALLOWED_BYTES = 16 * 1024;
  /** A hostile body may hold thousands of bad values: name the first few, that is enough to fix it. */
  private static final int MAX_VIOLATIONS = 20;
  /** Eight body bytes as one long (any alignment: plain reads allow it), byte k in bits 8k..8k+7. */
  private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** The high bit of each of the eight bytes: set only in a byte that is not ASCII. */
  private static final long HIGH_BITS = 0x8080808080808080L;

  private PayloadGuard() {
  }

  /** Empty when the body may be queued as it is; otherwise the 400 (encoding) or 422 (values) to answer. */
  public static Optional<HttpFailure> check(byte[] body, JsonNode dossier) {
    return check(body, dossier, HttpFailure::invalidDossier);
  }

  /** The same for another body the hub stores (a progress event): {@code invalid} makes its route's 422. */
  public static Optional<HttpFailure> check(byte[] body, JsonNode value,
                                            Function<List<Violation>, HttpFailure> invalid) {
    if (body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF) {
      return Optional.of(HttpFailure.malformed("the body starts with a byte order mark; send UTF-8 without it"));
    }
    if (!isStrictUtf8(body)) {
      return Optional.of(HttpFailure.malformed("the body is not valid UTF-8"));
    }
    int padding = body.length > PADDING_ALLOWED_BYTES ? whitespaceBetweenValues(body) : 0;
    if (padding > PADDING_ALLOWED_BYTES && padding > body.length / 2) {
      // stored, queued and served to agencies byte for byte: one client could make each dossier 200 times its size
      return Optional.of(HttpFailure.malformed("the body holds " + padding + " bytes of whitespace between its values, "
          + "more than half of it; send it without padding"));
    }
    List<Violation> violations = new ArrayList<>();
    walk(value, new ArrayList<>(), violations);
    return violations.isEmpty() ? Optional.empty() : Optional.of(invalid.apply(violations));
  }

  /**
   * Strict UTF-8 (RFC 3629), as Java's decoder with REPORT decides it: no overlong forms, no encoded surrogates,
   * nothing past U+10FFFF, no truncated sequence. Checked in place: decoding a body into a throw-away CharBuffer cost
   * about 4% of the gateway's CPU per dossier. Bodies are mostly ASCII, so eight bytes are read as one word and skipped
   * when none has its high bit set; otherwise the scan jumps to the word's first non-ASCII byte, which starts a
   * sequence checked byte by byte as before (the words only ever skip bytes that loop would pass one at a time).
   * {@code StrictUtf8Test} holds it to the JDK decoder on random bytes and at every offset of the words.
   */
  static boolean isStrictUtf8(byte[] b) {
    int i = 0;
    int n = b.length;
    while (i < n) {
      if (i <= n - Long.BYTES) {
        long high = (long) WORDS.get(b, i) & HIGH_BITS;
        if (high == 0) {
          i += Long.BYTES;
          continue;
        }
        // little-endian: byte k of the word is bits 8k..8k+7, so the lowest high bit set marks the first non-ASCII
        i += Long.numberOfTrailingZeros(high) >>> 3;
      } else if (b[i] >= 0) {
        i++;
        continue;
      }
      int lead = b[i] & 0xFF;
      int length = lead < 0xC2 ? 0 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead <= 0xF4 ? 4 : 0;
      if (length == 0 || i + length > n) {
        return false;
      }
      int second = b[i + 1] & 0xFF;
      boolean valid = (second & 0xC0) == 0x80
          && (length < 3 || (b[i + 2] & 0xC0) == 0x80)
          && (length < 4 || (b[i + 3] & 0xC0) == 0x80)
          && !(lead == 0xE0 && second < 0xA0)     // overlong 3-byte form
          && !(lead == 0xED && second >= 0xA0)    // U+D800-U+DFFF, a surrogate
          && !(lead == 0xF0 && second < 0x90)     // overlong 4-byte form
          && !(lead == 0xF4 && second >= 0x90);   // past U+10FFFF
      if (!valid) {
        return false;
      }
      i += length;
    }
    return true;
  }

  /**
   * The JSON whitespace outside strings of a body the parser read: spaces in a value are its content (the schema
   * bounds each string); a backslash inside a string escapes the next byte, so an escaped quote does not end it.
   */
  static int whitespaceBetweenValues(byte[] b) {
    int whitespace = 0;
    boolean inString = false;
    for (int i = 0; i < b.length; i++) {
      byte c = b[i];
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        whitespace++;
      }
    }
    return whitespace;
  }

  /** {@code path}: the member names and indexes down to {@code node}, made a JSON Pointer only for a violation. */
  private static void walk(JsonNode node, List<String> path, List<Violation> violations) {
    if (violations.size() >= MAX_VIOLATIONS) {
      return;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        path.add(field.getKey());
        if (DossierTable.hasUnpairedSurrogate(field.getKey())) {
          violations.add(new Violation(pointer(path), "the field name contains an unpaired UTF-16 surrogate"));
        }
        walk(field.getValue(), path, violations);
        path.remove(path.size() - 1);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        path.add(Integer.toString(i));
        walk(node.get(i), path, violations);
        path.remove(path.size() - 1);
      }
    } else if (node.isTextual() && DossierTable.hasUnpairedSurrogate(node.textValue())) {
      violations.add(new Violation(pointer(path),
          "contains an unpaired UTF-16 surrogate (\\ud800-\\udfff escape without its pair)"));
    } else if (node.isNumber() && outOfRange(node)) {
      violations.add(new Violation(pointer(path),
          "number out of range (magnitude beyond 1e" + MAX_EXPONENT + " or below 1e-" + MAX_EXPONENT + ")"));
    }
  }

  private static String pointer(List<String> path) {
    if (path.isEmpty()) {
      return "/";
    }
    String pointer = "";
    for (String segment : path) {
      pointer = Violation.member(pointer, segment);
    }
    return pointer;
  }

  private static boolean outOfRange(JsonNode number) {
    if (!number.isBigDecimal() && !number.isBigInteger()) {
      return false;
    }
    BigDecimal value = number.decimalValue();
    if (value.signum() == 0) {
      return false;
    }
    // value = unscaled * 10^-scale; its decimal exponent is precision - scale - 1. The exponent alone is not the
    // message's bound: 9e308 has exponent 308 yet lies beyond a double (1.8e308), which every reader of the stored
    // payload decodes numbers into (the intake refuses it, after the 202); hence the magnitude itself.
    long exponent = (long) value.precision() - value.scale() - 1;
    return exponent > MAX_EXPONENT || exponent < -MAX_EXPONENT || value.abs().compareTo(LARGEST) > 0;
  }
}
