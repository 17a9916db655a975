package vn.onewindow.common.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Measures how late a periodic timer fires on the calling verticle's event loop: a saturated or blocked loop shows
 * up as lag long before requests time out. Start it from each verticle's start() so every loop is covered.
 */
public final class EventLoopProbe {
  /** Often enough to see a stall of a few hundred ms, rare enough to cost nothing (10 timers a second). */
  private static final long PERIOD_MS = 100;

  private EventLoopProbe() {
  }

  public static long start(Vertx vertx, MeterRegistry registry) {
    Timer lag = LatencyTimers.register(MeterNames.EVENT_LOOP_LAG, "How late a 100 ms timer fires on an event loop",
        registry);
    long[] last = {System.nanoTime()};
    return vertx.setPeriodic(PERIOD_MS, id -> {
      long now = System.nanoTime();
      lag.record(Math.max(0, now - last[0] - TimeUnit.MILLISECONDS.toNanos(PERIOD_MS)), TimeUnit.NANOSECONDS);
      last[0] = now;
    });
  }
}
