package vn.onewindow.common.config;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * The warm-ups of a new process before it turns ready. The gateway's: synthetic submissions through its own HTTP
 * pipeline (JIT, pools, validator caches) for at most {@code duration} or {@code maxRequests}, {@code concurrency} at
 * a time; nothing is queued or stored. The intake's: synthetic dossiers through its real read and INSERT path, every
 * transaction rolled back, for at most {@code intakeDuration} or {@code intakeMaxEntries}, before its workers consume.
 * Zero {@code duration} turns both off (the tests' default); zero {@code intakeDuration} only the intake's. Whatever
 * their caps, both end at the latest {@code readyWithin} after the JVM started ({@link #deadlineNanos}).
 */
public record WarmupConfig(Duration duration, int maxRequests, int concurrency, Duration intakeDuration,
                           int intakeMaxEntries, Duration readyWithin) {

  public static WarmupConfig from(Settings s) {
    return new WarmupConfig(
        s.millis("warmup.duration-ms", 0, 120_000),
        s.intIn("warmup.max-requests", 1, 1_000_000),
        s.intIn("warmup.concurrency", 1, 256),
        // bounded well under the 15 s a new process has to turn ready
        s.millis("warmup.intake-duration-ms", 0, 10_000),
        s.intIn("warmup.intake-max-entries", 1, 1_000_000),
        s.millis("warmup.ready-within-ms", 1_000, 600_000));
  }

  /**
   * When a warm-up allowed {@code cap} must end, as a {@link System#nanoTime} deadline: at its cap, and at the latest
   * {@code readyWithin} after this JVM started. A new process has 15 s to turn ready; its warm-up starts after the
   * JVM, the configuration and the connections are up, which takes 1.5-4 s on this project's 2-core box and more on
   * a busy one, so a fixed cap alone can push readiness past the budget (13-14 s measured with the 10 s cap). A slow
   * start shortens the warm-up instead.
   */
  public long deadlineNanos(Duration cap) {
    long jvmStarted = ManagementFactory.getRuntimeMXBean().getStartTime();
    return System.nanoTime() + remainingNanos(cap, jvmStarted, System.currentTimeMillis());
  }

  /** What is left of {@code cap} at {@code nowMillis} for a JVM started at {@code startedMillis}; never negative. */
  long remainingNanos(Duration cap, long startedMillis, long nowMillis) {
    long budgetLeftMs = Math.max(0, startedMillis + readyWithin.toMillis() - nowMillis);
    return Math.min(cap.toNanos(), Duration.ofMillis(budgetLeftMs).toNanos());
  }

  public boolean enabled() {
    return !duration.isZero();
  }

  public boolean intakeEnabled() {
    return enabled() && !intakeDuration.isZero();
  }
}
