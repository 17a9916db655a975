package vn.onewindow.common.config;

import java.time.Duration;

/**
 * The warm-ups of a new process before it turns ready. The gateway's: synthetic submissions through its own HTTP
 * pipeline (JIT, pools, validator caches) for at most {@code duration} or {@code maxRequests}, {@code concurrency} at
 * a time; nothing is queued or stored. The intake's: synthetic dossiers through its real read and INSERT path, every
 * transaction rolled back, for at most {@code intakeDuration} or {@code intakeMaxEntries}, before its workers consume.
 * Zero {@code duration} turns both off (the tests' default); zero {@code intakeDuration} only the intake's.
 */
public record WarmupConfig(Duration duration, int maxRequests, int concurrency, Duration intakeDuration,
                           int intakeMaxEntries) {

  public static WarmupConfig from(Settings s) {
    return new WarmupConfig(
        s.millis("warmup.duration-ms", 0, 120_000),
        s.intIn("warmup.max-requests", 1, 1_000_000),
        s.intIn("warmup.concurrency", 1, 256),
        // bounded well under the 15 s a new process has to turn ready
        s.millis("warmup.intake-duration-ms", 0, 10_000),
        s.intIn("warmup.intake-max-entries", 1, 1_000_000));
  }

  public boolean enabled() {
    return !duration.isZero();
  }

  public boolean intakeEnabled() {
    return enabled() && !intakeDuration.isZero();
  }
}
