package vn.onewindow.gateway.security;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import vn.onewindow.common.config.SecurityConfig;

/**
 * Everything the gateway needs to know about who is calling. The router and the server options go through this
 * facade, so the rest of the gateway only ever asks {@link #clientId} and {@link #citizenId}.
 */
public final class Security {
  /** Until frontends authenticate, every request belongs to this client. */
  public static final String ANONYMOUS_CLIENT = "public";
  static final String CLIENT_KEY = "security.client";
  static final String CITIZEN_KEY = "security.citizen";
  static final String QUOTA_KEY = "security.quota";

  private final SecurityConfig config;

  private Security(SecurityConfig config) {
    this.config = config;
  }

  /** Builds the facade once per gateway verticle; blocking work (reading key files) is allowed here. */
  public static Security create(Vertx vertx, SecurityConfig config) {
    return new Security(config);
  }

  /** TLS, header size and count limits, idle timeouts. */
  public HttpServerOptions applyTo(HttpServerOptions options) {
    return options;
  }

  /** Router-wide handlers that run before every route (CORS, security headers...). */
  public void installEdgeHandlers(Router router) {
  }

  /** Authenticates the calling frontend on API routes; fails the context with 401 when it cannot. */
  public Handler<RoutingContext> authenticateClient() {
    return ctx -> {
      ctx.put(CLIENT_KEY, ANONYMOUS_CLIENT);
      ctx.next();
    };
  }

  /** Verifies a citizen's bearer token when present (and requires one when configured). */
  public Handler<RoutingContext> authenticateCitizen() {
    return RoutingContext::next;
  }

  /** The authenticated frontend client of this request. */
  public static String clientId(RoutingContext ctx) {
    String client = ctx.get(CLIENT_KEY);
    return client == null ? ANONYMOUS_CLIENT : client;
  }

  /** The rate-limit quota class of the authenticated client ("standard" until clients are registered). */
  public static String quotaClass(RoutingContext ctx) {
    String quota = ctx.get(QUOTA_KEY);
    return quota == null ? "standard" : quota;
  }

  /** The citizen ID proven by a verified token, if the request carried one. */
  public static Optional<String> citizenId(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(CITIZEN_KEY));
  }
}
