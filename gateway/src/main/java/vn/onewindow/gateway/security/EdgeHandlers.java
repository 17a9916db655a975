package vn.onewindow.gateway.security;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import vn.onewindow.common.config.SecurityConfig;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.RequestDeadline;
import vn.onewindow.gateway.http.UnreadBodies;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;

/**
 * The handlers every request meets before any route: security headers, request limits and the request deadline;
 * the browser origin check (CORS) is {@link #origins()}. Each refusal is an {@link HttpFailure}, so it is rendered like
 * every other problem.
 */
public final class EdgeHandlers {
  static final String CSP = "default-src 'none'; frame-ancestors 'none'";
  /**
   * On every answer, names and values made Netty AsciiStrings once. Vert.x 5.0.10's putHeader(CharSequence,
   * CharSequence) stores them as they are in its HeadersMultiMap: an AsciiString's case-insensitive hash is computed
   * once and kept (a String's is recomputed on every put), its validation walks a byte array, and the head is written
   * with one copy of its bytes (a String is narrowed char by char). Cache-Control is Vert.x's own constant, the
   * instance a handler resetting it passes too, so the map finds it by identity.
   */
  private static final CharSequence[] SECURITY_HEADER_NAMES = {
      HttpHeaders.createOptimized("X-Content-Type-Options"), HttpHeaders.createOptimized("X-Frame-Options"),
      HttpHeaders.createOptimized("Referrer-Policy"), HttpHeaders.createOptimized("Content-Security-Policy"),
      HttpHeaders.CACHE_CONTROL};
  /**
   * Cache-Control of every answer, set by {@link #securityHeaders} before any route's handler runs: a handler need not
   * set it again, unless to say otherwise (the catalogue's cacheable answers). Problems sets it on a problem answer
   * too, whatever step refused the request.
   */
  public static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence[] SECURITY_HEADER_VALUES = {
      HttpHeaders.createOptimized("nosniff"), HttpHeaders.createOptimized("DENY"),
      HttpHeaders.createOptimized("no-referrer"), HttpHeaders.createOptimized(CSP), NO_STORE};
  private static final CharSequence HSTS = HttpHeaders.createOptimized("Strict-Transport-Security");

  private final SecurityConfig config;
  /** The HSTS value, fixed by the configuration; null when HSTS is off. */
  private final CharSequence hstsValue;
  private final BrowserOrigins origins;

  public EdgeHandlers(SecurityConfig config) {
    this.config = config;
    long hsts = config.tls().hstsMaxAge().toSeconds();
    this.hstsValue = hsts > 0 ? HttpHeaders.createOptimized("max-age=" + hsts + "; includeSubDomains") : null;
    this.origins = new BrowserOrigins(config.corsAllowedOrigins());
  }

  /** The browser origin check, the router's step after {@link #requestLimits}, whose refusals it lets a page read. */
  public BrowserOrigins origins() {
    return origins;
  }

  /**
   * For {@code HttpServer.invalidRequestHandler}: requests the HTTP codec rejected (request line too long, garbled)
   * go through the router too, so they get the same problem+json answer and security headers as everything else;
   * the connection is closed after the answer. A header block over the codec limit keeps Vert.x's bare 431: the
   * codec dropped its headers (Host included), so the router could only call it a 400.
   */
  public static Handler<HttpServerRequest> invalidRequestHandler(Router router) {
    return request -> {
      if (request.decoderResult().cause() instanceof TooLongHttpHeaderException) {
        HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
      } else {
        router.handle(request);
      }
    };
  }

  /** Headers that make any answer inert in a browser; HSTS only on HTTPS (browsers ignore it on plain HTTP). */
  public void securityHeaders(RoutingContext ctx) {
    putSecurityHeaders(ctx);
    ctx.next();
  }

  /**
   * The same headers, set without a route: {@code Problems} calls it for an answer the router gave before its first
   * route (no Host, {@code OPTIONS *}), which must carry them as every other answer does.
   */
  public void putSecurityHeaders(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    for (int i = 0; i < SECURITY_HEADER_NAMES.length; i++) {
      response.putHeader(SECURITY_HEADER_NAMES[i], SECURITY_HEADER_VALUES[i]);
    }
    if (ctx.request().isSSL() && hstsValue != null) {
      response.putHeader(HSTS, hstsValue);
    }
  }

  /**
   * Requests the HTTP codec could not read (line or header block over the codec limits, garbled request line), and
   * request lines and header blocks over the configured limits: answered with a problem, never passed on.
   */
  public void requestLimits(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    DecoderResult decoded = request.decoderResult();
    if (decoded != null && decoded.isFailure()) {
      Throwable cause = decoded.cause();
      origins.allowToRead(ctx);
      ctx.fail(cause instanceof TooLongHttpLineException ? HttpFailure.uriTooLong(config.maxInitialLineBytes())
          : cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException
          ? HttpFailure.headersTooLarge("the request header block exceeds " + config.maxHeaderBytes() + " bytes")
          : HttpFailure.malformed("the request line or headers could not be read as HTTP"));
      return;
    }
    if (http1LineLength(request) > config.maxInitialLineBytes() && !BrowserOrigins.isPreflight(ctx)) {
      // Measured here, not only by the codec, which reads lines up to twice the limit: a line it refuses has no
      // headers, so its 414 (above) cannot name an allowed page's Origin and the page saw only "Failed to fetch" (a
      // frontend tryout in Chromium). A preflight carries nothing and is left to the origin check: an allowed page's
      // browser then sends the call and shows the page this 414, another origin gets its 403. HTTP/2's :path is
      // bounded only by the header block's limit, so a target four times longer was served over h2c and h2 (a
      // tryout): the line HTTP/1.1 would send for this request is measured against the same limit
      refuse(ctx, HttpFailure.uriTooLong(config.maxInitialLineBytes()));
      return;
    }
    String framing = RequestFraming.refusal(request);
    if (framing != null) {
      // RFC 9112 6.1/6.3: framing a front proxy may read otherwise than this server is how requests are smuggled;
      // refused, and the connection closed after the answer
      refuse(ctx, HttpFailure.malformed(framing));
      return;
    }
    String unresolved = RequestFraming.unresolvedPath(request.path());
    if (unresolved != null) {
      // the router resolves dot segments (RFC 3986 5.2.4) and empty ones, a proxy matching the raw path does not:
      // /v1/../metrics reached /metrics and /health/* through a proxy that forwards /v1/* only (a reviewer's tryout),
      // //metrics passed a proxy rule blocking /metrics (QA). No client of the API sends either: refused, so that the
      // path a proxy routes on is the path answered
      refuse(ctx, HttpFailure.malformed(unresolved));
      return;
    }
    int count = 0;
    long bytes = 0;
    for (Map.Entry<String, String> header : request.headers()) {
      count++;
      bytes += header.getKey().length() + header.getValue().length() + 4;
    }
    if (count > config.maxHeaderCount()) {
      refuse(ctx, HttpFailure.headersTooLarge(
          "the request has " + count + " header fields; at most " + config.maxHeaderCount() + " are accepted"));
    } else if (bytes > config.maxHeaderBytes()) {
      refuse(ctx, HttpFailure.headersTooLarge(
          "the request header block exceeds " + config.maxHeaderBytes() + " bytes"));
    } else {
      ctx.next();
    }
  }

  /**
   * A refusal made before the CORS step ({@link BrowserOrigins#check}): a page of an allowed origin must be able to
   * read it, or the browser hides it behind a bare network error ("Failed to fetch" for a 431 from a large citizen
   * token: a frontend tryout in Chromium), which a frontend cannot tell from the hub being down. Any other origin gets
   * nothing more.
   */
  private void refuse(RoutingContext ctx, HttpFailure failure) {
    origins.allowToRead(ctx);
    Authentication.failEarly(ctx, failure);
  }

  /** The length of the request line HTTP/1.1 would send for this request: method, target and version. */
  private static int http1LineLength(HttpServerRequest request) {
    return request.method().name().length() + 1 + request.uri().length() + " HTTP/1.1".length();
  }

  /**
   * The request's deadline, from the moment its headers were read. A body still arriving then is a slow client:
   * 408 and the connection closed. Otherwise the gateway itself is slow: 503 the client may retry (with its
   * Idempotency-Key, since the dossier may have been queued in the meantime).
   */
  public void deadline(RoutingContext ctx) {
    long timeoutMs = config.requestTimeout().toMillis();
    RequestDeadline.set(ctx, System.currentTimeMillis() + timeoutMs);
    long timer = ctx.vertx().setTimer(timeoutMs, id -> expire(ctx, timeoutMs));
    ctx.addEndHandler(ignored -> ctx.vertx().cancelTimer(timer));
    ctx.next();
  }

  private static void expire(RoutingContext ctx, long timeoutMs) {
    if (ctx.response().ended() || ctx.response().closed() || ctx.response().headWritten()) {
      return;
    }
    if (!ctx.request().isEnded()) {
      // a client this slow is not owed a keep-alive connection: closed after the 408, the rest of its body discarded
      UnreadBodies.closeAfterAnswer(ctx);
      ctx.fail(HttpFailure.requestTimeout(timeoutMs));
    } else {
      ctx.fail(HttpFailure.processingTimeout(timeoutMs));
    }
  }
}
