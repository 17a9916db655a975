package vn.onewindow.common.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Measures how late a periodic timer fires on the calling verticle's event loop: a saturated or blocked loop shows
 * up as lag long before requests time out. Start it from each verticle's start() so every loop is covered.
 *
 * <p>It also tells a call timed on that loop how much of its wait was the loop's own ({@link #stalledSince}): under
 * a flood a turn of a gateway's loop took up to 2.5 s (ops/bench/overload.sh), and every Redis or PostgreSQL call whose
 * reply waited for it looked slow or timed out, so the breakers opened on healthy stores and the gateway refused what
 * it could have served (UpstreamBreakers).
 */
public final class EventLoopProbe {
  /** Often enough to see a stall of a few hundred ms, rare enough to cost nothing (10 timers a second). */
  private static final long PERIOD_MS = 100;
  private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(PERIOD_MS);
  /** The last firings kept per loop: at least 3.2 s, longer than any call's timeout is meant to be waited out. */
  private static final int KEPT = 32;
  /** The firings of the probes on this thread (an event loop), once one has fired; null on any other thread. */
  private static final ThreadLocal<Firings> FIRINGS = new ThreadLocal<>();

  /** When each of the last firings came, and how late; used on its event loop only. */
  private static final class Firings {
    private final long[] at = new long[KEPT];
    private final long[] late = new long[KEPT];
    private int next;
    private long last;

    private void fired(long now, long lateness) {
      at[next] = now;
      late[next] = lateness;
      next = (next + 1) % KEPT;
      last = now;
    }
  }

  private EventLoopProbe() {
  }

  public static long start(Vertx vertx, MeterRegistry registry) {
    Timer lag = LatencyTimers.register(MeterNames.EVENT_LOOP_LAG, "How late a 100 ms timer fires on an event loop",
        registry);
    long[] last = {System.nanoTime()};
    return vertx.setPeriodic(PERIOD_MS, id -> {
      long now = System.nanoTime();
      long lateness = Math.max(0, now - last[0] - PERIOD_NANOS);
      lag.record(lateness, TimeUnit.NANOSECONDS);
      last[0] = now;
      Firings firings = FIRINGS.get();
      if (firings == null) {
        firings = new Firings();
        FIRINGS.set(firings);
      }
      firings.fired(now, lateness);
    });
  }

  /**
   * How long the calling event loop has been stalled since {@code startNanos} (System.nanoTime), as its probe saw it:
   * the lateness of its firings since then, added up (a flood stalls a loop turn after turn, each turn shorter than the
   * whole wait), and of the firing now overdue. A stall that began before {@code startNanos} counts whole: the caller
   * bounds the sum by what it waited. 0 off an event loop with a probe.
   */
  public static long stalledSince(long startNanos) {
    Firings firings = FIRINGS.get();
    if (firings == null) {
      return 0;
    }
    long stalled = Math.max(0, System.nanoTime() - firings.last - PERIOD_NANOS);
    for (int i = 0; i < KEPT; i++) {
      if (firings.at[i] - startNanos > 0) {
        stalled += firings.late[i];
      }
    }
    return stalled;
  }
}
