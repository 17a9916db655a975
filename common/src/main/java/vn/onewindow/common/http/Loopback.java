package vn.onewindow.common.http;

import java.util.regex.Pattern;

/** Whether a host name or address is this machine's loopback, as written in URLs, settings and peer addresses. */
public final class Loopback {
  private Loopback() {
  }

  private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  /** {@code localhost}, a 127.0.0.0/8 address literal or ::1 (bracketed or not): never a name such as 127.evil.com. */
  public static boolean isHost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || IPV4_LOOPBACK.matcher(h).matches() || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1");
  }
}
