package vn.onewindow.common.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The HTTP listener. {@code hostAutomatic}: {@code http.host} was left empty, so the hub chose the interface: every
 * one (0.0.0.0), or only loopback for a local run ({@link HubConfig#asLocalRun}).
 */
public record HttpConfig(String host, boolean hostAutomatic, int port, int instances, long bodyLimitBytes,
                         String publicBaseUrl) {
  /** Every interface: what an empty http.host binds, but in a local run. */
  public static final String ALL_INTERFACES = "0.0.0.0";
  public static final String LOOPBACK = "127.0.0.1";
  private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
  private static final Pattern DOTTED_QUAD =
      Pattern.compile("((25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])");

  public static HttpConfig from(Settings s) {
    String base = s.string("http.public-base-url");
    if (!base.isEmpty() && !base.matches("https?://[^\\s]+")) {
      throw s.invalid("http.public-base-url", base, "must be empty or an http(s) URL");
    }
    int instances = s.intIn("http.instances", 0, 64);
    String host = s.string("http.host").strip();
    if (!host.isEmpty()) {
      resolvable(s, host);
    }
    return new HttpConfig(
        host.isEmpty() ? ALL_INTERFACES : host,
        host.isEmpty(),
        s.intIn("http.port", 0, 65535),
        instances == 0 ? Runtime.getRuntime().availableProcessors() : instances,
        s.longIn("http.body-limit-bytes", 1024, 64L * 1024 * 1024),
        base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
  }

  /**
   * The listener resolves http.host when it binds: a name that resolves to nothing failed there, after the embedded
   * servers, the migrations and the workers had started, in a line naming no knob (config tryout). An IP literal is
   * read without asking DNS.
   */
  private static void resolvable(Settings s, String host) {
    try {
      // the JDK reads 127.1 or 2130706433 as an address, Vert.x's resolver (which binds) as a name it cannot resolve
      if (DIGITS_AND_DOTS.matcher(host).matches() && !DOTTED_QUAD.matcher(host).matches()) {
        throw new UnknownHostException(host);
      }
      InetAddress.getByName(host);
    } catch (UnknownHostException | SecurityException e) {
      throw s.invalid("http.host", host, "must be empty, an IP address or a name this machine resolves (an "
          + "interface's address, 0.0.0.0 for every one)");
    }
  }

  /** Loopback only, unless http.host named an interface. */
  HttpConfig loopbackUnlessChosen() {
    return hostAutomatic ? new HttpConfig(LOOPBACK, true, port, instances, bodyLimitBytes, publicBaseUrl) : this;
  }
}
