package vn.onewindow.common.warmup;

import io.vertx.core.Vertx;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * When a warm-up may end early: once the JIT compiler has settled, more synthetic work only delays readiness. Settled
 * means that in the last second it compiled for less than {@link #SETTLED_SHARE} of that second, after at least a
 * minimum amount of synthetic work (before that, a quiet second says the work has barely started, not that its paths
 * are compiled). The gateway's and the intake's warm-ups end by the same rule.
 */
public final class JitSettled {
  public static final double SETTLED_SHARE = 0.05;

  private JitSettled() {
  }

  /**
   * Checks once a second; runs {@code settled} once (on the timer's context) when the JIT has settled after
   * {@code done} reached {@code minDone}. Returns the timer to cancel when the warm-up ends for another reason, or -1
   * when this JVM reports no compilation time (the warm-up then runs to its cap).
   */
  public static long watch(Vertx vertx, LongSupplier done, long minDone, Runnable settled) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return -1;
    }
    long[] compiledMs = {jit.getTotalCompilationTime()};
    return vertx.setPeriodic(1000, 1000, id -> {
      long now = jit.getTotalCompilationTime();
      long lastSecond = now - compiledMs[0];
      compiledMs[0] = now;
      if (done.getAsLong() >= minDone && lastSecond < SETTLED_SHARE * 1000) {
        vertx.cancelTimer(id);
        settled.run();
      }
    });
  }
}
