package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The form field types a catalogue may give ({@link FieldTypeParser} builds them): what each accepts, how its 422
 * reads, and its limits as the catalogue endpoint shows them. Checked on the submission path, so each check is a few
 * comparisons on values prepared when the catalogue loads, and allocates only for a value it refuses.
 */
final class FieldTypes {
  private FieldTypes() {
  }

  /** networknt's words for a value of the wrong JSON type ("integer found, string expected"). */
  private static String found(JsonNode value, String expected) {
    String found = switch (value.getNodeType()) {
      case STRING -> "string";
      case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
      case BOOLEAN -> "boolean";
      case ARRAY -> "array";
      case OBJECT -> "object";
      default -> "null";
    };
    return found + " found, " + expected + " expected";
  }

  /** A number type's attributes, minimum first. */
  private static Map<String, Object> bounds(Object minimum, Object maximum) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("minimum", minimum);
    out.put("maximum", maximum);
    return out;
  }

  /** A JSON string of at most {@code maxLength} characters (code points, as the schema's maxLength counts). */
  record Text(int maxLength, String tooLong) implements FormField.Type {
    Text(int maxLength) {
      this(maxLength, "must be at most " + maxLength + " characters long");
    }

    @Override
    public String check(JsonNode value, int receivedOn) {
      if (!value.isTextual()) {
        return found(value, "string");
      }
      String s = value.textValue();
      // a string of no more UTF-16 units than the limit has no more characters: counted only when longer
      return s.length() <= maxLength || s.codePointCount(0, s.length()) <= maxLength ? null : tooLong;
    }

    @Override
    public Map<String, Object> attributes() {
      return Map.of("maxLength", maxLength);
    }

    @Override
    public String name() {
      return "text";
    }
  }

  /**
   * An ISO date yyyy-MM-dd of the proleptic Gregorian calendar, years 0001 to 9999, read digit by digit (no parser, no
   * exception); with {@code notFuture}, not later than the day of receipt.
   */
  record Date(boolean notFuture) implements FormField.Type {
    @Override
    public String check(JsonNode value, int receivedOn) {
      if (!value.isTextual()) {
        return CalendarDates.SHAPE;
      }
      String problem = CalendarDates.problem(value.textValue());
      if (problem != null) {
        return problem;
      }
      if (notFuture && CalendarDates.packed(value.textValue()) > receivedOn) {
        return "must not be later than the day of receipt, " + String.format("%04d-%02d-%02d", receivedOn / 10_000,
            receivedOn / 100 % 100, receivedOn % 100);
      }
      return null;
    }

    @Override
    public Map<String, Object> attributes() {
      return Map.of("notFuture", notFuture);
    }

    @Override
    public String name() {
      return "date";
    }
  }

  /** A JSON integer (written without a fraction or an exponent) from minimum to maximum. */
  record Whole(long minimum, long maximum, String below, String above) implements FormField.Type {
    Whole(JsonNode minimum, JsonNode maximum, String where) {
      this(minimum.longValue(), maximum.longValue(), "must have a minimum value of " + minimum.asText(),
          "must have a maximum value of " + maximum.asText());
      if (this.minimum > this.maximum) {
        throw new IllegalStateException(where + ": minimum " + minimum + " is above maximum " + maximum);
      }
    }

    @Override
    public String check(JsonNode value, int receivedOn) {
      if (!value.isIntegralNumber()) {
        return found(value, "integer");
      }
      if (!value.canConvertToLong()) {
        return value.bigIntegerValue().signum() < 0 ? below : above;
      }
      long v = value.longValue();
      return v < minimum ? below : v > maximum ? above : null;
    }

    @Override
    public Map<String, Object> attributes() {
      return bounds(minimum, maximum);
    }

    @Override
    public String name() {
      return "integer";
    }
  }

  /** A JSON number, integer or not, from minimum to maximum. */
  record Decimal(double minimum, double maximum, Number shownMinimum, Number shownMaximum, String below,
                 String above) implements FormField.Type {
    Decimal(JsonNode minimum, JsonNode maximum, String where) {
      this(minimum.doubleValue(), maximum.doubleValue(), minimum.numberValue(), maximum.numberValue(),
          "must have a minimum value of " + plain(minimum), "must have a maximum value of " + plain(maximum));
      if (this.minimum > this.maximum) {
        throw new IllegalStateException(where + ": minimum " + plain(minimum) + " is above maximum " + plain(maximum));
      }
    }

    /** 100000000, not 1.0E8. */
    private static String plain(JsonNode n) {
      return n.decimalValue().stripTrailingZeros().toPlainString();
    }

    @Override
    public String check(JsonNode value, int receivedOn) {
      if (!value.isNumber()) {
        return found(value, "number");
      }
      double v = value.doubleValue();
      return v < minimum ? below : v > maximum ? above : null;
    }

    @Override
    public Map<String, Object> attributes() {
      return bounds(shownMinimum, shownMaximum);
    }

    @Override
    public String name() {
      return "decimal";
    }
  }

  /** JSON true or false. */
  record Flag() implements FormField.Type {
    @Override
    public String check(JsonNode value, int receivedOn) {
      return value.isBoolean() ? null : found(value, "boolean");
    }

    @Override
    public Map<String, Object> attributes() {
      return Map.of();
    }

    @Override
    public String name() {
      return "boolean";
    }
  }

  /**
   * One of a closed list of codes, compared exactly, code unit for code unit. A value that is a code in another
   * Unicode form ("Nữ" decomposed, as some iOS keyboards send it: 'u', U+031B, U+0303) is refused, not taken as the
   * code: the body is stored, hashed for its Idempotency-Key and fed to the agencies byte for byte, so the hub may not
   * rewrite it to NFC, and accepting it as it is would hand the agencies, which compare codes exactly too, a value
   * outside the enumeration they were promised. The 422 says so, for the frontend to send NFC; the check stays an
   * exact look-up, the NFC form computed only for a value already refused.
   */
  record Choice(List<String> values, Set<String> accepted, String notListed) implements FormField.Type {
    Choice(List<String> values) {
      this(values, Set.copyOf(values), "does not have a value in the enumeration " + values);
    }

    @Override
    public String check(JsonNode value, int receivedOn) {
      if (!value.isTextual()) {
        return found(value, "string");
      }
      String text = value.textValue();
      if (accepted.contains(text)) {
        return null;
      }
      String composed = Normalizer.normalize(text, Normalizer.Form.NFC);
      return composed.equals(text) || !accepted.contains(composed) ? notListed : notListed + ": it is \"" + composed
          + "\" with its accents as separate characters; send text in Unicode NFC (JavaScript: value.normalize('NFC'))";
    }

    @Override
    public Map<String, Object> attributes() {
      return Map.of("values", values);
    }

    @Override
    public String name() {
      return "enum";
    }
  }
}
