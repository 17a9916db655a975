package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads an entry of a catalogue's {@code fields} ({@code {"type": "date", "notFuture": true}}) into the
 * {@link FormField.Type} it describes, once, when the catalogue loads. A mistake stops the start with an error that
 * names the catalogue, the procedure and the field, rather than leave the field checked by a looser type.
 */
final class FieldTypeParser {
  /** What a text may hold at most: the submission schema's own limit on a form value. */
  private static final int MAX_TEXT = 4000;
  private static final List<String> TYPES = List.of("text", "date", "integer", "decimal", "boolean", "enum");

  private FieldTypeParser() {
  }

  /**
   * The type a catalogue entry describes.
   *
   * @param where names the catalogue, procedure and field in the error that stops the start
   * @throws IllegalStateException naming the field when the entry cannot be applied
   */
  static FormField.Type parse(JsonNode spec, String where) {
    if (!spec.isObject()) {
      throw new IllegalStateException(where + ": must be an object with a type, for example {\"type\": \"text\", "
          + "\"maxLength\": 100}");
    }
    String type = spec.path("type").asText("");
    Spec s = new Spec(spec, where);
    return switch (type) {
      case "text" -> {
        s.allow("maxLength");
        yield new FieldTypes.Text(s.wholeNumber("maxLength", 1, MAX_TEXT));
      }
      case "date" -> {
        s.allow("notFuture");
        yield new FieldTypes.Date(s.flag("notFuture"));
      }
      case "integer" -> {
        s.allow("minimum", "maximum");
        yield new FieldTypes.Whole(s.bound("minimum", true), s.bound("maximum", true), where);
      }
      case "decimal" -> {
        s.allow("minimum", "maximum");
        yield new FieldTypes.Decimal(s.bound("minimum", false), s.bound("maximum", false), where);
      }
      case "boolean" -> {
        s.allow();
        yield new FieldTypes.Flag();
      }
      case "enum" -> {
        s.allow("values");
        yield new FieldTypes.Choice(s.codes("values"));
      }
      default -> throw new IllegalStateException(where + " has type '" + type + "', expected one of "
          + String.join(", ", TYPES));
    };
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
}
