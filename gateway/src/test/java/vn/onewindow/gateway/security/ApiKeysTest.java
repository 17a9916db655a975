package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The presentable-key loop decides as the regex {@code [\x21-\x7E]{8,256}} with {@code matches()}. */
class ApiKeysTest {
  private static final Pattern PRESENTABLE = Pattern.compile("[\\x21-\\x7E]{8,256}");

  @Property(tries = 2000)
  void presentableAgreesWithTheRegex(@ForAll("keys") String key) {
    assertThat(ApiKeys.isPresentable(key)).as("[%s]", key).isEqualTo(PRESENTABLE.matcher(key).matches());
  }

  @Provide
  Arbitrary<String> keys() {
    Arbitrary<String> shortKeys = Arbitraries.strings().withChars("aZ9!~ \t\u007F\u0080\u0000Ễ").ofMaxLength(12);
    Arbitrary<String> longKeys = Arbitraries.integers().between(250, 260).map("k"::repeat);
    return Arbitraries.oneOf(shortKeys, shortKeys, longKeys);
  }
}
