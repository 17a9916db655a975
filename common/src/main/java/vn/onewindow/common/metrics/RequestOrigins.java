package vn.onewindow.common.metrics;

import io.micrometer.core.instrument.Tag;
import io.vertx.core.spi.observability.HttpRequest;
import java.util.List;
import vn.onewindow.common.http.Loopback;

/**
 * The {@code origin} label of Vert.x's HTTP server request meters ({@code vertx_http_server_*}): {@code warmup} for a
 * starting gateway's synthetic submissions (header {@link #WARMUP_HEADER}, from loopback), {@code probe} for
 * {@code /health/*} and {@code /metrics}, {@code client} for everything else. A new gateway's warm-up answers tens of
 * thousands of 200s in its first seconds, and those in the 5xx ratio's denominator held HubHttp5xxRatioHigh off for
 * minutes after every start (a monitoring tryout), exactly when gateways are added on deadline day; Prometheus's own
 * scrapes met the alert's traffic guard. The alerts and panels leave {@code warmup} and {@code probe} out (a gateway
 * of an earlier release, without the label, still counts). The header is not verified here (the gateway does that): a
 * client sending it from loopback gets its 401 counted as a warm-up's, which no alert reads.
 */
public final class RequestOrigins {
  /** The warm-up's header (its per-process token): the gateway's warm-up sends it, the gateway checks it. */
  public static final String WARMUP_HEADER = "X-Hub-Warmup";

  private static final List<Tag> CLIENT = List.of(Tag.of(MeterNames.TAG_ORIGIN, "client"));
  private static final List<Tag> WARMUP = List.of(Tag.of(MeterNames.TAG_ORIGIN, "warmup"));
  private static final List<Tag> PROBE = List.of(Tag.of(MeterNames.TAG_ORIGIN, "probe"));

  private RequestOrigins() {
  }

  /** For {@code MicrometerMetricsOptions.setServerRequestTagsProvider}: called once per request, so cheap. */
  public static Iterable<Tag> of(HttpRequest request) {
    String uri = request.uri();
    if (uri.startsWith("/health/") || uri.equals("/metrics") || uri.startsWith("/metrics?")) {
      return PROBE;
    }
    if (request.headers().contains(WARMUP_HEADER) && request.remoteAddress() != null
        && Loopback.isHost(request.remoteAddress().hostAddress())) {
      return WARMUP;
    }
    return CLIENT;
  }
}
