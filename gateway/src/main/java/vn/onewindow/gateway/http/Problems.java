package vn.onewindow.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.metrics.ThrottledLog;
import vn.onewindow.gateway.validation.Violation;

/**
 * The one place where failures become HTTP answers: every 4xx/5xx of the gateway is an
 * {@code application/problem+json} document, with no stack trace or internal detail in it.
 */
public final class Problems {
  public static final String CONTENT_TYPE = "application/problem+json";
  public static final String TYPE_BASE = "https://hub.onewindow.gov.vn/problems/";
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private final SubmissionOutcomes outcomes;
  private final ThrottledLog refusals = ThrottledLog.everyTenSeconds();

  public Problems(SubmissionOutcomes outcomes) {
    this.outcomes = outcomes;
  }

  /** Failure handler: a handler failed the context with an exception or a bare status code. */
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof HttpFailure f) {
      respond(ctx, f);
    } else if (failure == null || ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      respondToStatus(ctx, ctx.statusCode() < 0 ? 500 : ctx.statusCode());
    } else {
      LOG.error("unhandled failure on {} {} (request {})", ctx.request().method(), ctx.currentRoute() == null
          ? "-" : ctx.currentRoute().getPath(), RequestIds.of(ctx), failure);
      respondToStatus(ctx, 500);
    }
  }

  /** Error handler for a status the router produced itself (404, 405, 413, 415...). */
  public void respondToStatus(RoutingContext ctx, int status) {
    switch (status) {
      case 400 -> write(ctx, 400, "malformed-request", "Malformed request", "the request could not be read");
      case 404 -> write(ctx, 404, "not-found", "Not found", "no resource at this path");
      case 405 -> write(ctx, 405, "method-not-allowed", "Method not allowed",
          "this path does not accept " + ctx.request().method());
      case 406 -> write(ctx, 406, "not-acceptable", "Not acceptable", "this resource is served as application/json");
      case 413 -> {
        // The rest of an oversized body is never read: close the connection instead of draining it.
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        write(ctx, 413, "body-too-large", "Request body too large", "the request body exceeds the configured limit");
      }
      case 415 -> write(ctx, 415, "unsupported-media-type", "Unsupported media type",
          "send the dossier as Content-Type: application/json");
      default -> write(ctx, 500, "internal-error", "Internal error",
          "the request could not be completed; it was not accepted (request " + RequestIds.of(ctx) + ")");
    }
  }

  private void respond(RoutingContext ctx, HttpFailure f) {
    f.headers().forEach(ctx.response()::putHeader);
    if (f.retryAfterSeconds() > 0) {
      ctx.response().putHeader("Retry-After", Integer.toString(f.retryAfterSeconds()));
    }
    if (f.status() >= 500) {
      long suppressed = refusals.tryAcquire(f.type());
      if (suppressed >= 0) {
        LOG.warn("{} {} answered {} {} (request {}, {} more like it suppressed in the last 10 s): {}",
            ctx.request().method(), routeOf(ctx), f.status(), f.type(), RequestIds.of(ctx), suppressed,
            f.getCause() == null ? f.getMessage() : f.getCause().getClass().getSimpleName());
      }
    }
    JsonObject body = problem(ctx, f.status(), f.type(), f.title(), f.getMessage());
    if (!f.violations().isEmpty()) {
      JsonArray errors = new JsonArray();
      for (Violation v : f.violations()) {
        errors.add(new JsonObject().put("pointer", v.pointer()).put("detail", v.detail()));
      }
      body.put("errors", errors);
    }
    if ("shutting-down".equals(f.type())) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    send(ctx, f.status(), f.type(), body);
  }

  private void write(RoutingContext ctx, int status, String type, String title, String detail) {
    send(ctx, status, type, problem(ctx, status, type, title, detail));
  }

  private void send(RoutingContext ctx, int status, String type, JsonObject body) {
    outcomes.recordFailure(ctx, status, type);
    if (status < 500) {
      // one line per refused class, never the request's content (it may hold personal data)
      long suppressed = refusals.tryAcquire(type);
      if (suppressed >= 0) {
        LOG.info("{} {} refused {} {} (request {}, {} more like it suppressed in the last 10 s)",
            ctx.request().method(), routeOf(ctx), status, type, RequestIds.of(ctx), suppressed);
      }
    }
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body.encode());
  }

  private static JsonObject problem(RoutingContext ctx, int status, String type, String title, String detail) {
    return new JsonObject()
        .put("type", TYPE_BASE + type)
        .put("title", title)
        .put("status", status)
        .put("detail", detail)
        .put("instance", ctx.request().path())
        .put("requestId", RequestIds.of(ctx));
  }

  private static String routeOf(RoutingContext ctx) {
    return ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "-" : ctx.currentRoute().getPath();
  }
}
