package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Members whose name starts with '#' in the objects a schema closes ({@code "additionalProperties": false}): networknt
 * 1.5.9's additionalProperties check skips such names (it takes them for "context items"), so a dossier holding
 * {@code "#x"} beside its fields passed the schema and was queued with it. This finds them along the structure the
 * schema declares ({@code properties}, a schema under {@code additionalProperties}, {@code items}), as the violation
 * the library gives any other undeclared member, in its words ({@link SchemaWording#undeclaredMember}).
 */
final class HashNamedMembers {
  /** What the schema says of one value: whether an object there is closed, and the schemas of its members and items. */
  private record Shape(boolean closed, Map<String, Shape> properties, Shape additional, Shape items) {
    static final Shape OPEN = new Shape(false, Map.of(), null, null);
  }

  private final Shape root;

  private HashNamedMembers(Shape root) {
    this.root = root;
  }

  static HashNamedMembers of(JsonNode schema) {
    return new HashNamedMembers(shape(schema));
  }

  /** Adds a violation for each such member of {@code body}. */
  void addTo(JsonNode body, Set<Violation> violations) {
    walk(body, root, "", violations);
  }

  private static Shape shape(JsonNode schema) {
    if (schema == null || !schema.isObject()) {
      return Shape.OPEN;
    }
    Map<String, Shape> properties = new HashMap<>();
    schema.path("properties").fields().forEachRemaining(p -> properties.put(p.getKey(), shape(p.getValue())));
    JsonNode additional = schema.get("additionalProperties");
    boolean closed = additional != null && additional.isBoolean() && !additional.booleanValue()
        && !schema.has("patternProperties");
    return new Shape(closed, properties, additional != null && additional.isObject() ? shape(additional) : null,
        schema.has("items") ? shape(schema.get("items")) : null);
  }

  private static void walk(JsonNode value, Shape shape, String pointer, Set<Violation> violations) {
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> member = it.next();
        String name = member.getKey();
        String at = Violation.member(pointer, name);
        Shape declared = shape.properties().get(name);
        if (declared == null && shape.closed() && name.startsWith("#")) {
          violations.add(new Violation(at, SchemaWording.undeclaredMember(name)));
        }
        Shape next = declared != null ? declared : shape.additional();
        if (next != null) {
          walk(member.getValue(), next, at, violations);
        }
      }
    } else if (value.isArray() && shape.items() != null) {
      for (int i = 0; i < value.size(); i++) {
        walk(value.get(i), shape.items(), pointer + "/" + i, violations);
      }
    }
  }
}
