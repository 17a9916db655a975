package vn.onewindow.common.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * The proxies whose forwarding header may name a caller's address ({@code security.trusted-proxies}, addresses and
 * CIDR ranges) and which header they write ({@code security.trusted-proxy-header}). Empty: no peer is trusted and every
 * caller is its TCP peer. Addresses are literals only, never names: nothing here asks DNS.
 *
 * <p>One header, not both: a proxy writing X-Forwarded-For passes a caller's own Forwarded header through untouched
 * (and the other way round), so reading the other one would let the caller choose its address.
 */
public record TrustedProxies(List<Range> ranges, Header header) {
  private static final String KEY = "security.trusted-proxies";

  public enum Header {
    /** {@code X-Forwarded-For}: nginx, HAProxy {@code option forwardfor}, cloud load balancers. */
    X_FORWARDED_FOR,
    /** RFC 7239 {@code Forwarded}, its {@code for=} parameters. */
    FORWARDED
  }

  /** An address block: {@code network} (4 or 16 bytes, host bits zero) and its prefix length. */
  public record Range(byte[] network, int bits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      return rest == 0 || ((address[full] ^ network[full]) & (0xff << (8 - rest)) & 0xff) == 0;
    }
  }

  public TrustedProxies {
    ranges = List.copyOf(ranges);
  }

  static TrustedProxies from(Settings s) {
    String raw = s.string(KEY);
    Header header = s.oneOf("security.trusted-proxy-header", Header.class);
    List<String> entries = Arrays.stream(raw.split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList();
    try {
      return of(entries, header);
    } catch (IllegalArgumentException e) {
      throw s.invalid(KEY, raw, e.getMessage());
    }
  }

  /** @throws IllegalArgumentException naming the entry that is no address or range, or that trusts every address */
  public static TrustedProxies of(List<String> entries, Header header) {
    return new TrustedProxies(entries.stream().map(TrustedProxies::range).toList(), header);
  }

  public boolean none() {
    return ranges.isEmpty();
  }

  /** Whether {@code address} (as {@link #address} returns it) is one of the trusted proxies. */
  public boolean trusts(byte[] address) {
    for (Range range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The bytes of an IP address literal (IPv4, IPv6, an IPv4-mapped IPv6 one as its IPv4 address, so that a
   * dual-stack listener's peers match IPv4 ranges); null for anything else, a host name included.
   */
  public static byte[] address(String literal) {
    byte[] bytes = literal == null ? null : NetUtil.createByteArrayFromIpAddressString(literal);
    if (bytes != null && bytes.length == 16 && isIpv4Mapped(bytes)) {
      return Arrays.copyOfRange(bytes, 12, 16);
    }
    return bytes;
  }

  /** The text of {@link #address}'s bytes (for tests and messages; never logged for a caller). */
  public static String text(byte[] address) {
    try {
      return InetAddress.getByAddress(address).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + address.length + " bytes", e);
    }
  }

  private static boolean isIpv4Mapped(byte[] bytes) {
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
  }

  private static Range range(String entry) {
    int slash = entry.indexOf('/');
    byte[] network = address(slash < 0 ? entry : entry.substring(0, slash));
    if (network == null) {
      throw new IllegalArgumentException("lists '" + entry + "', which is not an IP address or CIDR range (an IP "
          + "address, never a name: e.g. 10.0.0.0/8, 192.0.2.10, fd00::/8)");
    }
    int max = network.length * 8;
    int bits = max;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > max) {
        throw new IllegalArgumentException("lists '" + entry + "': the prefix length must be 1.." + max);
      }
    }
    if (bits == 0) {
      throw new IllegalArgumentException("lists '" + entry + "', which trusts every address: any caller could name "
          + "its own address in a forwarding header; list the proxies' addresses or subnets");
    }
    Range range = new Range(network, bits);
    byte[] masked = network.clone();
    for (int i = 0; i < masked.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      masked[i] &= (byte) (0xff << (8 - keep));
    }
    if (!Arrays.equals(masked, network)) {
      throw new IllegalArgumentException("lists '" + entry + "', whose address has bits set past the prefix: did you "
          + "mean " + text(masked) + "/" + bits + "?");
    }
    return range;
  }
}
