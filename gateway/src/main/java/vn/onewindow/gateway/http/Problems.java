package vn.onewindow.gateway.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http2.Http2Exception;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.DatabaseException;
import java.io.IOException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.common.metrics.HttpMethodNames;
import vn.onewindow.common.metrics.ThrottledLog;
import vn.onewindow.gateway.security.EdgeHandlers;
import vn.onewindow.gateway.validation.Violation;

/**
 * The one place where failures become HTTP answers: every 4xx/5xx of the gateway is an
 * {@code application/problem+json} document, with no stack trace or internal detail in it.
 */
public final class Problems {
  public static final String CONTENT_TYPE = "application/problem+json";
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  /** The statuses Vert.x Web's router answers by itself, 405 aside ({@link #answerEveryRefusal}). */
  private static final int[] ROUTER_STATUSES = {400, 404, 406, 413, 415, 500};

  /** The security headers of an answer the router gave before its first route, which set them on every other. */
  private final EdgeHandlers edge;
  private final BiConsumer<RoutingContext, Problem> refusalCounter;
  private final ThrottledLog refusals;
  /** The 413's detail: the limit named, so that a frontend can tell its user what to shrink. */
  private final String bodyTooLarge;
  /** The router's routes, to name the one a refusal's path matches in log lines; set once the router is complete. */
  private volatile AllowedMethods routes;

  /**
   * {@code refusals}: the process's one throttle, so that a class of refusal logs once per window on any loop;
   * {@code bodyLimitBytes}: the router's body limit, which a 413 names.
   */
  public Problems(EdgeHandlers edge, SubmissionOutcomes outcomes, ThrottledLog refusals, long bodyLimitBytes) {
    this(edge, outcomes::recordFailure, refusals, "the request body exceeds the limit of " + bodyLimitBytes + " bytes ("
        + bodyLimitBytes / 1024 + " KiB)");
  }

  /** For a router that takes no submissions (an intake process's management port): no refusal counts as one. */
  public Problems(EdgeHandlers edge, ThrottledLog refusals) {
    this(edge, (ctx, problem) -> { }, refusals, "the request body exceeds the configured limit");
  }

  private Problems(EdgeHandlers edge, BiConsumer<RoutingContext, Problem> refusalCounter, ThrottledLog refusals,
                   String bodyTooLarge) {
    this.edge = edge;
    this.refusalCounter = refusalCounter;
    this.refusals = refusals;
    this.bodyTooLarge = bodyTooLarge;
  }

  /**
   * Makes every refusal on {@code router}, from a handler or from the router itself, one problem+json answer, and a
   * 405 name the methods its path does take (RFC 9110), HEAD among them wherever GET is. Call it once, after the
   * router's last route (and {@link HeadRequests#onEveryGetRoute}).
   */
  public void answerEveryRefusal(Router router) {
    router.route().failureHandler(this::handle);
    for (int code : ROUTER_STATUSES) {
      router.errorHandler(code, ctx -> respondToStatus(ctx, code));
    }
    AllowedMethods allowed = AllowedMethods.of(router);
    routes = allowed;
    router.errorHandler(405, ctx -> {
      String methods = allowed.on(ctx.normalizedPath());
      if (!methods.isEmpty()) {
        ctx.response().putHeader(HttpHeaders.ALLOW, methods);
      }
      respondToStatus(ctx, 405);
    });
  }

  /** Failure handler: a handler failed the context with an exception or a bare status code. */
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (ctx.response().headWritten()) {
      // answered already (a 413, then the codec failed on the rest of the body...): counted once; an answer cut
      // short is reset so that the client does not take it for whole
      if (!ctx.response().ended()) {
        ctx.response().reset();
      }
      return;
    }
    if (failure instanceof HttpFailure f) {
      respond(ctx, f);
    } else if (failure == null || ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      respondToStatus(ctx, ctx.statusCode() < 0 ? 500 : ctx.statusCode());
    } else if (isCodecFailure(ctx, failure)) {
      // the HTTP codec could not read the request's body (a bad chunk size...): the client's framing, answered
      // like a malformed request if the connection still lets it, never an ERROR with a stack trace per request;
      // Vert.x closes the connection after it (Http1Framing makes the answer reach the client first)
      UnreadBodies.sayClose(ctx);
      respond(ctx, HttpFailure.malformed("the request body could not be read as HTTP (its framing is invalid)"));
    } else if (isEndedByClient(ctx, failure)) {
      // the same for a client that gave up mid-body (a lost network, an aborted upload) or broke HTTP/2 there: the
      // client's doing, so neither an ERROR line per request nor a 500; a closed stream takes no answer
      respond(ctx, HttpFailure.malformed("the request body could not be read to its end (the client reset its "
          + "stream or closed its connection, or broke the HTTP/2 protocol)"));
    } else {
      LOG.error("unhandled failure on {} {} (request {})", methodOf(ctx),
          routeOf(ctx), RequestIds.of(ctx), failure);
      respondToStatus(ctx, 500);
    }
  }

  /**
   * What a 5xx log line says of its cause: the class, and for a database's refusal its SQLSTATE (what the operators
   * look up: 42P01 a missing table, 42501 a missing grant...). Never the cause's message, which may quote values.
   */
  private static String causeOf(HttpFailure f) {
    Throwable cause = f.getCause();
    if (cause == null) {
      return f.getMessage();
    }
    String name = cause.getClass().getSimpleName();
    if (cause instanceof DatabaseException db && db.getSqlState() != null) {
      return name + " SQLSTATE " + db.getSqlState();
    }
    // a Redis error reply's code (CLUSTERDOWN, MOVED, READONLY, LOADING, OOM...), what tells a failover from a bug;
    // never the rest of the reply, which may quote a script's values
    String reply = cause.getClass().getName().startsWith("io.vertx.redis.") ? cause.getMessage() : null;
    String code = reply == null ? "" : reply.split(" ", 2)[0];
    return code.matches("[A-Z]{2,20}") ? name + " " + code : name;
  }

  /** Error handler for a status the router produced itself (404, 405, 413, 415...). */
  public void respondToStatus(RoutingContext ctx, int status) {
    if (RequestIds.missing(ctx)) {
      // refused by the router before its first route (no Host, a Host that is no host[:port], a target that is no
      // path): the id and the security headers every answer carries, which the edge's routes would have set
      RequestIds.take(ctx);
      edge.putSecurityHeaders(ctx);
    }
    Problem problem = Problem.ofRouterStatus(status);
    String host = problem == Problem.MALFORMED_REQUEST ? Http1Framing.hostRefusal(ctx.request()) : null;
    send(ctx, problem, problem(ctx, problem, switch (problem) {
      case MALFORMED_REQUEST -> status == 417
          ? "Expect takes only 100-continue (RFC 9110): send the request without it, or with Expect: 100-continue"
          : host != null ? host : "the request could not be read";
      case NOT_FOUND -> "no resource at this path";
      case METHOD_NOT_ALLOWED -> "this path does not accept " + ctx.request().method();
      case NOT_ACCEPTABLE -> "this resource is served as application/json";
      case BODY_TOO_LARGE -> bodyTooLarge;
      case UNSUPPORTED_MEDIA_TYPE -> "send the request body as Content-Type: application/json";
      default -> "the request could not be completed; it was not accepted (request " + RequestIds.of(ctx) + ")";
    }));
  }

  private void respond(RoutingContext ctx, HttpFailure f) {
    Problem problem = f.problem();
    f.headers().forEach(ctx.response()::putHeader);
    if (f.retryAfterSeconds() > 0) {
      ctx.response().putHeader("Retry-After", Integer.toString(f.retryAfterSeconds()));
    }
    if (!problem.isClientError()) {
      long suppressed = refusals.tryAcquire(problem.type());
      if (suppressed >= 0) {
        LOG.warn("{} {} answered {} {} (request {}, {} more like it suppressed in the last 10 s): {}",
            methodOf(ctx), routeOf(ctx), problem.status(), problem.type(),
            RequestIds.of(ctx), suppressed, causeOf(f));
      }
    }
    JsonObject body = problem(ctx, problem, f.getMessage());
    if (!f.violations().isEmpty()) {
      JsonArray errors = new JsonArray();
      for (Violation v : f.violations()) {
        errors.add(new JsonObject().put("pointer", v.pointer()).put("detail", v.detail()));
      }
      body.put("errors", errors);
    }
    f.extensions().forEach(body::put);
    send(ctx, problem, body);
  }

  private void send(RoutingContext ctx, Problem problem, JsonObject body) {
    refusalCounter.accept(ctx, problem);
    if (problem.isClientError()) {
      // one line per refused class, never the request's content (it may hold personal data)
      long suppressed = refusals.tryAcquire(problem.type());
      if (suppressed >= 0) {
        LOG.info("{} {} refused {} {} (request {}, {} more like it suppressed in the last 10 s)",
            methodOf(ctx), routeOf(ctx), problem.status(), problem.type(),
            RequestIds.of(ctx), suppressed);
      }
    }
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    if (unreadable(ctx)) {
      // a request the HTTP/1 codec failed (a NUL in a field value...): Http1Framing closes the connection after the
      // answer, which says so (RFC 9112 9.6)
      UnreadBodies.sayClose(ctx);
    }
    if (problem.closesConnection()) {
      // HTTP/1.x only (UnreadBodies): HTTP/2 forbids connection-specific headers (RFC 9113 8.2.2; strict clients
      // drop the answer as a protocol error), and ends a stream or a connection (GOAWAY) by its own frames
      UnreadBodies.closeAfterAnswer(ctx);
    }
    response.setStatusCode(problem.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    // a HEAD refused (401, 404, 405...) gets the problem's headers without it
    HeadRequests.end(ctx, body.encode());
  }

  private static JsonObject problem(RoutingContext ctx, Problem problem, String detail) {
    return new JsonObject()
        .put("type", problem.typeUri())
        .put("title", problem.title())
        .put("status", problem.status())
        .put("detail", detail)
        // a request line the codec could not read has no path (Netty stands "/bad-request" in for it)
        .put("instance", unreadable(ctx) ? "-" : ctx.request().path())
        .put("requestId", RequestIds.of(ctx));
  }

  private static boolean unreadable(RoutingContext ctx) {
    DecoderResult decoded = ctx.request().decoderResult();
    return decoded != null && decoded.isFailure();
  }

  /**
   * A failure raised by Netty's HTTP/1 decoder while it read this request's body (a bad chunk size is a
   * NumberFormatException from its getChunkSize): the client's, never the hub's own (a failure of a store's
   * connection arrives through a handler, the request long read).
   */
  private static boolean isCodecFailure(RoutingContext ctx, Throwable failure) {
    StackTraceElement[] stack = failure.getStackTrace();
    return !ctx.request().isEnded() && stack.length > 0
        && stack[0].getClassName().equals("io.netty.handler.codec.http.HttpObjectDecoder");
  }

  /**
   * The request ended by the client: its connection closed, its HTTP/2 stream reset (which marks the request ended),
   * or an HTTP/2 protocol error of its own (a frame for a stream never opened...), which Netty raises on the streams
   * it ends. Only the request's own connection raises these on its context (the hub's outgoing calls fail otherwise).
   * Also a connection the client reset (RST: a mobile network's NAT or proxy forgetting it, an app killed) while the
   * body was still arriving: the socket's read fails (ECONNRESET) before the request ends, and no store has been
   * called by then (the body is read first).
   */
  private static boolean isEndedByClient(RoutingContext ctx, Throwable failure) {
    return failure instanceof HttpClosedException || failure instanceof StreamResetException
        || failure instanceof Http2Exception || failure instanceof IOException && !ctx.request().isEnded();
  }

  /** The request's method for a log line: bounded, as any token a client sends there is taken for one. */
  private static String methodOf(RoutingContext ctx) {
    return HttpMethodNames.bounded(ctx.request().method().name());
  }

  /** The route template the request's path matches ("-" for none, or before the router is complete). */
  private String routeOf(RoutingContext ctx) {
    AllowedMethods known = routes;
    return known == null ? "-" : known.routeOf(ctx.normalizedPath());
  }
}
