package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The token loop decides as the regex {@code [A-Za-z0-9._:-]{min,max}} with {@code matches()} would. */
class SafeTokensTest {
  @Property(tries = 3000)
  void agreesWithTheRegex(@ForAll("tokens") String token, @ForAll @IntRange(min = 0, max = 4) int min,
                          @ForAll @IntRange(min = 4, max = 9) int max) {
    boolean regex = Pattern.compile("[A-Za-z0-9._:-]{" + min + "," + max + "}").matcher(token).matches();
    assertThat(SafeTokens.isSafe(token, min, max)).as("[%s] %d..%d", token, min, max).isEqualTo(regex);
  }

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.strings().withChars("aZ09._:-/ \n\u0000Ễ@+").ofMaxLength(11);
  }
}
