package vn.onewindow.gateway.security;

import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * What authentication learned about a request, carried in its routing context: the calling client (a frontend or an
 * agency system) and,
 * when the request carried a verified token from the national sign-in, the citizen. Handlers after authentication
 * read it with {@link #of}; nothing else stores who is calling.
 */
public record Caller(Client client, Optional<String> citizenId) {
  private static final String KEY = "security.caller";
  private static final Caller ANONYMOUS = new Caller(Client.ANONYMOUS, Optional.empty());

  /** The caller of this request: anonymous before (or without) authentication. */
  public static Caller of(RoutingContext ctx) {
    Caller caller = ctx.get(KEY);
    return caller == null ? ANONYMOUS : caller;
  }

  /** This gateway's own warm-up: runs the pipeline, is never queued, limited or counted. */
  public boolean isWarmup() {
    return client == Client.WARMUP;
  }

  public String clientId() {
    return client.id();
  }

  public boolean isAgency() {
    return client.isAgency();
  }

  /** Whether the calling agency system covers this handling agency (never true for a frontend). */
  public boolean covers(String agencyCode) {
    return client.covers(agencyCode);
  }

  /** The rate-limit quota class of the calling client. */
  public String quotaClass() {
    return client.quotaClass();
  }

  static void authenticated(RoutingContext ctx, Client client) {
    ctx.put(KEY, new Caller(client, Optional.empty()));
  }

  static void citizenVerified(RoutingContext ctx, String citizenId) {
    ctx.put(KEY, new Caller(of(ctx).client(), Optional.of(citizenId)));
  }
}
