package vn.onewindow.gateway.security;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Set;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.Idempotency;
import vn.onewindow.gateway.http.Problem;
import vn.onewindow.gateway.http.RequestIds;

/**
 * Browser origins (CORS): which pages may call the API, the headers they may send and read. The allow-list is
 * security.cors.allowed-origins as SecurityConfig spells it (lower case, no default port), the way a browser writes
 * its Origin header (RFC 6454 6.1), so an exact match is enough.
 */
public final class BrowserOrigins {
  /**
   * What a page may send. W3C trace context (traceparent, tracestate) too: OpenTelemetry's fetch instrumentation adds
   * it to every call, and a preflight refusing it failed every call of such a page; the hub reads neither.
   */
  private static final Set<String> REQUEST_HEADERS = Set.of("Content-Type", Authentication.API_KEY_HEADER,
      "Authorization", Idempotency.KEY_HEADER, RequestIds.HEADER, "traceparent", "tracestate");
  /**
   * What a page may read besides the body. WWW-Authenticate too: a 401's problem type is the same for a citizen token
   * to renew (Bearer, error="invalid_token": sign in again) and a wrong key (ApiKey), and a page had only the detail's
   * English to tell them apart (a frontend tryout). Age: how old a cached statistics answer is.
   */
  private static final Set<String> EXPOSED_HEADERS = Set.of("Location", RequestIds.HEADER, Idempotency.REPLAYED_HEADER,
      "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "WWW-Authenticate", "Age");
  /** Access-Control-Expose-Headers as CorsHandler writes it, for a refusal made before it runs. */
  private static final String EXPOSED_HEADERS_VALUE = String.join(",", EXPOSED_HEADERS);

  private final Set<String> allowed;
  private final CorsHandler cors;

  public BrowserOrigins(List<String> allowedOrigins) {
    this.allowed = Set.copyOf(allowedOrigins);
    // An empty origin list would make CorsHandler allow "*": build it only for a real allow-list.
    this.cors = allowed.isEmpty() ? null : CorsHandler.create()
        .addOrigins(allowedOrigins)
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST))
        .allowedHeaders(REQUEST_HEADERS)
        .exposedHeaders(EXPOSED_HEADERS)
        .allowCredentials(false)
        .maxAgeSeconds(600);
  }

  /**
   * A request with an Origin not on the allow-list is refused outright (403), preflight or not, so a page on another
   * site can neither read answers nor make a frontend's browser submit a dossier. Allowed origins go through Vert.x's
   * CorsHandler (preflight answered 204, Access-Control-* headers added). No Origin: not a browser cross-origin call,
   * nothing to do.
   */
  public void check(RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    int origins = origin == null ? 0 : ctx.request().headers().getAll(HttpHeaders.ORIGIN).size();
    if (origin == null) {
      ctx.next();
    } else if (origins > 1) {
      // no browser sends two (RFC 6454 7.3); reading the first let their order decide between 403 and CORS headers
      Authentication.failEarly(ctx, HttpFailure.malformed("give one Origin header, not " + origins));
    } else if (!allowed.contains(origin)) {
      Authentication.failEarly(ctx, HttpFailure.forbidden(Problem.ORIGIN_NOT_ALLOWED,
          "this API does not accept calls from pages of this origin"));
    } else {
      cors.handle(ctx);
    }
  }

  /**
   * Whether the request is a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method): it carries no
   * body and no key, and {@link #check} answers it (204 for an allowed origin, 403 for any other) without routing it.
   */
  static boolean isPreflight(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    return request.method() == HttpMethod.OPTIONS && request.getHeader(HttpHeaders.ORIGIN) != null
        && request.getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) != null;
  }

  /**
   * The headers CorsHandler adds to an allowed origin's request, when exactly one Origin names an allowed origin: for
   * a refusal made before {@link #check} runs (EdgeHandlers), which a page must be able to read.
   */
  void allowToRead(RoutingContext ctx) {
    String origin = allowedOrigin(ctx);
    if (origin != null) {
      HttpServerResponse response = ctx.response();
      if (allowed.size() > 1) {
        response.putHeader(HttpHeaders.VARY, HttpHeaders.ORIGIN);
      }
      response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
          .putHeader(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_HEADERS_VALUE);
    }
  }

  /** The request's Origin when it has exactly one and that one is allowed; otherwise null. */
  private String allowedOrigin(RoutingContext ctx) {
    List<String> origins = ctx.request().headers().getAll(HttpHeaders.ORIGIN);
    return origins.size() == 1 && allowed.contains(origins.get(0)) ? origins.get(0) : null;
  }
}
