package vn.onewindow.gateway.security;

/**
 * A registered frontend (web portal, mobile app, kiosk, postal counter...) as the rest of the gateway sees it: who it
 * is and which quota class the rate limiter applies. Never carries a key. The channel a dossier came through is the
 * dossier's own {@code channel} field: a kiosk may file an online dossier for a citizen.
 */
public record Client(String id, String name, String quotaClass) {
  /** The client of calls without a key when {@code security.require-api-key=false}. */
  public static final String ANONYMOUS_ID = "public";
  /** Served when {@code security.require-api-key=false} and a call carries no key. */
  public static final Client ANONYMOUS =
      new Client(ANONYMOUS_ID, "anonymous (security.require-api-key=false)", "standard");
}
