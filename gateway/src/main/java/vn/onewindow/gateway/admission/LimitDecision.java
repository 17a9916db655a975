package vn.onewindow.gateway.admission;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.redis.client.Response;
import java.util.Map;
import vn.onewindow.common.config.ResilienceConfig.Limit;

/**
 * One rate-limit answer, rendered as the RateLimit-* headers of draft-ietf-httpapi-ratelimit-headers:
 * Limit = the burst quota, Remaining = what is left of it, Reset = seconds until it is whole again.
 */
public record LimitDecision(boolean allowed, int limit, long remaining, long retryAfterMs, long resetMs) {

  public static final LimitDecision UNLIMITED = new LimitDecision(true, -1, -1, 0, 0);

  /** From the {allowed, remaining, retry_after_ms, reset_ms} reply of gcra.lua. */
  static LimitDecision fromGcra(Response reply, int offset, Limit limit) {
    return new LimitDecision(reply.get(offset).toInteger() == 1, limit.burst(), reply.get(offset + 1).toLong(),
        reply.get(offset + 2).toLong(), reply.get(offset + 3).toLong());
  }

  public int retryAfterSeconds() {
    return (int) Math.max(1, (retryAfterMs + 999) / 1000);
  }

  /** The RateLimit-* headers of this decision; none when no limit applied. */
  public Map<String, String> headers() {
    if (limit < 0) {
      return Map.of();
    }
    return Map.of(
        "RateLimit-Limit", Integer.toString(limit),
        "RateLimit-Remaining", Long.toString(Math.max(0, remaining)),
        "RateLimit-Reset", Long.toString((resetMs + 999) / 1000));
  }

  public void addHeaders(HttpServerResponse response) {
    headers().forEach(response::putHeader);
  }
}
