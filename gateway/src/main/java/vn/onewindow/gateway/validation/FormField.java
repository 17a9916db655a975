package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One field of a procedure's form ({@code formData}) and its type, from the catalogue's {@code fields}. A type is
 * resolved once, when the catalogue loads: its limits, codes and messages are ready, so checking a value on the
 * submission path is a few comparisons, with nothing parsed by exception and nothing allocated unless it is wrong.
 *
 * @param required listed in the procedure's {@code requiredFields}; an optional field is checked when it is given
 */
public record FormField(String name, boolean required, Type type) {

  /** What a field's value must be. Immutable, shared by every request. */
  public interface Type {
    /** As the catalogue and the catalogue endpoint write it: any, text, date, integer, decimal, boolean, enum. */
    String name();

    /** The type's limits as the catalogue endpoint shows them (maxLength, notFuture, minimum, maximum, values). */
    Map<String, Object> attributes();

    /**
     * Null when {@code value} (neither null nor missing) is of this type, else what is wrong, worded as the schema's
     * 422 entries are ({@link SchemaWording}).
     *
     * @param receivedOn the day of receipt as yyyyMMdd in an int ({@link #day}), for dates that may not be later
     */
    String check(JsonNode value, int receivedOn);
  }

  /** A field without a type (a catalogue written before types, or a field left untyped): any non-empty value. */
  public static final Type ANY = new Type() {
    @Override
    public String name() {
      return "any";
    }

    @Override
    public Map<String, Object> attributes() {
      return Map.of();
    }

    @Override
    public String check(JsonNode value, int receivedOn) {
      return null;
    }
  };

  /** What a text may hold at most: the submission schema's own limit on a form value. */
  private static final int MAX_TEXT = 4000;
  private static final List<String> TYPES = List.of("text", "date", "integer", "decimal", "boolean", "enum");

  /** A date as yyyyMMdd in an int: ordered as the dates are, compared without objects. */
  static int day(int year, int month, int dayOfMonth) {
    return year * 10_000 + month * 100 + dayOfMonth;
  }

  /**
   * The type a catalogue entry describes ({@code {"type": "date", "notFuture": true}}).
   *
   * @param where names the catalogue, procedure and field in the error that stops the start
   * @throws IllegalStateException naming the field when the entry cannot be applied
   */
  static Type parse(JsonNode spec, String where) {
    if (!spec.isObject()) {
      throw new IllegalStateException(where + ": must be an object with a type, for example {\"type\": \"text\", "
          + "\"maxLength\": 100}");
    }
    String type = spec.path("type").asText("");
    Spec s = new Spec(spec, where);
    return switch (type) {
      case "text" -> {
        s.allow("maxLength");
        yield new Text(s.wholeNumber("maxLength", 1, MAX_TEXT));
      }
      case "date" -> {
        s.allow("notFuture");
        yield new Date(s.flag("notFuture"));
      }
      case "integer" -> {
        s.allow("minimum", "maximum");
        yield new Whole(s.bound("minimum", true), s.bound("maximum", true), where);
      }
      case "decimal" -> {
        s.allow("minimum", "maximum");
        yield new Decimal(s.bound("minimum", false), s.bound("maximum", false), where);
      }
      case "boolean" -> {
        s.allow();
        yield new Flag();
      }
      case "enum" -> {
        s.allow("values");
        yield new Choice(s.codes("values"));
      }
      default -> throw new IllegalStateException(where + " has type '" + type + "', expected one of "
          + String.join(", ", TYPES));
    };
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

  /** A catalogue entry's members, read with errors that name the field. */
  private record Spec(JsonNode spec, String where) {
    /** Refuses a member the type does not read (a misspelt "maxlength" would otherwise be silently ignored). */
    void allow(String... names) {
      Set<String> allowed = new HashSet<>(List.of(names));
      allowed.add("type");
      for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!allowed.contains(name)) {
          throw fail("unknown attribute '" + name + "' for type " + spec.get("type").asText() + " (it takes "
              + String.join(", ", names.length == 0 ? new String[] {"no other"} : names) + ")");
        }
      }
    }

    int wholeNumber(String name, int min, int max) {
      JsonNode n = spec.get(name);
      if (n == null) {
        throw fail(spec.get("type").asText() + " needs " + name + " (" + min + " to " + max + ")");
      }
      if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
        throw fail(name + " must be a whole number from " + min + " to " + max + ", not " + n);
      }
      return n.intValue();
    }

    boolean flag(String name) {
      JsonNode n = spec.path(name);
      if (!n.isMissingNode() && !n.isBoolean()) {
        throw fail(name + " must be true or false, not " + n);
      }
      return n.asBoolean(false);
    }

    JsonNode bound(String name, boolean whole) {
      JsonNode n = spec.get(name);
      if (n == null) {
        throw fail(spec.get("type").asText() + " needs " + name);
      }
      if (whole && !(n.isIntegralNumber() && n.canConvertToLong())) {
        throw fail(name + " must be a whole number, not " + n);
      }
      if (!whole && !(n.isNumber() && Double.isFinite(n.doubleValue()))) {
        throw fail(name + " must be a number, not " + n);
      }
      return n;
    }

    List<String> codes(String name) {
      JsonNode n = spec.path(name);
      if (!n.isArray() || n.isEmpty()) {
        throw fail("enum needs values: a non-empty list of the codes it accepts");
      }
      List<String> codes = new ArrayList<>();
      for (JsonNode code : n) {
        if (!code.isTextual() || code.textValue().isBlank()) {
          throw fail(name + " must be non-empty strings, not " + code);
        }
        if (codes.contains(code.textValue())) {
          throw fail(name + " name '" + code.textValue() + "' twice");
        }
        codes.add(code.textValue());
      }
      return List.copyOf(codes);
    }

    IllegalStateException fail(String what) {
      return new IllegalStateException(where + ": " + what);
    }
  }

  /** A JSON string of at most {@code maxLength} characters (code points, as the schema's maxLength counts). */
  private record Text(int maxLength, String tooLong) implements Type {
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
  private record Date(boolean notFuture) implements Type {
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
  private record Whole(long minimum, long maximum, String below, String above) implements Type {
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
  private record Decimal(double minimum, double maximum, Number shownMinimum, Number shownMaximum, String below,
                         String above) implements Type {
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
  private record Flag() implements Type {
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
  private record Choice(List<String> values, Set<String> accepted, String notListed) implements Type {
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
