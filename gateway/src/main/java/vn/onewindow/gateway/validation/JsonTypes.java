package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;

/** JSON Schema's types as bits, for {@link SchemaShortcut}'s "type" keyword: one mask test per value. */
final class JsonTypes {
  private static final int OBJECT_BIT = 1;
  private static final int ARRAY_BIT = 2;
  private static final int STRING_BIT = 4;
  private static final int BOOLEAN_BIT = 8;
  private static final int NULL_BIT = 16;
  private static final int INTEGER_BIT = 32;
  private static final int NUMBER_BIT = 64;

  private JsonTypes() {
  }

  /**
   * The bits a "type" keyword's argument accepts; negative when it is not a type name or a list of them. "number" takes
   * integers too. A decimal such as 1.0 is an integer to the library; {@link #of} calls it a number, so the shortcut
   * leaves it to the library.
   */
  static int accepted(JsonNode arg) {
    int allowed = 0;
    if (arg.isTextual()) {
      allowed = bit(arg.textValue());
    } else if (arg.isArray()) {
      for (JsonNode t : arg) {
        allowed |= bit(t.asText());
      }
    } else {
      return -1;
    }
    return allowed < 0 ? -1 : (allowed & NUMBER_BIT) != 0 ? allowed | INTEGER_BIT : allowed;
  }

  /** The value's type bit: integral numbers are integers, all other numbers numbers. */
  static int of(JsonNode value) {
    return switch (value.getNodeType()) {
      case OBJECT -> OBJECT_BIT;
      case ARRAY -> ARRAY_BIT;
      case STRING -> STRING_BIT;
      case BOOLEAN -> BOOLEAN_BIT;
      case NULL -> NULL_BIT;
      case NUMBER -> value.isIntegralNumber() ? INTEGER_BIT : NUMBER_BIT;
      default -> 0;
    };
  }

  /** A type name's bit; negative for a name JSON Schema does not have. */
  private static int bit(String name) {
    return switch (name) {
      case "object" -> OBJECT_BIT;
      case "array" -> ARRAY_BIT;
      case "string" -> STRING_BIT;
      case "boolean" -> BOOLEAN_BIT;
      case "null" -> NULL_BIT;
      case "integer" -> INTEGER_BIT;
      case "number" -> NUMBER_BIT;
      default -> Integer.MIN_VALUE;
    };
  }
}
