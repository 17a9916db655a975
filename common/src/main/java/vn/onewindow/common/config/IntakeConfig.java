package vn.onewindow.common.config;

import java.time.Duration;

public record IntakeConfig(
    int workers,
    int batchSize,
    Duration block,
    Duration claimIdle,
    Duration claimInterval,
    int maxDeliveries,
    Duration retryBackoff) {

  public static IntakeConfig from(Settings s) {
    return new IntakeConfig(
        s.intIn("intake.workers", 1, 64),
        s.intIn("intake.batch-size", 1, 10_000),
        s.millis("intake.block-ms", 10, 60_000),
        s.millis("intake.claim-idle-ms", 100, 3_600_000),
        s.millis("intake.claim-interval-ms", 50, 3_600_000),
        s.intIn("intake.max-deliveries", 1, 1000),
        s.millis("intake.retry-backoff-ms", 10, 60_000));
  }
}
