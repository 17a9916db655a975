package vn.onewindow.gateway.security;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.validation.Violation;

/**
 * What the JSON parser lets through but the rest of the pipeline cannot keep: bytes that are not strict UTF-8
 * (Jackson decodes overlong forms, CESU surrogates and code points past U+10FFFF that Java's decoder would replace, so
 * the queued payload would no longer be the bytes that were validated), a leading byte order mark, unpaired UTF-16
 * surrogate escapes and numbers beyond a double's range (both rejected by PostgreSQL jsonb, so the dossier would be
 * dead-lettered after its 202; a huge exponent also expands to that many digits in storage).
 */
public final class PayloadGuard {
  /** Largest decimal exponent kept: a double's range, far beyond any form field. */
  static final int MAX_EXPONENT = 308;
  /** A hostile body may hold thousands of bad values: name the first few, that is enough to fix it. */
  private static final int MAX_VIOLATIONS = 20;

  private PayloadGuard() {
  }

  /** Empty when the body may be queued as it is; otherwise the 400 (encoding) or 422 (values) to answer. */
  public static Optional<HttpFailure> check(byte[] body, JsonNode dossier) {
    if (body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF) {
      return Optional.of(HttpFailure.malformed("the body starts with a byte order mark; send UTF-8 without it"));
    }
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body));
    } catch (CharacterCodingException e) {
      return Optional.of(HttpFailure.malformed("the body is not valid UTF-8"));
    }
    List<Violation> violations = new ArrayList<>();
    walk(dossier, "", violations);
    return violations.isEmpty() ? Optional.empty() : Optional.of(HttpFailure.invalidDossier(violations));
  }

  private static void walk(JsonNode node, String pointer, List<Violation> violations) {
    if (violations.size() >= MAX_VIOLATIONS) {
      return;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        String child = pointer + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
        if (hasUnpairedSurrogate(field.getKey())) {
          violations.add(new Violation(child, "the field name contains an unpaired UTF-16 surrogate"));
        }
        walk(field.getValue(), child, violations);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), pointer + "/" + i, violations);
      }
    } else if (node.isTextual() && hasUnpairedSurrogate(node.textValue())) {
      violations.add(new Violation(pointer.isEmpty() ? "/" : pointer,
          "contains an unpaired UTF-16 surrogate (\\ud800-\\udfff escape without its pair)"));
    } else if (node.isNumber() && outOfRange(node)) {
      violations.add(new Violation(pointer.isEmpty() ? "/" : pointer,
          "number out of range (magnitude beyond 1e" + MAX_EXPONENT + " or below 1e-" + MAX_EXPONENT + ")"));
    }
  }

  private static boolean outOfRange(JsonNode number) {
    if (!number.isBigDecimal() && !number.isBigInteger()) {
      return false;
    }
    BigDecimal value = number.decimalValue();
    if (value.signum() == 0) {
      return false;
    }
    // value = unscaled * 10^-scale; its decimal exponent is precision - scale - 1.
    long exponent = (long) value.precision() - value.scale() - 1;
    return exponent > MAX_EXPONENT || exponent < -MAX_EXPONENT;
  }

  static boolean hasUnpairedSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
