package vn.onewindow.common.config;

import java.time.Duration;

/**
 * Timeliness statistics: the bound on one statistics query, the longest period one request may cover, how often the
 * per-province on-time gauges are refreshed (zero: not by this process), how many statistics requests may wait
 * for the one connection statistics have, and how long an answer is served again before it is counted anew (zero: never).
 */
public record StatsConfig(Duration timeout, int maxPeriodDays, Duration provinceRefresh, int poolWaiting,
                          Duration cache) {

  public static StatsConfig from(Settings s) {
    return new StatsConfig(
        s.millis("stats.timeout-ms", 100, 600_000),
        s.intIn("stats.max-period-days", 1, 3660),
        s.millis("stats.province-refresh-ms", 0, 86_400_000),
        s.intIn("stats.pool-waiting", 1, 4096),
        s.millis("stats.cache-ms", 0, 3_600_000));
  }

  public boolean refreshesProvinces() {
    return !provinceRefresh.isZero();
  }
}
