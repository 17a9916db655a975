package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The receipt times' text is Instant.toString's, whether the second was written before or not. */
class InstantTextTest {

  @Property(tries = 3000)
  void sameAsTheJdk(@ForAll("instants") Instant instant) {
    assertThat(InstantText.of(instant)).isEqualTo(instant.toString());
  }

  /** Several instants of one second, then of the next and back: the kept second is reused and replaced. */
  @Property(tries = 300)
  void sameAsTheJdkWithinAndAcrossSeconds(@ForAll("seconds") long second, @ForAll @IntRange(max = 999) int millis) {
    for (long s : new long[] {second, second, second + 1, second}) {
      for (Instant instant : new Instant[] {Instant.ofEpochSecond(s), Instant.ofEpochSecond(s, millis * 1_000_000L),
          Instant.ofEpochSecond(s, 999_000_000L), Instant.ofEpochSecond(s, millis * 1_000L + 1)}) {
        assertThat(InstantText.of(instant)).isEqualTo(instant.toString());
      }
    }
  }

  /** Any second Instant holds (years before 0 and after 9999 are written differently) and any fraction. */
  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.just(0),
        Arbitraries.integers().between(0, 999).map(millis -> millis * 1_000_000),
        Arbitraries.integers().between(0, 999_999).map(micros -> micros * 1_000),
        Arbitraries.integers().between(0, 999_999_999));
    return seconds().flatMap(second -> nanos.map(nano -> Instant.ofEpochSecond(second, nano)));
  }

  @Provide
  Arbitrary<Long> seconds() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(1_600_000_000L, 2_000_000_000L), // around now
        Arbitraries.longs().between(-62_167_219_300L, -62_167_219_100L), // year 0 and -1
        Arbitraries.longs().between(253_402_300_700L, 253_402_300_900L), // year 9999 and 10000
        Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond() - 1));
  }
}
