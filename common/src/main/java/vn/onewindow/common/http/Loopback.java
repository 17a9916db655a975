package vn.onewindow.common.http;

/** Whether a host name or address is this machine's loopback, as written in URLs, settings and peer addresses. */
public final class Loopback {
  private Loopback() {
  }

  /** {@code localhost}, 127.0.0.0/8 or ::1 (bracketed or not, in any of its written forms). */
  public static boolean isHost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
  }
}
