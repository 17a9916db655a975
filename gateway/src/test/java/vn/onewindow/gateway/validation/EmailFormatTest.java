package vn.onewindow.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Format;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The plain form {@link EmailFormat} accepts by itself is a subset of what networknt's email format (Apache Commons)
 * accepts, so the schema's answer never changes: checked on generated addresses near the plain form's boundaries
 * (dots, hyphens, quotes, unknown and local top-level domains, over-long parts).
 */
class EmailFormatTest {
  private static final Format NETWORKNT = new com.networknt.schema.format.EmailFormat();
  private final EmailFormat ours = new EmailFormat();

  @Property(tries = 3000)
  void thePlainFormIsAcceptedByNetworknt(@ForAll("addresses") String address) {
    boolean full = NETWORKNT.matches(null, address);
    Statistics.label("plain").collect(ours.isPlain(address));
    Statistics.label("networknt").collect(full);
    if (ours.isPlain(address)) {
      assertThat(full).as("plain but refused by networknt: [%s]", address).isTrue();
    }
    assertThat(ours.matches(null, address)).as("[%s]", address).isEqualTo(full);
    // the generator must reach both sides of both validators, or the property proves little
    Statistics.label("plain").coverage(c -> c.check(true).percentage(p -> p > 3));
    Statistics.label("networknt").coverage(c -> {
      c.check(true).percentage(p -> p > 5);
      c.check(false).percentage(p -> p > 10);
    });
  }

  @Test
  void plainAddressesAreDecidedByTheLoop() {
    assertThat(ours.isPlain("nguyen.van.thu@example.com")).isTrue();
    assertThat(ours.isPlain("thu_2+hs@so-tu-phap.hanoi.gov.vn")).isTrue();
    assertThat(ours.isPlain("a@b.invalidtld")).isFalse();
    assertThat(ours.matches(null, "a@b.invalidtld")).isFalse();
    assertThat(ours.isPlain("a..b@example.com")).isFalse();
    assertThat(ours.matches(null, "a..b@example.com")).isFalse();
  }

  @Test
  void whatThePlainFormLeavesOutIsStillDecidedByNetworknt() {
    assertThat(ours.isPlain("\"quoted user\"@example.com")).isFalse();
    assertThat(ours.matches(null, "\"quoted user\"@example.com")).isTrue();
    assertThat(ours.isPlain("o'neil@example.com")).isFalse();
    assertThat(ours.matches(null, "o'neil@example.com")).isTrue();
    assertThat(ours.matches(null, "user@[127.0.0.1]")).isTrue();
    assertThat(ours.matches(null, "user@localhost")).isEqualTo(NETWORKNT.matches(null, "user@localhost"));
  }

  @Provide
  Arbitrary<String> addresses() {
    Arbitrary<String> local = Arbitraries.strings().withChars("abZ09_+-.'\"\\ @").ofMinLength(0).ofMaxLength(6)
        .injectDuplicates(0.1);
    Arbitrary<String> plainLocal = Arbitraries.strings().withChars("ab09_+-.").ofMinLength(1).ofMaxLength(6);
    Arbitrary<String> longLocal = Arbitraries.integers().between(62, 66).map("u"::repeat);
    Arbitrary<String> label = Arbitraries.strings().withChars("ab09-_").ofMinLength(0).ofMaxLength(5);
    Arbitrary<String> longLabel = Arbitraries.integers().between(62, 65).map("d"::repeat);
    Arbitrary<String> tld = Arbitraries.of("com", "vn", "org", "VN", "Com", "xyz", "zz", "comx", "c0m", "localhost",
        "localdomain", "", "-vn", "vn-", "xn--p1ai");
    Arbitrary<String> labels = Arbitraries.oneOf(label, label, longLabel).list().ofMinSize(0).ofMaxSize(3)
        .map(list -> String.join(".", list));
    Arbitrary<String> domain = Combinators.combine(labels, tld, Arbitraries.of("", ".", ".."))
        .as((l, t, trail) -> (l.isEmpty() ? "" : l + ".") + t + trail);
    Arbitrary<String> longDomain = Arbitraries.integers().between(3, 5).map(n -> (longLabel(60) + ".").repeat(n)
        + "vn");
    return Combinators.combine(Arbitraries.oneOf(local, plainLocal, plainLocal, longLocal), Arbitraries.of("@", "@", "@", "@@", ""),
        Arbitraries.oneOf(domain, domain, domain, longDomain)).as((l, at, d) -> l + at + d);
  }

  private static String longLabel(int n) {
    return "e".repeat(n);
  }
}
