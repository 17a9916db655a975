package vn.onewindow.gateway.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import vn.onewindow.common.dossier.Channel;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.Outcome;
import vn.onewindow.gateway.security.Caller;

/**
 * Counts every submission once, by outcome and channel (both bounded sets): accepted ones by the submit step, refused
 * ones by {@link Problems} with the outcome their {@link Problem} names.
 */
public final class SubmissionOutcomes {
  private static final String CHANNEL_KEY = "submission.channel";

  private final Map<Outcome, Map<String, Counter>> counters = new EnumMap<>(Outcome.class);

  public SubmissionOutcomes(MeterRegistry registry) {
    for (Outcome outcome : Outcome.values()) {
      Map<String, Counter> byChannel = new HashMap<>();
      for (String channel : channelTags()) {
        byChannel.put(channel, Counter.builder(MeterNames.SUBMISSIONS)
            .description("Dossier submissions by outcome")
            .tag(MeterNames.TAG_OUTCOME, outcome.tag())
            .tag(MeterNames.TAG_CHANNEL, channel)
            .register(registry));
      }
      counters.put(outcome, byChannel);
    }
  }

  /** Remembers the dossier's channel so a later failure is counted under it (none known: counted as unknown). */
  public static void channel(RoutingContext ctx, Optional<Channel> channel) {
    ctx.put(CHANNEL_KEY, channel.map(Channel::tag).orElse(Channel.UNKNOWN_TAG));
  }

  public void record(RoutingContext ctx, Outcome outcome) {
    if (Caller.of(ctx).isWarmup()) {
      return;
    }
    String channel = ctx.get(CHANNEL_KEY);
    Map<String, Counter> byChannel = counters.get(outcome);
    byChannel.get(channel == null ? Channel.UNKNOWN_TAG : channel).increment();
  }

  /** A refused request counts as a submission when it was one: whatever refused it, router or handler. */
  void recordFailure(RoutingContext ctx, Problem problem) {
    if (ctx.request().method() == HttpMethod.POST && Routes.DOSSIERS.equals(ctx.request().path())) {
      record(ctx, problem.outcome());
    }
  }

  private static String[] channelTags() {
    Channel[] channels = Channel.values();
    String[] tags = new String[channels.length + 1];
    for (int i = 0; i < channels.length; i++) {
      tags[i] = channels[i].tag();
    }
    tags[channels.length] = Channel.UNKNOWN_TAG;
    return tags;
  }
}
