package vn.onewindow.gateway.http;

import io.vertx.ext.web.RoutingContext;

/**
 * The moment (epoch milliseconds, this host's clock) a request's deadline answers it
 * ({@code security.request-timeout-ms} from its headers): set by the deadline handler, read by the steps that must
 * finish their work before it, such as the enqueue, whose script queues nothing after the client has had its 503.
 */
public final class RequestDeadline {
  private static final String KEY = "request.deadline";

  private RequestDeadline() {
  }

  public static void set(RoutingContext ctx, long epochMillis) {
    ctx.put(KEY, epochMillis);
  }

  /** The request's deadline; {@link Long#MAX_VALUE} for a route the deadline handler does not cover. */
  public static long of(RoutingContext ctx) {
    Long deadline = ctx.get(KEY);
    return deadline == null ? Long.MAX_VALUE : deadline;
  }
}
