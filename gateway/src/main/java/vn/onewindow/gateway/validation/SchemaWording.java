package vn.onewindow.gateway.validation;

import static java.util.Map.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;
import java.util.Map;
import java.util.Set;

/**
 * The one place that words a schema violation for the API's user ({@code errors[].detail} of a 422). networknt's own
 * messages are kept except where they quote a regular expression or garble a format ("does not match the date-time
 * pattern must be a valid RFC 3339 date-time"): every pattern of the contract schemas is said in words
 * ({@code SchemaPatternsTest} holds the list complete), every format in use with an example. A pattern or a format
 * without words here keeps networknt's message, which quotes the pattern exactly as the schema writes it.
 */
final class SchemaWording {
  /** Each pattern of {@code config/schema}, as the schema writes it, and what a value must look like. */
  static final Map<String, String> PATTERNS = Map.ofEntries(
      entry(SchemaPatterns.NO_NUL, "must not contain the NUL character (U+0000)"),
      entry(SchemaPatterns.NAME, "must hold a visible name, without control characters or text-direction marks"),
      entry(SchemaPatterns.PROCEDURE_CODE, "must be a national procedure code: 1 or 2, a dot and 6 digits, optionally "
          + "followed by a dot and an agency code (for example 1.000894 or 1.001612.000.00.00.H48)"),
      entry(SchemaPatterns.AGENCY_CODE, "must be an agency code: 3 digits, 2 digits, 2 digits and a capital letter "
          + "with 2 digits, separated by dots (for example 000.00.53.H48)"),
      entry(SchemaPatterns.CITIZEN_ID, "must be exactly 12 digits"),
      entry(SchemaPatterns.TAX_CODE, "must be 10 digits, or 10 digits, a hyphen and 3 digits (for example 0101234567 "
          + "or 0101234567-001)"),
      entry(SchemaPatterns.PHONE, "must be 0 or +84 followed by 9 or 10 digits, without spaces (for example "
          + "0901234567 or +84901234567)"),
      entry(SchemaPatterns.EMAIL, "must be an e-mail address with one @ and a dot in its domain, without whitespace "
          + "or NUL characters (for example nguyen.van.thu@example.com)"),
      entry(SchemaPatterns.FORM_FIELD, "must start with an ASCII letter, followed by up to 63 ASCII letters, digits "
          + "or underscores"),
      entry(SchemaPatterns.SHA256_HEX, "must be a SHA-256 digest: 64 lower-case hexadecimal digits (0-9, a-f)"),
      entry(SchemaPatterns.STORAGE_URI, "must start with s3://, minio:// or https:// and contain no whitespace or NUL "
          + "character"),
      entry(SchemaPatterns.EVENT_TOKEN, "must be 1 to 128 characters, each an ASCII letter, a digit or one of . _ : -"));

  /** Each {@code format} the contract's bodies use (and the likely next ones), with an example. */
  static final Map<String, String> FORMATS = Map.of(
      "date-time", "must be an RFC 3339 date-time (for example 2026-11-23T09:12:44+07:00)",
      "date", "must be a date YYYY-MM-DD (for example 2026-11-23)",
      "time", "must be an RFC 3339 time (for example 09:12:44+07:00)",
      "email", "must be an e-mail address (for example nguyen.van.thu@example.com)",
      "uri", "must be an absolute URI (for example https://dichvucong.gov.vn/p/home)",
      "uri-reference", "must be a URI or a relative reference (for example /v1/procedures)",
      "uuid", "must be a UUID (for example 0b6c1f0e-8d9a-4c53-9d1e-6f3f7a2c9b10)");

  private static final String REGEX_MISMATCH = "does not match the regex pattern ";
  /** Stands for a failed {@code minLength} of 1 among a member's keywords: the value is empty. */
  static final String EMPTY = "minLength=1";

  private SchemaWording() {
  }

  /**
   * networknt's own words for a member the schema does not declare (its additionalProperties message, in English), for
   * the members it lets through unreported ({@link HashNamedMembers}).
   */
  static String undeclaredMember(String name) {
    return "property '" + name + "' is not defined in the schema and the schema does not allow additional properties";
  }

  /**
   * Whether another violation of the same member says more precisely what is wrong, so that this one is not listed
   * (a frontend shows one message per field): a wrong type makes every other keyword moot; an empty value
   * ({@code minLength} 1) is all a pattern or a format could say of it; the hub's words for a member's pattern say
   * what its {@code format} says, more precisely ("with one @ and a dot in its domain"). Anything else is kept, and
   * a member's remaining violations become one entry (HttpFailure.invalid).
   *
   * @param ofMember the keywords ({@code ValidationMessage.getType()}) of every violation of the same member,
   *                 {@link #EMPTY} standing for {@code minLength} 1
   */
  static boolean outranked(ValidationMessage message, Set<String> ofMember) {
    return switch (keyword(message)) {
      case "type" -> false;
      case "pattern" -> ofMember.contains("type") || ofMember.contains(EMPTY);
      case "format" -> ofMember.contains("type") || ofMember.contains(EMPTY) || ofMember.contains("pattern");
      default -> ofMember.contains("type");
    };
  }

  /** The message's keyword, {@link #EMPTY} for a {@code minLength} of 1. */
  static String keyword(ValidationMessage message) {
    Object[] args = message.getArguments();
    return "minLength".equals(message.getType()) && args != null && args.length > 0 && "1".equals(String.valueOf(
        args[0])) ? EMPTY : message.getType();
  }

  /** What is wrong with the member, without its pointer. */
  static String detail(ValidationMessage message) {
    Object[] args = message.getArguments() == null ? new Object[0] : message.getArguments();
    switch (message.getType()) {
      case "pattern" -> {
        String words = args.length > 0 ? PATTERNS.get(String.valueOf(args[0])) : null;
        if (words != null) {
          return words;
        }
      }
      case "format" -> {
        String name = args.length > 0 ? String.valueOf(args[0]) : "";
        // a date of the right shape naming no day: which part is wrong, as a formData date is told
        JsonNode value = message.getInstanceNode();
        if ("date".equals(name) && value != null && value.isTextual()) {
          String problem = CalendarDates.problem(value.textValue());
          if (problem != null) {
            return problem;
          }
        }
        String words = FORMATS.get(name);
        if (words != null) {
          return words;
        }
        // networknt's "does not match the uri pattern must be a valid RFC 3986 URI": keep what follows "pattern"
        String text = withoutPointer(message);
        String garbled = "does not match the " + name + " pattern ";
        return text.startsWith(garbled) && text.length() > garbled.length() ? text.substring(garbled.length()) : text;
      }
      case "minLength" -> {
        // networknt: "must be at least 1 characters long"
        if (args.length > 0 && "1".equals(String.valueOf(args[0]))) {
          return "must not be empty";
        }
      }
      case "propertyNames" -> {
        // networknt: "property 'x-y' name is not valid: does not match the regex pattern <the schema's pattern>"
        String nested = args.length > 1 ? String.valueOf(args[1]) : "";
        String words = nested.startsWith(REGEX_MISMATCH)
            ? PATTERNS.get(message.getSchemaNode().path("pattern").asText()) : null;
        if (words != null) {
          return "name '" + args[0] + "' is not valid: it " + words;
        }
      }
      default -> {
      }
    }
    return withoutPointer(message);
  }

  /** networknt's message without the instance location it starts with ("/applicant/phone: ..." or ": ..."). */
  private static String withoutPointer(ValidationMessage message) {
    String text = message.getMessage();
    int colon = text.indexOf(": ");
    if (text.startsWith(": ")) {
      return text.substring(2);
    }
    return colon > 0 && text.substring(0, colon).startsWith("/") ? text.substring(colon + 2) : text;
  }
}
