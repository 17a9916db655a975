package vn.onewindow.common.config;

import java.time.Duration;

/**
 * The intake workers: batch reads from the partitions' streams, writes to PostgreSQL, sweeps of entries delivered long
 * ago and still queued, and the heartbeat by which workers share the partitions.
 */
public record IntakeConfig(
    int workers,
    int batchSize,
    Duration block,
    Duration readMargin,
    Duration statementTimeout,
    Duration batchTimeout,
    Duration claimIdle,
    Duration claimInterval,
    int maxDeliveries,
    Duration retryBackoff,
    Duration heartbeat,
    Duration readLinger,
    int readLingerBelow) {

  public static IntakeConfig from(Settings s) {
    IntakeConfig c = new IntakeConfig(
        s.intIn("intake.workers", 1, 64),
        s.intIn("intake.batch-size", 1, 10_000),
        s.millis("intake.block-ms", 10, 60_000),
        s.millis("intake.read-margin-ms", 100, 600_000),
        s.millis("intake.statement-timeout-ms", 100, 600_000),
        s.millis("intake.batch-timeout-ms", 100, 1_800_000),
        s.millis("intake.claim-idle-ms", 100, 3_600_000),
        s.millis("intake.claim-interval-ms", 50, 3_600_000),
        s.intIn("intake.max-deliveries", 1, 1000),
        s.millis("intake.retry-backoff-ms", 10, 60_000),
        s.millis("intake.heartbeat-ms", 50, 60_000),
        s.millis("intake.read-linger-ms", 0, 1_000),
        s.intIn("intake.read-linger-below", 1, 10_000));
    if (c.batchTimeout.compareTo(c.statementTimeout) < 0) {
      throw s.invalid("intake.batch-timeout-ms", Long.toString(c.batchTimeout.toMillis()),
          "must be at least intake.statement-timeout-ms (" + c.statementTimeout.toMillis()
              + "): a batch runs its statement, then dead letters and acknowledgements");
    }
    if (c.readLinger.multipliedBy(2).compareTo(c.readMargin) >= 0) {
      // the read loop replaces a read connection silent for half the margin before it reads again (ReadLoop): a
      // linger that long made every read after a small one open a new Redis client and connection, uncounted
      throw s.conflict("{} must be shorter than half of {}: a read connection silent that long is replaced before "
          + "the next read, so every lingering read would open a new connection", "intake.read-linger-ms",
          "intake.read-margin-ms");
    }
    return c;
  }

  /** A worker whose last heartbeat is older than this is presumed dead: its partitions go to the others. */
  public Duration membershipTtl() {
    return heartbeat.multipliedBy(3);
  }

  /**
   * Bound on a heartbeat's call, and on the other short calls of a start (XGROUP CREATE, a worker's or the backlog
   * monitor's): two heartbeats, so one that Redis never answers is given up, and retried, about when the next one
   * would have come.
   */
  public Duration callBound() {
    return heartbeat.multipliedBy(2);
  }

  /**
   * Bound on one sweep round: its Redis calls (XINFO GROUPS, XRANGE, HINCRBY, housekeeping) get this much on top of
   * the batch it runs.
   */
  public Duration claimRoundTimeout() {
    return batchTimeout.plusSeconds(30);
  }
}
