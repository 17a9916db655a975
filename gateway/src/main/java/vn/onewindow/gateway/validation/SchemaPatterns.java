package vn.onewindow.gateway.validation;

import com.networknt.schema.regex.JDKRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.Map;
import vn.onewindow.common.agency.AgencyCode;
import vn.onewindow.common.dossier.CitizenId;
import vn.onewindow.common.infra.Ascii;
import vn.onewindow.gateway.http.SafeTokens;

/**
 * The schema validator's regular expressions: java.util.regex (networknt's default, which matches with {@code find()})
 * for any pattern not listed here; the contract schemas' own patterns are decided by hand-written matchers that give
 * the same answer as that engine for every string. Why: a dossier runs about fifteen of them (codes, identifiers,
 * hashes, form field names, the NUL check on every free-text string), and the regex walks were the largest single
 * cost inside schema validation in a profile of the gateway (about a tenth of its CPU per dossier). The published
 * schema keeps its patterns; a pattern changed there falls back to java.util.regex, never to a stale matcher.
 * {@code SchemaPatternsTest} holds each matcher to java.util.regex on generated strings.
 *
 * <p>Reading the patterns: under {@code find()}, {@code ^} anchors at the start of the input (no MULTILINE), {@code
 * (?![\s\S])} is the end of input, {@code \d} is ASCII 0-9 and {@code \s} is [ \t\n\x0B\f\r]. {@code $} (only in the
 * NUL check) also matches before a final line terminator, which changes nothing there: a string without NUL matches
 * whole.
 */
final class SchemaPatterns implements RegularExpressionFactory {
  static final String NO_NUL = "^[^\\u0000]*$";
  static final String PROCEDURE_CODE = "^[12]\\.\\d{6}(\\.\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2})?(?![\\s\\S])";
  static final String AGENCY_CODE = "^\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2}(?![\\s\\S])";
  static final String CITIZEN_ID = "^\\d{12}(?![\\s\\S])";
  static final String TAX_CODE = "^\\d{10}(-\\d{3})?(?![\\s\\S])";
  static final String PHONE = "^(0|\\+84)\\d{9,10}(?![\\s\\S])";
  static final String EMAIL = "^[^\\s@\\u0000]+@[^\\s@\\u0000]+\\.[^\\s@\\u0000]+(?![\\s\\S])";
  static final String FORM_FIELD = "^[A-Za-z][A-Za-z0-9_]{0,63}(?![\\s\\S])";
  static final String SHA256_HEX = "^[a-f0-9]{64}(?![\\s\\S])";
  static final String STORAGE_URI = "^(s3|https|minio)://[^\\s\\u0000]+(?![\\s\\S])";
  static final String EVENT_TOKEN = "^[A-Za-z0-9._:-]{1,128}(?![\\s\\S])";
  /** A person's or business's name: something visible, and no control or text-direction character (see isName). */
  static final String NAME = "^ *[^ \\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]"
      + "[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*(?![\\s\\S])";

  /** Every pattern of the contract schemas with its hand-written matcher. */
  static final Map<String, RegularExpression> HAND_WRITTEN = Map.ofEntries(
      Map.entry(NO_NUL, value -> value.indexOf('\u0000') < 0),
      Map.entry(PROCEDURE_CODE, SchemaPatterns::isProcedureCode),
      Map.entry(AGENCY_CODE, AgencyCode::isWellFormed),
      Map.entry(CITIZEN_ID, CitizenId::isWellFormed),
      Map.entry(TAX_CODE, SchemaPatterns::isTaxCode),
      Map.entry(PHONE, SchemaPatterns::isPhone),
      Map.entry(EMAIL, SchemaPatterns::isEmailShape),
      Map.entry(FORM_FIELD, SchemaPatterns::isFormField),
      Map.entry(SHA256_HEX, SchemaPatterns::isSha256Hex),
      Map.entry(STORAGE_URI, SchemaPatterns::isStorageUri),
      Map.entry(EVENT_TOKEN, value -> SafeTokens.isSafe(value, 1, 128)),
      Map.entry(NAME, SchemaPatterns::isName));

  @Override
  public RegularExpression getRegularExpression(String regex) {
    RegularExpression hand = HAND_WRITTEN.get(regex);
    return hand != null ? hand : JDKRegularExpressionFactory.getInstance().getRegularExpression(regex);
  }

  /** {@code 1.001612} or {@code 1.001612.000.00.00.H48}. */
  private static boolean isProcedureCode(String s) {
    int n = s.length();
    if (n != 8 && n != 22) {
      return false;
    }
    boolean head = (s.charAt(0) == '1' || s.charAt(0) == '2') && s.charAt(1) == '.' && Ascii.isDigits(s, 2, 8);
    return head && (n == 8 || s.charAt(8) == '.' && AgencyCode.isWellFormed(s.substring(9)));
  }

  private static boolean isTaxCode(String s) {
    int n = s.length();
    return n == 10 && Ascii.isDigits(s, 0, 10)
        || n == 14 && Ascii.isDigits(s, 0, 10) && s.charAt(10) == '-' && Ascii.isDigits(s, 11, 14);
  }

  /** {@code 0} or {@code +84}, then 9 or 10 digits. */
  private static boolean isPhone(String s) {
    int from = s.startsWith("0") ? 1 : s.startsWith("+84") ? 3 : -1;
    int digits = s.length() - from;
    return from > 0 && (digits == 9 || digits == 10) && Ascii.isDigits(s, from, s.length());
  }

  /** One {@code @}, something before it, and after it a dot with something on both sides; no space or NUL. */
  private static boolean isEmailShape(String s) {
    int at = s.indexOf('@');
    if (at < 1 || s.indexOf('@', at + 1) >= 0) {
      return false;
    }
    if (!hasNoSpaceOrNul(s, 0)) {
      return false;
    }
    int dot = s.indexOf('.', at + 2);
    return dot > 0 && dot < s.length() - 1;
  }

  private static boolean isFormField(String s) {
    int n = s.length();
    if (n < 1 || n > 64 || !Ascii.isLetter(s.charAt(0))) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = s.charAt(i);
      if (!Ascii.isLetterOrDigit(c) && c != '_') {
        return false;
      }
    }
    return true;
  }

  private static boolean isSha256Hex(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!Ascii.isDigit(c) && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isStorageUri(String s) {
    int from = s.startsWith("s3://") ? 5 : s.startsWith("https://") ? 8 : s.startsWith("minio://") ? 8 : -1;
    return from >= 0 && s.length() > from && hasNoSpaceOrNul(s, from);
  }

  /**
   * Not only spaces, and none of C0, DEL, C1 or the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
   * U+2066-U+2069): a name shown to officers and printed on a receipt must not be blank, and must not reorder the
   * text around it (a security tryout's names with an escape sequence and U+202E were accepted).
   */
  private static boolean isName(String s) {
    boolean visible = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= '\u001F' || c >= '\u007F' && c <= '\u009F' || c >= '\u202A' && c <= '\u202E'
          || c >= '\u2066' && c <= '\u2069') {
        return false;
      }
      visible |= c != ' ';
    }
    return visible;
  }

  /** {@code [^\s\u0000]*} from {@code from} to the end. */
  private static boolean hasNoSpaceOrNul(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      if (isRegexSpace(s.charAt(i)) || s.charAt(i) == '\u0000') {
        return false;
      }
    }
    return true;
  }

  /** java.util.regex's {@code \s} without UNICODE_CHARACTER_CLASS. */
  private static boolean isRegexSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }
}
