package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.TrustedProxies;
import vn.onewindow.common.config.TrustedProxies.Header;

/** Whose address a request counts against, without servers: the TCP peer, or the hop a trusted proxy names. */
class CallerAddressTest {
  private static final CallerAddress NO_PROXY = new CallerAddress(TrustedProxies.of(List.of(), Header.X_FORWARDED_FOR));
  private static final CallerAddress BEHIND_PROXIES = new CallerAddress(
      TrustedProxies.of(List.of("127.0.0.1", "10.0.0.0/8", "fd00::/8"), Header.X_FORWARDED_FOR));
  private static final CallerAddress FORWARDED = new CallerAddress(
      TrustedProxies.of(List.of("127.0.0.1"), Header.FORWARDED));

  @Test
  void shouldIgnoreForwardingHeadersUnlessThePeerIsATrustedProxy() {
    assertThat(resolve(NO_PROXY, "198.51.100.20", "203.0.113.7")).isEqualTo("198.51.100.20");
    assertThat(resolve(BEHIND_PROXIES, "192.0.2.1", "203.0.113.7")).as("an untrusted peer").isEqualTo("192.0.2.1");
    assertThat(resolve(BEHIND_PROXIES, "127.0.0.1", "203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(resolve(BEHIND_PROXIES, "::ffff:127.0.0.1", "203.0.113.7")).as("IPv4-mapped peer")
        .isEqualTo("203.0.113.7");
  }

  @Test
  void shouldTakeTheRightMostAddressThatIsNoTrustedProxy() {
    assertThat(resolve(BEHIND_PROXIES, "127.0.0.1", "198.51.100.1, 203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(resolve(BEHIND_PROXIES, "127.0.0.1", "198.51.100.1, 203.0.113.7, 10.1.2.3")).as("two proxies")
        .isEqualTo("203.0.113.7");
    assertThat(resolve(BEHIND_PROXIES, "127.0.0.1", "198.51.100.1", "203.0.113.7,10.1.2.3")).as("two header lines")
        .isEqualTo("203.0.113.7");
    assertThat(resolve(BEHIND_PROXIES, "127.0.0.1", "10.0.0.2, 10.0.0.1")).as("only proxies: no one named")
        .isEqualTo("none");
    assertThat(resolve(BEHIND_PROXIES, "127.0.0.1")).as("no header: no one named").isEqualTo("none");
    assertThat(resolve(BEHIND_PROXIES, "127.0.0.1", "203.0.113.7:5555, [2001:db8::1]:80")).as("ports")
        .isEqualTo("2001:db8:0:0:0:0:0:1");
    // a hop the nearest proxy could not name: no one is named (a proxy's own address would give everyone behind it one
    // budget), never what the caller wrote left of it
    assertThat(resolve(BEHIND_PROXIES, "127.0.0.1", "203.0.113.7, unknown, 10.1.2.3")).isEqualTo("none");
    assertThat(resolve(BEHIND_PROXIES, "127.0.0.1", "203.0.113.7, evil.example")).isEqualTo("none");
    assertThat(resolve(BEHIND_PROXIES, "127.0.0.1", " , ")).isEqualTo("none");
  }

  @Test
  void shouldReadTheForwardedHeaderWhenToldAndNothingElse() {
    assertThat(resolve(FORWARDED, "127.0.0.1", "for=192.0.2.60;proto=http;by=203.0.113.43"))
        .isEqualTo("192.0.2.60");
    assertThat(resolve(FORWARDED, "127.0.0.1", "for=198.51.100.1, For=\"[2001:db8:cafe::17]:4711\""))
        .isEqualTo("2001:db8:cafe:0:0:0:0:17");
    assertThat(resolve(FORWARDED, "127.0.0.1", "for=198.51.100.1, for=\"_gazonk\"")).as("an obfuscated node")
        .isEqualTo("none");
    assertThat(resolve(FORWARDED, "127.0.0.1", "for=198.51.100.1, proto=https")).as("an element without for")
        .isEqualTo("none");
    // an unterminated quote from the caller does not swallow the proxy's own element
    assertThat(resolve(FORWARDED, "127.0.0.1", "for=\"198.51.100.1, for=203.0.113.7")).isEqualTo("203.0.113.7");
  }

  @Test
  void shouldKeyAnAddressByAHashAndIpv6ByItsSlash64() {
    String v4 = CallerAddress.limitKey(TrustedProxies.address("203.0.113.7"));
    assertThat(v4).matches("[0-9a-f]{32}");
    assertThat(CallerAddress.limitKey(TrustedProxies.address("::ffff:203.0.113.7"))).isEqualTo(v4);
    assertThat(CallerAddress.limitKey(TrustedProxies.address("203.0.113.8"))).isNotEqualTo(v4);
    String block = CallerAddress.limitKey(TrustedProxies.address("2001:db8:1:2::1"));
    assertThat(CallerAddress.limitKey(TrustedProxies.address("2001:db8:1:2:ffff:ffff:ffff:ffff"))).isEqualTo(block);
    assertThat(CallerAddress.limitKey(TrustedProxies.address("2001:db8:1:3::1"))).isNotEqualTo(block);
    assertThat(TrustedProxies.address("proxy.example")).as("never a name (no DNS)").isNull();
    assertThat(TrustedProxies.address("1.2.3")).isNull();
  }

  /**
   * A peer that is no trusted proxy and not public is most likely a balancer, a proxy or a local run: it has no address
   * that tells callers apart (every citizen behind it would share one budget), whatever header it sends; nor has a
   * non-public hop a trusted proxy names (an inner proxy nobody listed).
   */
  @Test
  void shouldCountNoAddressForAnUntrustedNonPublicPeer() {
    for (String peer : List.of("127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "172.31.255.254",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254", "fc00::1", "fd12:3456::1", "fe80::1",
        "0.0.0.0", "::", "::ffff:10.1.2.3", "::ffff:100.64.0.1", "::ffff:127.0.0.1", "0:0:0:0:0:ffff:c0a8:101")) {
      assertThat(resolve(NO_PROXY, peer, "203.0.113.7")).as(peer).isEqualTo("none");
      assertThat(CallerAddress.isInternal(TrustedProxies.address(peer))).as(peer).isTrue();
    }
    for (String peer : List.of("8.8.8.8", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
        "192.169.0.1", "11.0.0.1", "2001:4860::8888", "fbff::1", "fe00::1", "::ffff:8.8.8.8")) {
      assertThat(CallerAddress.isInternal(TrustedProxies.address(peer))).as(peer).isFalse();
      assertThat(resolve(NO_PROXY, peer, "203.0.113.7")).as(peer).isNotEqualTo("none").isNotEqualTo("203.0.113.7");
    }
    assertThat(resolve(NO_PROXY, null)).as("no peer address").isEqualTo("none");
    assertThat(resolve(NO_PROXY, "not-an-address")).isEqualTo("none");
    assertThat(resolve(BEHIND_PROXIES, "192.168.0.9", "203.0.113.7")).as("untrusted private peer").isEqualTo("none");
    // a non-public hop a trusted proxy names is an inner proxy tier nobody listed (a second balancer, a cloud
    // balancer appending its own address): counted, it would be every citizen's address
    assertThat(resolve(BEHIND_PROXIES, "10.9.9.9", "192.168.7.7, 10.1.1.1")).as("a private hop named by a proxy")
        .isEqualTo("none");
    assertThat(resolve(BEHIND_PROXIES, "10.0.1.5", "203.0.113.7, 100.64.2.9")).as("an unlisted inner balancer")
        .isEqualTo("none");
    assertThat(CallerAddress.isInternal(new byte[] {(byte) 0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}))
        .isTrue();
  }

  /**
   * NAT64 / SIIT-DC (RFC 6052's well-known prefix 64:ff9b::/96) carries an IPv4 caller in the last 32 bits: counted by
   * its /64, every IPv4 citizen behind the translator would share one budget.
   */
  @Test
  void shouldCountATranslatedIpv4CallerByItsIpv4Address() {
    String translated = key(NO_PROXY.resolve("64:ff9b::cb00:7107", List.of()));
    assertThat(translated).as("203.0.113.7 translated").isEqualTo(key(NO_PROXY.resolve("203.0.113.7", List.of())))
        .isNotEqualTo(key(NO_PROXY.resolve("64:ff9b::808:808", List.of())));
    assertThat(key(NO_PROXY.resolve("2001:db8:1:2::1", List.of())))
        .as("any other IPv6 caller: by its /64").isEqualTo(key(NO_PROXY.resolve("2001:db8:1:2::ffff", List.of())));
  }

  private static String key(byte[] address) {
    return CallerAddress.limitKey(address);
  }

  private static String resolve(CallerAddress addresses, String peer, String... headerValues) {
    byte[] address = addresses.resolve(peer, List.of(headerValues));
    return address == null ? "none" : TrustedProxies.text(address);
  }
}
