package vn.onewindow.gateway.security;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import vn.onewindow.common.config.TrustedProxies;
import vn.onewindow.common.config.TrustedProxies.Header;
import vn.onewindow.common.infra.Digests;

/**
 * The address a request comes from, for the per-address limit of publishable keys: its TCP peer, or, when that peer is
 * a trusted proxy ({@code security.trusted-proxies}), the right-most address of the proxies' forwarding header that is
 * not itself a trusted proxy. Each proxy appends its own peer, so what stands left of the last trusted hop is the
 * caller's claim and is never read; a hop a trusted proxy could not name ({@code unknown}, an obfuscated RFC 7239
 * node) leaves that proxy as the address. Vert.x Web's {@code Router.allowForward} is no substitute: it reads the
 * left-most value, the caller's own, from any peer.
 *
 * <p>An address is personal data: it is never logged nor a metric label, and the limiter keeps only
 * {@link #limitKey}.
 */
public final class CallerAddress {
  private static final byte[] UNKNOWN = new byte[0];
  private final TrustedProxies proxies;
  private final String headerName;

  public CallerAddress(TrustedProxies proxies) {
    this.proxies = proxies;
    this.headerName = proxies.header() == Header.FORWARDED ? "Forwarded" : "X-Forwarded-For";
  }

  /** The key of this request's caller in the per-address limit. */
  public String limitKey(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    String host = peer == null ? null : peer.hostAddress();
    return limitKey(proxies.none() ? peerAddress(host) : resolve(host, request.headers().getAll(headerName)));
  }

  /**
   * A hash of the address, never the address itself (the key spells no one's address; like the applicant key it is
   * not a secret, and it lives only while its limit is not whole again). An IPv6 caller counts by its /64, the
   * smallest block a subscriber is given, or one caller would have 2^64 budgets.
   */
  public static String limitKey(byte[] address) {
    String counted = address.length == 16 ? "ipv6/64:" + HexFormat.of().formatHex(address, 0, 8)
        : address.length == 4 ? "ipv4:" + HexFormat.of().formatHex(address) : "unknown";
    return Digests.sha256Hex(counted).substring(0, 32);
  }

  /** The caller's address bytes, from the peer's text and the values of the trusted proxies' header, in order. */
  byte[] resolve(String peer, List<String> headerValues) {
    byte[] nearest = peerAddress(peer);
    if (nearest == UNKNOWN || !proxies.trusts(nearest)) {
      return nearest;
    }
    List<String> hops = hops(headerValues);
    for (int i = hops.size() - 1; i >= 0; i--) {
      byte[] hop = TrustedProxies.address(hops.get(i));
      if (hop == null) {
        return nearest;
      }
      if (!proxies.trusts(hop)) {
        return hop;
      }
      nearest = hop;
    }
    return nearest;
  }

  private static byte[] peerAddress(String host) {
    byte[] address = TrustedProxies.address(host);
    return address == null ? UNKNOWN : address;
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
