package vn.onewindow.gateway.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumMap;
import java.util.Map;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.Outcome;

/** Counts every submission once, by outcome and channel (both bounded sets). */
public final class SubmissionOutcomes {
  public static final String SUBMIT_PATH = "/v1/dossiers";
  private static final String CHANNEL_KEY = "submission.channel";
  private static final String[] CHANNELS = {"online", "counter", "postal", "unknown"};

  private final Map<Outcome, Map<String, Counter>> counters = new EnumMap<>(Outcome.class);

  public SubmissionOutcomes(MeterRegistry registry) {
    for (Outcome outcome : Outcome.values()) {
      Map<String, Counter> byChannel = new java.util.HashMap<>();
      for (String channel : CHANNELS) {
        byChannel.put(channel, Counter.builder(MeterNames.SUBMISSIONS)
            .description("Dossier submissions by outcome")
            .tag(MeterNames.TAG_OUTCOME, outcome.tag())
            .tag(MeterNames.TAG_CHANNEL, channel)
            .register(registry));
      }
      counters.put(outcome, byChannel);
    }
  }

  /** Remembers the dossier's channel so a later failure is counted under it (any other value counts as unknown). */
  public static void channel(RoutingContext ctx, String channel) {
    ctx.put(CHANNEL_KEY, channel);
  }

  public void record(RoutingContext ctx, Outcome outcome) {
    String channel = ctx.get(CHANNEL_KEY);
    Map<String, Counter> byChannel = counters.get(outcome);
    byChannel.getOrDefault(channel == null ? "unknown" : channel, byChannel.get("unknown")).increment();
  }

  void recordFailure(RoutingContext ctx, int status, String type) {
    if (ctx.request().method() != HttpMethod.POST || !SUBMIT_PATH.equals(ctx.request().path())) {
      return;
    }
    record(ctx, switch (status) {
      case 400, 408, 414, 431 -> Outcome.MALFORMED;
      case 409 -> Outcome.CONFLICT;
      case 413 -> Outcome.TOO_LARGE;
      case 415 -> Outcome.UNSUPPORTED_MEDIA_TYPE;
      case 401, 403 -> Outcome.UNAUTHORIZED;
      case 422 -> Outcome.INVALID;
      case 429 -> Outcome.RATE_LIMITED;
      case 503 -> switch (type) {
        case "overloaded", "shutting-down" -> Outcome.SHED;
        case "circuit-open" -> Outcome.BREAKER_OPEN;
        default -> Outcome.UPSTREAM_ERROR;
      };
      default -> Outcome.UPSTREAM_ERROR;
    });
  }
}
