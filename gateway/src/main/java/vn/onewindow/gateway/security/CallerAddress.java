package vn.onewindow.gateway.security;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.config.TrustedProxies;
import vn.onewindow.common.config.TrustedProxies.Header;
import vn.onewindow.common.infra.Digests;

/**
 * The address a request comes from, for the per-address limit of publishable keys: when its TCP peer is a trusted
 * proxy ({@code security.trusted-proxies}), the right-most address of the proxies' forwarding header that is not itself
 * a trusted proxy; otherwise the peer itself. Each proxy appends its own peer, so what stands left of the last trusted
 * hop is the caller's claim and is never read. Vert.x Web's {@code Router.allowForward} is no substitute: it reads the
 * left-most value, the caller's own, from any peer.
 *
 * <p>Only a public address counts. A non-public one (loopback, private, link-local, CGNAT: {@link #isInternal}) is
 * most likely a load balancer, an inner proxy nobody listed or a local run, behind which every citizen would share one
 * budget; so is a trusted proxy whose header names no one (none, only trusted hops, {@code unknown}, an obfuscated
 * RFC 7239 node). Such a call has no address to count ({@link #limitKey} is empty), so the default (no trusted proxy)
 * is safe behind a balancer, and so is a proxy tier missing from the list.
 *
 * <p>An address is personal data: it is never logged nor a metric label, and the limiter keeps only
 * {@link #limitKey}.
 */
public final class CallerAddress {
  /** RFC 6052's well-known NAT64 prefix, 64:ff9b::/96 (the caller's IPv4 address follows). */
  private static final byte[] NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  private final TrustedProxies proxies;
  private final String headerName;

  public CallerAddress(TrustedProxies proxies) {
    this.proxies = proxies;
    this.headerName = proxies.header() == Header.FORWARDED ? "Forwarded" : "X-Forwarded-For";
  }

  /** How a caller's address is found, for the start-up line. */
  public static String describe(TrustedProxies proxies) {
    String peer = "the TCP peer when it is public; a loopback, private, link-local or CGNAT peer (a balancer, a proxy "
        + "or a local run) gets no per-address limit";
    return proxies.none() ? peer + "; forwarding headers ignored (security.trusted-proxies empty)"
        : "named by " + Settings.spelling(proxies.header()) + " when the peer is in "
            + "one of " + proxies.ranges().size() + " trusted proxy ranges, else " + peer;
  }

  /**
   * Whose per-address budget a request spends: {@code key}, empty when its address tells no caller apart; and whether
   * its TCP peer is a trusted proxy (whose header then named the caller, or no one: the two cases warn differently).
   */
  public record Resolved(Optional<String> key, boolean viaTrustedProxy) {
  }

  /** The request's caller in the per-address limit, its peer's address read once. */
  public Resolved resolve(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    byte[] peerAddress = peer == null ? null : TrustedProxies.address(peer.hostAddress());
    boolean viaTrustedProxy = peerAddress != null && proxies.trusts(peerAddress);
    byte[] address = viaTrustedProxy ? namedBy(request.headers().getAll(headerName)) : publicOrNull(peerAddress);
    return new Resolved(address == null ? Optional.empty() : Optional.of(limitKey(address)), viaTrustedProxy);
  }

  /** The forwarding header the trusted proxies write, as a request spells it. */
  public String headerName() {
    return headerName;
  }

  /**
   * A hash of the address, never the address itself (the key spells no one's address; like the applicant key it is
   * not a secret, and it lives only while its limit is not whole again). An IPv6 caller counts by its /64, the
   * smallest block a subscriber is given, or one caller would have 2^64 budgets; a NAT64 one by its IPv4 address.
   */
  public static String limitKey(byte[] address) {
    String counted = address.length == 4 ? "ipv4:" + HexFormat.of().formatHex(address)
        // NAT64 (RFC 6052 64:ff9b::/96) carries the IPv4 caller in its last 32 bits: by its /64 every IPv4 citizen
        // behind the translator would share one budget
        : Arrays.equals(address, 0, 12, NAT64, 0, 12) ? "ipv4:" + HexFormat.of().formatHex(address, 12, 16)
        : "ipv6/64:" + HexFormat.of().formatHex(address, 0, 8);
    return Digests.sha256Hex(counted).substring(0, 32);
  }

  /**
   * The caller's address bytes, from the peer's text and the values of the trusted proxies' header, in order: the
   * right-most hop no trusted proxy holds. Null when no caller is named: the peer is no trusted proxy and is not
   * public (or no address at all), or the trusted proxies' header names no untrusted hop before one it cannot read.
   */
  byte[] resolve(String peer, List<String> headerValues) {
    byte[] peerAddress = TrustedProxies.address(peer);
    return peerAddress != null && proxies.trusts(peerAddress) ? namedBy(headerValues) : publicOrNull(peerAddress);
  }

  /** A peer that is no trusted proxy counts only when public (else a balancer, a proxy or a local run). */
  private static byte[] publicOrNull(byte[] peerAddress) {
    return peerAddress == null || isInternal(peerAddress) ? null : peerAddress;
  }

  /** What a trusted proxy's header names: its right-most public hop that is no trusted proxy, or null. */
  private byte[] namedBy(List<String> headerValues) {
    List<String> hops = hops(headerValues);
    for (int i = hops.size() - 1; i >= 0; i--) {
      byte[] hop = TrustedProxies.address(hops.get(i));
      if (hop == null) {
        // "unknown", an obfuscated name or garbage next to a trusted proxy: the caller is not named
        return null;
      }
      if (!proxies.trusts(hop)) {
        // a non-public hop is an inner proxy tier nobody listed (a second balancer, a cloud balancer appending its
        // own address) far likelier than a citizen: counted, it would be every citizen's address
        return isInternal(hop) ? null : hop;
      }
    }
    // no header, or only trusted proxies in it (a proxy sending the other kind of header, say): a proxy's own address
    // tells no citizens apart, and limiting it would give everyone behind it one budget
    return null;
  }

  /**
   * Whether an address (4 or 16 bytes) is one no citizen calls from directly: loopback, unspecified, private (RFC 1918,
   * IPv6 ULA fc00::/7), link-local (and the deprecated IPv6 site-local), or shared CGNAT space (100.64.0.0/10), also in
   * an IPv4-mapped IPv6 form. The JDK knows all but ULA and CGNAT.
   */
  static boolean isInternal(byte[] address) {
    InetAddress inet;
    try {
      inet = InetAddress.getByAddress(address);   // an IPv4-mapped IPv6 address comes back as its IPv4 address
    } catch (UnknownHostException e) {
      return true;   // no IP address: nothing that tells callers apart
    }
    byte[] bytes = inet.getAddress();
    return inet.isLoopbackAddress() || inet.isAnyLocalAddress() || inet.isSiteLocalAddress()
        || inet.isLinkLocalAddress()
        || bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc
        || bytes.length == 4 && bytes[0] == 100 && (bytes[1] & 0xc0) == 64;
  }

  /**
   * The node of each hop, left to right, ports and brackets removed. The list is split on every comma, quotes or
   * not: a quote a caller left open must not swallow the element its proxy appended.
   */
  private List<String> hops(List<String> headerValues) {
    List<String> hops = new ArrayList<>();
    for (String value : headerValues) {
      for (String element : value.split(",")) {
        if (element.isBlank()) {
          continue;
        }
        String node = proxies.header() == Header.FORWARDED ? forwardedFor(element) : element.trim();
        hops.add(node == null ? "" : withoutPort(node));
      }
    }
    return hops;
  }

  /** The {@code for=} value of one RFC 7239 element, unquoted; null when it names none. */
  private static String forwardedFor(String element) {
    for (String pair : element.split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
        String value = pair.substring(eq + 1).trim();
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
            ? value.substring(1, value.length() - 1) : value;
      }
    }
    return null;
  }

  /** {@code [v6]:port} and {@code [v6]} to {@code v6}, {@code v4:port} to {@code v4}; a bare IPv6 address as it is. */
  private static String withoutPort(String node) {
    if (node.startsWith("[")) {
      int close = node.indexOf(']');
      return close > 0 ? node.substring(1, close) : node;
    }
    int colon = node.indexOf(':');
    return colon > 0 && colon == node.lastIndexOf(':') ? node.substring(0, colon) : node;
  }
}
