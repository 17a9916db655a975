package vn.onewindow.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.regex.JDKRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.events.EventHandler;

/**
 * Each hand-written matcher of {@link SchemaPatterns} decides as java.util.regex does under networknt ({@code find()})
 * on strings near the pattern's valid shapes: valid examples with up to three characters replaced, inserted or
 * deleted from an alphabet of digits, letters, separators, line terminators, NUL and non-ASCII digits and letters.
 */
class SchemaPatternsTest {
  private static final char[] ALPHABET = {'0', '1', '2', '5', '9', '.', '-', '+', '_', ':', '@', '/', 'A', 'H', 'Z',
      'a', 'f', 'g', 'z', 's', '3', 'h', 't', 'p', 'm', 'i', 'n', 'o', ' ', '\t', '\n', '\r', '\u000B', '\f',
      '\u0000', '\u0085', '\u2028', 'Ễ', '\u0663', '\uFF11'};

  @Property(tries = 3000)
  void procedureCodes(@ForAll("procedureCodes") String s) {
    assertAgrees(SchemaPatterns.PROCEDURE_CODE, s);
  }

  @Property(tries = 2000)
  void agencyCodes(@ForAll("agencyCodes") String s) {
    assertAgrees(SchemaPatterns.AGENCY_CODE, s);
  }

  @Property(tries = 2000)
  void citizenIds(@ForAll("citizenIds") String s) {
    assertAgrees(SchemaPatterns.CITIZEN_ID, s);
  }

  @Property(tries = 2000)
  void taxCodes(@ForAll("taxCodes") String s) {
    assertAgrees(SchemaPatterns.TAX_CODE, s);
  }

  @Property(tries = 3000)
  void phones(@ForAll("phones") String s) {
    assertAgrees(SchemaPatterns.PHONE, s);
  }

  @Property(tries = 3000)
  void emails(@ForAll("emails") String s) {
    assertAgrees(SchemaPatterns.EMAIL, s);
  }

  @Property(tries = 2000)
  void formFields(@ForAll("formFields") String s) {
    assertAgrees(SchemaPatterns.FORM_FIELD, s);
  }

  @Property(tries = 2000)
  void sha256Hex(@ForAll("sha256Hex") String s) {
    assertAgrees(SchemaPatterns.SHA256_HEX, s);
  }

  @Property(tries = 3000)
  void storageUris(@ForAll("storageUris") String s) {
    assertAgrees(SchemaPatterns.STORAGE_URI, s);
  }

  @Property(tries = 2000)
  void eventTokens(@ForAll("eventTokens") String s) {
    assertAgrees(SchemaPatterns.EVENT_TOKEN, s);
  }

  @Property(tries = 3000)
  void noNul(@ForAll("texts") String s) {
    assertAgrees(SchemaPatterns.NO_NUL, s);
  }

  @Property(tries = 3000)
  void names(@ForAll("names") String s) {
    assertAgrees(SchemaPatterns.NAME, s);
  }

  /** Every pattern of both contract schemas has its matcher, spelled exactly as in the schema. */
  @Test
  void everySchemaPatternIsHandWritten() throws IOException {
    assertThat(SchemaPatterns.HAND_WRITTEN.keySet()).containsAll(schemaPatterns());
  }

  /** ...and is said in words to the API's user: a 422 never quotes a regular expression (see SchemaWording). */
  @Test
  void everySchemaPatternIsSaidInWords() throws IOException {
    assertThat(SchemaWording.PATTERNS.keySet()).containsAll(schemaPatterns());
    assertThat(SchemaWording.PATTERNS.values()).allSatisfy(words -> assertThat(words).startsWith("must ")
        .doesNotContain("\\").doesNotContain("(?").doesNotContain("^["));
  }

  private Set<String> schemaPatterns() throws IOException {
    Set<String> patterns = new TreeSet<>();
    for (String schema : List.of(DossierValidator.SCHEMA_RESOURCE, EventHandler.SCHEMA_RESOURCE)) {
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(schema)) {
        collectPatterns(new ObjectMapper().readTree(in), patterns);
      }
    }
    assertThat(patterns).isNotEmpty();
    return patterns;
  }

  @Test
  void aPatternNotListedIsLeftToJavaUtilRegex() {
    RegularExpression other = new SchemaPatterns().getRegularExpression("^\\d{12}$");
    assertThat(other.matches("123456789012\n")).isTrue();
    assertThat(new SchemaPatterns().getRegularExpression(SchemaPatterns.CITIZEN_ID).matches("123456789012\n"))
        .isFalse();
  }

  private static void assertAgrees(String pattern, String s) {
    boolean jdk = JDKRegularExpressionFactory.getInstance().getRegularExpression(pattern).matches(s);
    boolean ours = new SchemaPatterns().getRegularExpression(pattern).matches(s);
    assertThat(ours).as("%s on [%s]", pattern, s.replace("\u0000", "\\0").replace("\n", "\\n")).isEqualTo(jdk);
  }

  private static void collectPatterns(JsonNode node, Set<String> into) {
    if (node.isObject()) {
      JsonNode pattern = node.get("pattern");
      if (pattern != null && pattern.isTextual()) {
        into.add(pattern.asText());
      }
    }
    node.forEach(child -> collectPatterns(child, into));
  }

  @Provide
  Arbitrary<String> procedureCodes() {
    return near("1.001612", "2.000894", "1.001612.000.00.00.H48", "2.123456.789.01.23.Z99");
  }

  @Provide
  Arbitrary<String> agencyCodes() {
    return near("000.00.53.H48", "999.99.99.A00");
  }

  @Provide
  Arbitrary<String> citizenIds() {
    return near("000000000001", "123456789012");
  }

  @Provide
  Arbitrary<String> taxCodes() {
    return near("0101234567", "0101234567-001");
  }

  @Provide
  Arbitrary<String> phones() {
    return near("0900000001", "09000000012", "+84900000001", "+849000000012", "0+84900000001");
  }

  @Provide
  Arbitrary<String> emails() {
    return near("a@b.c", "nguyen.van.thu@example.com", "x@.b.c", "a@b.", "@b.c", "a@@b.c");
  }

  @Provide
  Arbitrary<String> formFields() {
    return near("a", "childFullName", "A" + "b_9".repeat(21), "Z" + "x".repeat(62));
  }

  @Provide
  Arbitrary<String> sha256Hex() {
    return near("89dcd94663d07930516c1d143898897ef7f77d2218247d425c403b567c5fa6d6", "0".repeat(64));
  }

  @Provide
  Arbitrary<String> storageUris() {
    return near("s3://onewindow/2026/a.pdf", "https://x", "minio://a/b", "s3://", "https:/x", "httpss://x");
  }

  @Provide
  Arbitrary<String> eventTokens() {
    return near("evt-1:2.3_4", "a", "k".repeat(128), "k".repeat(127));
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.strings().withChars('\u0000', '\u001B', '\u001F', ' ', '\t', '\n', '\u007F', '\u0085', '\u009F',
        '\u00A0', '\u2028', '\u2029', '\u202A', '\u202E', '\u202F', '\u2065', '\u2066', '\u2069', '\u206A', 'a', 'Ễ')
        .ofMaxLength(6);
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings().withChars('\u0000', '\n', '\r', '\u0085', '\u2028', 'a', 'Ễ', ' ', '$', '^')
        .ofMaxLength(8);
  }

  /** A valid example with up to three edits: replace, insert or delete a character, or append one. */
  private static Arbitrary<String> near(String... examples) {
    Arbitrary<Tuple2<Integer, Integer>> position = Combinators.combine(Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 200)).as(Tuple::of);
    Arbitrary<List<Tuple2<Tuple2<Integer, Integer>, Character>>> edits = Combinators.combine(position,
        Arbitraries.of(box(ALPHABET))).as(Tuple::of).list().ofMaxSize(3);
    return Combinators.combine(Arbitraries.of(examples), edits).as((example, list) -> {
      StringBuilder s = new StringBuilder(example);
      for (Tuple2<Tuple2<Integer, Integer>, Character> edit : list) {
        int kind = edit.get1().get1();
        int at = edit.get1().get2() % (s.length() + 1);
        char c = edit.get2();
        if (kind == 0 && at < s.length()) {
          s.setCharAt(at, c);
        } else if (kind == 1) {
          s.insert(at, c);
        } else if (kind == 2 && at < s.length()) {
          s.deleteCharAt(at);
        } else {
          s.append(c);
        }
      }
      return s.toString();
    });
  }

  private static List<Character> box(char[] chars) {
    List<Character> boxed = new ArrayList<>(chars.length);
    for (char c : chars) {
      boxed.add(c);
    }
    return boxed;
  }
}
