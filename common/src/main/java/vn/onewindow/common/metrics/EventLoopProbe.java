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
  /**
   * The last late firings kept per loop (at least {@link #LATE} late: a timer on an idle loop fires a fraction of a
   * millisecond late, and keeping those would let every firing of a few seconds' wait push the stalls out of the
   * ring, the more so with several probes on one loop).
   */
  private static final int KEPT = 64;
  private static final long LATE = TimeUnit.MILLISECONDS.toNanos(1);
  /** The firings of the probes on this thread (an event loop), once one has fired; null on any other thread. */
  private static final ThreadLocal<Firings> FIRINGS = new ThreadLocal<>();

  /**
   * When each of the last late firings came, and how late; used on its event loop only. Lateness is the loop's, not
   * one probe's: measured from the previous firing of any probe on the loop, so several probes on one loop (more
   * verticles than event loops: a hub's gateway verticles and intake workers) see a stall once, not once each.
   */
  private static final class Firings {
    private final long[] at = new long[KEPT];
    private final long[] late = new long[KEPT];
    private int next;
    private long last;

    private Firings(long last) {
      this.last = last;
    }

    private void fired(long now) {
      long lateness = now - last - PERIOD_NANOS;
      last = now;
      if (lateness >= LATE) {
        at[next] = now;
        late[next] = lateness;
        next = (next + 1) % KEPT;
      }
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
      Firings firings = FIRINGS.get();
      if (firings == null) {
        firings = new Firings(last[0]);
        FIRINGS.set(firings);
      }
      last[0] = now;
      firings.fired(now);
    });
  }

  /**
   * How long the calling event loop has been stalled since {@code startNanos} (System.nanoTime), as its probes saw
   * it: the lateness of its firings since then, added up (a flood stalls a loop turn after turn, each turn shorter than
   * the whole wait), and of the firing now overdue; of a stall that began before {@code startNanos} only its part
   * after it (a call started at the end of a long turn waited for none of it). Never more than the time since
   * {@code startNanos}. 0 off an event loop with a probe.
   */
  public static long stalledSince(long startNanos) {
    Firings firings = FIRINGS.get();
    if (firings == null) {
      return 0;
    }
    long now = System.nanoTime();
    // each stall ran from when its firing was due (at - late) to when it came (at): counted from startNanos on
    long stalled = Math.max(0, Math.min(now - firings.last - PERIOD_NANOS, now - startNanos));
    for (int i = 0; i < KEPT; i++) {
      long after = firings.at[i] - startNanos;
      if (after > 0) {
        stalled += Math.min(firings.late[i], after);
      }
    }
    return stalled;
  }
}
