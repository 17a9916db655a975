package vn.onewindow.common.config;

import java.time.Duration;

/**
 * The gateway's warm-up before it turns ready: synthetic submissions through its own HTTP pipeline (JIT, pools,
 * validator caches) for at most {@code duration} or {@code maxRequests}, {@code concurrency} at a time; nothing is
 * queued or stored. Zero duration: no warm-up.
 */
public record WarmupConfig(Duration duration, int maxRequests, int concurrency) {

  public static WarmupConfig from(Settings s) {
    return new WarmupConfig(
        s.millis("warmup.duration-ms", 0, 120_000),
        s.intIn("warmup.max-requests", 1, 1_000_000),
        s.intIn("warmup.concurrency", 1, 256));
  }

  public boolean enabled() {
    return !duration.isZero();
  }
}
