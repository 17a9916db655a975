package vn.onewindow.gateway.security;

import java.util.Locale;

/**
 * A registered frontend (web portal, mobile app, kiosk, postal counter...) as the rest of the gateway sees it: who it
 * is, through which channel its dossiers come, and which quota class the rate limiter applies. Never carries a key.
 */
public record Client(String id, String name, Channel channel, String quotaClass) {
  /** Served when {@code security.require-api-key=false} and a call carries no key. */
  public static final Client ANONYMOUS =
      new Client(Security.ANONYMOUS_CLIENT, "anonymous (security.require-api-key=false)", Channel.UNKNOWN, "standard");

  /** Submission channel of a client; {@code UNKNOWN} only for the anonymous client. */
  public enum Channel {
    ONLINE, COUNTER, POSTAL, UNKNOWN;

    /** Lower-case name, as in the dossier's {@code channel} field and in metric tags. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
