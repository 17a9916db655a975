package vn.onewindow.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.regex.JDKRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The schema's "no NUL" pattern decides as java.util.regex would, and every other pattern is left to it. */
class SchemaPatternsTest {
  private static final RegularExpression JDK = JDKRegularExpressionFactory.getInstance()
      .getRegularExpression(SchemaPatterns.NO_NUL);
  private static final RegularExpression OURS = new SchemaPatterns().getRegularExpression(SchemaPatterns.NO_NUL);

  @Property(tries = 3000)
  void noNulAgreesWithJavaUtilRegex(@ForAll("texts") String text) {
    assertThat(OURS.matches(text)).as("%s", text.replace("\u0000", "\\0")).isEqualTo(JDK.matches(text));
  }

  @Test
  void theSchemaStillNamesThePattern() throws Exception {
    String schema = new String(getClass().getClassLoader().getResourceAsStream(DossierValidator.SCHEMA_RESOURCE)
        .readAllBytes(), StandardCharsets.UTF_8);
    assertThat(schema).contains("\"" + SchemaPatterns.NO_NUL.replace("\\", "\\\\") + "\"");
    assertThat(new SchemaPatterns().getRegularExpression("^\\d{12}(?![\\s\\S])").matches("123456789012\n"))
        .isFalse();
  }

  /** Strings over an alphabet of NUL, line terminators, Vietnamese letters and ASCII. */
  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings().withChars('\u0000', '\n', '\r', '\u0085', '\u2028', 'a', 'Ễ', ' ', '$', '^')
        .ofMaxLength(8);
  }
}
