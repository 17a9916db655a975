package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.regex.RegularExpression;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Decides, in one walk of the tree, that a body is valid under a contract schema, for the bodies valid clients send;
 * every body it is not sure of goes to the maintained validator (networknt), which also words every 422. Why: the
 * library's walk of a valid dossier (keyword objects, paths, message sets) was about a tenth of the gateway's CPU per
 * dossier in a profile, and nearly every dossier on a deadline day is valid.
 *
 * <p>Only "valid" is trusted: a body the shortcut calls valid is one the library finds nothing wrong with; it never
 * decides that a body is invalid, so the 422s are the library's, word for word. To keep that so, it understands a
 * small set of keywords exactly as the library applies them (types, enum and const of strings, required, properties,
 * additionalProperties, propertyNames, the size keywords, integer bounds, the contract's patterns through the same
 * {@link SchemaPatterns}, plain e-mail addresses through {@link EmailFormat#isPlain}, items, allOf, if/then/else),
 * and a schema object holding any other keyword, or a value it does not model (a decimal against an integer bound,
 * another format), is "not sure". {@code SchemaShortcutTest} holds it to the library on mutated bodies.
 */
final class SchemaShortcut {
  /** What the shortcut knows of a value under a schema. INVALID only where the library surely reports an error. */
  enum Verdict { VALID, INVALID, UNSURE }

  /** One keyword's (or keyword group's) check of a value. */
  private interface Check {
    Verdict of(JsonNode value);
  }

  /** The dialect the shortcut models, the contract schemas' (JsonSchemas loads them as 2020-12). */
  private static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
  /** Keywords that only annotate: the library reports nothing for them. */
  private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment", "title", "description",
      "examples", "default");
  private static final Check UNSURE = value -> Verdict.UNSURE;
  private static final Check VALID = value -> Verdict.VALID;
  /** The keywords about an object's members, checked in one walk of them ({@code members}). */
  private static final List<String> MEMBER_KEYWORDS = List.of("properties", "additionalProperties", "propertyNames",
      "patternProperties");

  private final Check root;

  private SchemaShortcut(Check root) {
    this.root = root;
  }

  static SchemaShortcut of(JsonNode schema, SchemaPatterns patterns, EmailFormat email) {
    return new SchemaShortcut(new Compiler(patterns, email).schema(schema));
  }

  /** True only when the library would report no violation for {@code body}. */
  boolean surelyValid(JsonNode body) {
    return root.of(body) == Verdict.VALID;
  }

  Verdict verdict(JsonNode body) {
    return root.of(body);
  }

  private record Compiler(SchemaPatterns patterns, EmailFormat email) {
    Check schema(JsonNode schema) {
      if (schema.isBoolean()) {
        return schema.booleanValue() ? VALID : UNSURE;
      }
      if (!schema.isObject()) {
        return UNSURE;
      }
      List<Check> checks = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> keyword = it.next();
        if ("$schema".equals(keyword.getKey()) && !DIALECT.equals(keyword.getValue().asText())) {
          // another draft for this part of the schema: the library applies that draft's rules, not modelled here
          return UNSURE;
        }
        if (ANNOTATIONS.contains(keyword.getKey())) {
          continue;
        }
        Check check = keyword(keyword.getKey(), keyword.getValue(), schema);
        if (check == null) {
          // a keyword the shortcut does not model: nothing under this schema is sure
          return UNSURE;
        }
        checks.add(check);
      }
      if (MEMBER_KEYWORDS.stream().anyMatch(schema::has)) {
        Check members = members(schema);
        if (members == null) {
          return UNSURE;
        }
        checks.add(members);
      }
      return all(checks);
    }

    /** The check of one keyword; null when the shortcut does not model it (or this use of it). */
    private Check keyword(String name, JsonNode arg, JsonNode schema) {
      return switch (name) {
        case "type" -> type(arg);
        case "enum" -> strings(arg);
        case "const" -> arg.isTextual() ? strings(JsonNodeFactory.instance.arrayNode().add(arg)) : null;
        case "required" -> required(arg);
        // one walk of the members for all of these, added by schema()
        case "properties", "additionalProperties", "propertyNames", "patternProperties" -> VALID;
        case "minProperties" -> size(arg, JsonNode::isObject, true);
        case "maxProperties" -> size(arg, JsonNode::isObject, false);
        case "minItems" -> size(arg, JsonNode::isArray, true);
        case "maxItems" -> size(arg, JsonNode::isArray, false);
        case "minLength" -> length(arg, true);
        case "maxLength" -> length(arg, false);
        case "minimum" -> bound(arg, true);
        case "maximum" -> bound(arg, false);
        case "pattern" -> pattern(arg);
        case "format" -> "email".equals(arg.asText(null))
            ? value -> value.isTextual() && email.isPlain(value.textValue()) ? Verdict.VALID : Verdict.UNSURE
            : null;
        case "items" -> items(arg);
        case "allOf" -> allOf(arg);
        case "if" -> conditional(arg, schema.get("then"), schema.get("else"));
        // read by "if"; without an "if" the library ignores them
        case "then", "else" -> VALID;
        default -> null;
      };
    }

    /** A test of a bit mask per value ({@link JsonTypes}), no lookup. */
    private static Check type(JsonNode arg) {
      int accepted = JsonTypes.accepted(arg);
      return accepted < 0 ? null
          : value -> (JsonTypes.of(value) & accepted) != 0 ? Verdict.VALID : Verdict.UNSURE;
    }

    /** enum or const of strings: a string is surely in or surely out; anything else is left to the library. */
    private static Check strings(JsonNode arg) {
      Set<String> allowed = new HashSet<>();
      for (JsonNode v : arg) {
        if (!v.isTextual()) {
          return null;
        }
        allowed.add(v.textValue());
      }
      return value -> !value.isTextual() ? Verdict.UNSURE
          : allowed.contains(value.textValue()) ? Verdict.VALID : Verdict.INVALID;
    }

    private static Check required(JsonNode arg) {
      List<String> names = new ArrayList<>();
      arg.forEach(n -> names.add(n.asText()));
      return value -> {
        if (!value.isObject()) {
          return Verdict.VALID;
        }
        for (String name : names) {
          if (!value.has(name)) {
            return Verdict.INVALID;
          }
        }
        return Verdict.VALID;
      };
    }

    /** properties, additionalProperties and propertyNames in one walk of an object's members. */
    private Check members(JsonNode schema) {
      if (schema.has("patternProperties")) {
        return null;
      }
      Map<String, Check> properties = new HashMap<>();
      schema.path("properties").fields().forEachRemaining(p -> properties.put(p.getKey(), schema(p.getValue())));
      Check additional = schema.has("additionalProperties") ? schema(schema.get("additionalProperties")) : VALID;
      Check names = schema.has("propertyNames") ? schema(schema.get("propertyNames")) : null;
      return value -> {
        if (!value.isObject()) {
          return Verdict.VALID;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> member = it.next();
          if (names != null && names.of(TextNode.valueOf(member.getKey())) != Verdict.VALID) {
            return Verdict.UNSURE;
          }
          Check declared = properties.get(member.getKey());
          Verdict verdict = (declared != null ? declared : additional).of(member.getValue());
          // an undeclared member's failure is only "unsure": the shortcut is exact for declared ones alone
          if (verdict != Verdict.VALID) {
            return declared != null ? verdict : Verdict.UNSURE;
          }
        }
        return Verdict.VALID;
      };
    }

    private static Check size(JsonNode arg, Predicate<JsonNode> applies, boolean min) {
      if (!isWholeInt(arg)) {
        return null;
      }
      int limit = arg.intValue();
      return value -> !applies.test(value) || (min ? value.size() >= limit : value.size() <= limit)
          ? Verdict.VALID : Verdict.UNSURE;
    }

    /** In code points, as the library counts. */
    private static Check length(JsonNode arg, boolean min) {
      if (!isWholeInt(arg)) {
        return null;
      }
      int limit = arg.intValue();
      return value -> {
        if (!value.isTextual()) {
          return Verdict.VALID;
        }
        String s = value.textValue();
        int length = s.codePointCount(0, s.length());
        return (min ? length >= limit : length <= limit) ? Verdict.VALID : Verdict.UNSURE;
      };
    }

    /**
     * A size or length limit the library reads as that number; any other is not modelled (1.5: the library's maxItems
     * is then 0, not 1; 2^32 + 1 would be cut to an int).
     */
    private static boolean isWholeInt(JsonNode arg) {
      return arg.canConvertToExactIntegral() && arg.canConvertToInt();
    }

    /** An integer bound, for integer values; a decimal value is left to the library. */
    private static Check bound(JsonNode arg, boolean min) {
      if (!arg.isIntegralNumber() || !arg.canConvertToLong()) {
        return null;
      }
      long limit = arg.longValue();
      return value -> {
        if (!value.isNumber()) {
          return Verdict.VALID;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
          return Verdict.UNSURE;
        }
        long v = value.longValue();
        return (min ? v >= limit : v <= limit) ? Verdict.VALID : Verdict.UNSURE;
      };
    }

    /** The same matcher the library is given for this pattern (hand-written or java.util.regex). */
    private Check pattern(JsonNode arg) {
      if (!arg.isTextual()) {
        return null;
      }
      RegularExpression regex = patterns.getRegularExpression(arg.textValue());
      return value -> !value.isTextual() || regex.matches(value.textValue()) ? Verdict.VALID : Verdict.UNSURE;
    }

    private Check items(JsonNode arg) {
      if (!arg.isObject() && !arg.isBoolean()) {
        return null;
      }
      Check item = schema(arg);
      return value -> {
        if (!value.isArray()) {
          return Verdict.VALID;
        }
        for (JsonNode element : value) {
          Verdict verdict = item.of(element);
          if (verdict != Verdict.VALID) {
            return verdict;
          }
        }
        return Verdict.VALID;
      };
    }

    private Check allOf(JsonNode arg) {
      if (!arg.isArray()) {
        return null;
      }
      List<Check> parts = new ArrayList<>();
      arg.forEach(part -> parts.add(schema(part)));
      return all(parts);
    }

    /** The condition must be sure either way: an unsure condition leaves the whole to the library. */
    private Check conditional(JsonNode condition, JsonNode then, JsonNode otherwise) {
      Check test = schema(condition);
      Check onTrue = then == null ? VALID : schema(then);
      Check onFalse = otherwise == null ? VALID : schema(otherwise);
      return value -> switch (test.of(value)) {
        case VALID -> onTrue.of(value);
        case INVALID -> onFalse.of(value);
        case UNSURE -> Verdict.UNSURE;
      };
    }

    /**
     * Every check must pass; the first that does not decides (an INVALID is the library's error too, whatever the
     * rest say; an UNSURE leaves the whole to the library).
     */
    private static Check all(List<Check> checks) {
      Check[] each = checks.toArray(new Check[0]);
      return value -> {
        for (Check check : each) {
          Verdict verdict = check.of(value);
          if (verdict != Verdict.VALID) {
            return verdict;
          }
        }
        return Verdict.VALID;
      };
    }
  }
}
