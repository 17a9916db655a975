package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The request-body schemas of the API contract ({@code config/schema}, JSON Schema 2020-12) and how their messages
 * become {@link Violation}s: a JSON Pointer to the offending member and a reason without the pointer repeated,
 * worded for the API's user by {@link SchemaWording}. A loaded schema is thread-safe.
 */
public final class JsonSchemas {
  /**
   * The most JSON values a body may hold for the schema to judge it. A valid dossier holds a few hundred at most
   * (100 form fields, 20 attachments of 5 members); within the 256 KiB body limit a hostile one held ~87,000 empty
   * attachments, the validator reported five violations for each on an event loop for seconds, and their 422 (~40 MB)
   * exhausted the gateway's heap (a 500; frontend tryout). Beyond it the body gets this one violation instead.
   */
  public static final int MAX_VALUES = 1000;
  public static final Violation TOO_MANY_VALUES = new Violation("", "holds more than " + MAX_VALUES + " JSON values "
      + "(objects, arrays, members and items at any depth), far more than any valid body: nothing else was checked");

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private final JsonSchema schema;
  private final SchemaShortcut shortcut;
  private final HashNamedMembers hashNamed;

  private JsonSchemas(JsonSchema schema, SchemaShortcut shortcut, HashNamedMembers hashNamed) {
    this.schema = schema;
    this.shortcut = shortcut;
    this.hashNamed = hashNamed;
  }

  /** Loads a schema from the classpath; a missing or unreadable schema stops start-up. */
  public static JsonSchemas load(String resource) {
    try (InputStream in = JsonSchemas.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("JSON schema " + resource + " not found on the classpath");
      }
      return of(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A schema document with the library and the shortcut configured as for a contract schema (tests use it too). */
  static JsonSchemas of(JsonNode document) {
    SchemaPatterns patterns = new SchemaPatterns();
    EmailFormat email = new EmailFormat();
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
        .pathType(PathType.JSON_POINTER)
        .formatAssertionsEnabled(true)
        .regularExpressionFactory(patterns)
        .locale(Locale.ENGLISH)
        .build();
    // 2020-12 with its own formats, "email" decided plain addresses first (see EmailFormat)
    JsonMetaSchema dialect = JsonMetaSchema.builder(JsonMetaSchema.getV202012()).format(email).build();
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
        builder -> builder.metaSchema(dialect));
    return new JsonSchemas(factory.getSchema(document, config), SchemaShortcut.of(document, patterns, email),
        HashNamedMembers.of(document));
  }

  /** Every violation of the schema, sorted by field: the library's, unless the shortcut is sure there is none. */
  public Set<Violation> validate(JsonNode body) {
    Set<Violation> violations = new TreeSet<>();
    if (holdsMoreValuesThan(body, MAX_VALUES)) {
      violations.add(TOO_MANY_VALUES);
      return violations;
    }
    if (shortcut.surelyValid(body)) {
      return violations;
    }
    libraryViolations(body, violations);
    // what the library lets through: undeclared members named with a '#' (the shortcut is never sure of those)
    hashNamed.addTo(body, violations);
    return violations;
  }

  /**
   * The maintained library's verdict alone, into {@code violations}: of a member's violations, those another says
   * more precisely are left out ({@link SchemaWording#outranked}). Runs on bodies the shortcut could not pass only.
   */
  Set<Violation> libraryViolations(JsonNode body, Set<Violation> violations) {
    Set<ValidationMessage> messages = schema.validate(wideIntegersExact(body));
    Map<String, Set<String>> keywordsOf = new HashMap<>();
    for (ValidationMessage message : messages) {
      keywordsOf.computeIfAbsent(pointer(message), p -> new HashSet<>()).add(SchemaWording.keyword(message));
    }
    for (ValidationMessage message : messages) {
      String pointer = pointer(message);
      if (!SchemaWording.outranked(message, keywordsOf.get(pointer))) {
        violations.add(new Violation(pointer, SchemaWording.detail(message)));
      }
    }
    return violations;
  }

  /**
   * {@code body}, or a copy of it whose whole numbers beyond the 64-bit range written as decimals
   * (1.8446744073709551716e19, 18446744073709551716.0: the parser keeps them as BigDecimal) are integers. networknt
   * 1.5.9 compares a decimal with an integer {@code minimum} or {@code maximum} as its {@code longValue()}, which
   * wraps: 2^64 + 100 passed a maximum of 52428800 as 100, 1e19 failed a minimum of 1 (frontend tryout). An integer
   * it compares exactly, and every other keyword reads the two alike.
   */
  static JsonNode wideIntegersExact(JsonNode body) {
    return holdsWideInteger(body) ? exact(body.deepCopy()) : body;
  }

  private static boolean holdsWideInteger(JsonNode node) {
    if (node.isContainerNode()) {
      for (JsonNode value : node) {
        if (holdsWideInteger(value)) {
          return true;
        }
      }
      return false;
    }
    return wide(node);
  }

  private static boolean wide(JsonNode node) {
    if (!node.isBigDecimal()) {
      return false;
    }
    BigDecimal value = node.decimalValue();
    return value.compareTo(LONG_MIN) < 0 || value.compareTo(LONG_MAX) > 0;
  }

  private static JsonNode exact(JsonNode node) {
    if (wide(node)) {
      BigDecimal value = node.decimalValue();
      return value.stripTrailingZeros().scale() <= 0 ? BigIntegerNode.valueOf(value.toBigInteger()) : node;
    }
    if (node instanceof ObjectNode object) {
      object.fields().forEachRemaining(member -> member.setValue(exact(member.getValue())));
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, exact(array.get(i)));
      }
    }
    return node;
  }

  SchemaShortcut shortcut() {
    return shortcut;
  }

  /** Counts no further than {@code max}: a container whose members alone pass it is not walked. */
  static boolean holdsMoreValuesThan(JsonNode body, int max) {
    Deque<JsonNode> pending = new ArrayDeque<>();
    pending.push(body);
    int counted = 0;
    while (!pending.isEmpty()) {
      JsonNode node = pending.pop();
      counted++;
      if (node.isContainerNode()) {
        if (counted + node.size() > max) {
          return true;
        }
        node.elements().forEachRemaining(pending::push);
      }
    }
    return false;
  }

  /** The member a message is about: a missing or undeclared member's own pointer, not its parent's. */
  private static String pointer(ValidationMessage message) {
    String pointer = message.getInstanceLocation().toString();
    // RFC 6901: "" is the whole body ("/" would be a member whose name is empty)
    if (pointer.isEmpty() || "/".equals(pointer)) {
      pointer = "";
    }
    String property = message.getProperty();
    if (property != null && ("required".equals(message.getType()) || "additionalProperties".equals(message.getType())
        || "dependentRequired".equals(message.getType()))) {
      pointer = Violation.member(pointer, property);
    }
    return pointer;
  }
}
