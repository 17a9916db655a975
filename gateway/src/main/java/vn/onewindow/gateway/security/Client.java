package vn.onewindow.gateway.security;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import vn.onewindow.common.agency.AgencyPattern;
import vn.onewindow.common.warmup.WarmupExamples;

/**
 * A registered client as the rest of the gateway sees it: who it is, which quota class the rate limiter applies, its
 * kind, for an agency system the handling agencies it covers, and whether its key is public (a public client in
 * RFC 6749's sense: the key ships in browser pages or apps, so anyone may hold it). Never carries a key. The channel a dossier came
 * through is the dossier's own {@code channel} field: a kiosk may file an online dossier for a citizen.
 */
public record Client(String id, String name, String quotaClass, Kind kind, List<AgencyPattern> agencies,
                     boolean publicKey) {
  /** The client of calls without a key when {@code security.require-api-key=false}. */
  public static final String ANONYMOUS_ID = "public";
  /**
   * Served when {@code security.require-api-key=false} and a call carries no key. Public: anyone may call without
   * one, so it is refused what a client whose key is public is refused (the change feed, which would list every
   * anonymous submission's id).
   */
  public static final Client ANONYMOUS = new Client(ANONYMOUS_ID, "anonymous (security.require-api-key=false)",
      "standard", Kind.FRONTEND, List.of(), true);
  /** This gateway's own synthetic warm-up requests; an id no clients file can register. */
  public static final Client WARMUP = new Client(WarmupExamples.CLIENT_ID, "warm-up of this gateway (never queued)",
      "standard");

  /**
   * Frontends (portal, apps, kiosks, counters) submit dossiers and follow their own; agency systems read the
   * dossiers routed to the agencies they cover and report progress. Neither may do the other's part.
   */
  public enum Kind {
    FRONTEND, AGENCY;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Kind> of(String tag) {
      for (Kind kind : values()) {
        if (kind.tag().equals(tag)) {
          return Optional.of(kind);
        }
      }
      return Optional.empty();
    }
  }

  public Client {
    agencies = List.copyOf(agencies);
  }

  /** A client whose key is kept secret ({@code publicKey} false). */
  public Client(String id, String name, String quotaClass, Kind kind, List<AgencyPattern> agencies) {
    this(id, name, quotaClass, kind, agencies, false);
  }

  /** A frontend client whose key is kept secret. */
  public Client(String id, String name, String quotaClass) {
    this(id, name, quotaClass, Kind.FRONTEND, List.of());
  }

  /** The same client, called with one of its publishable keys (they ship in browser pages or apps). */
  public Client withPublicKey() {
    return new Client(id, name, quotaClass, kind, agencies, true);
  }

  public boolean isAgency() {
    return kind == Kind.AGENCY;
  }

  /** Whether this agency client may read and update dossiers handled by {@code agencyCode}; never for frontends. */
  public boolean covers(String agencyCode) {
    if (!isAgency() || agencyCode == null) {
      return false;
    }
    for (AgencyPattern pattern : agencies) {
      if (pattern.covers(agencyCode)) {
        return true;
      }
    }
    return false;
  }
}
