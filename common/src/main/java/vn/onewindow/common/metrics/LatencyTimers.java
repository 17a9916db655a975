package vn.onewindow.common.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** Every latency the hub measures uses the same histogram buckets, 1 ms to 10 s, so SLO queries line up. */
public final class LatencyTimers {
  private LatencyTimers() {
  }

  public static Timer register(String name, String description, MeterRegistry registry, String... tags) {
    return Timer.builder(name)
        .description(description)
        .tags(tags)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }
}
