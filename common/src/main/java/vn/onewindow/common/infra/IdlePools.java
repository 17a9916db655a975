package vn.onewindow.common.infra;

import java.time.Duration;

/** How often a pool looks for connections unused past its idle timeout (postgres/redis pool idle timeouts). */
final class IdlePools {
  private IdlePools() {
  }

  /**
   * A quarter of the idle timeout, at least 250 ms and at most a second: an idle connection is closed within 1.25
   * times the timeout, and the scan (the pool's slots, no I/O) never runs more often than four times a second.
   */
  static int cleanerPeriodMillis(Duration idleTimeout) {
    return (int) Math.max(250, Math.min(1000, idleTimeout.toMillis() / 4));
  }
}
