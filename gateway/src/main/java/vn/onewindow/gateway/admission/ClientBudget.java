package vn.onewindow.gateway.admission;

import io.vertx.core.http.HttpMethod;
import vn.onewindow.common.config.ResilienceConfig.Limit;
import vn.onewindow.common.config.ResilienceConfig.RateLimits;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.metrics.MeterNames.LimitKey;

/**
 * Which of its client's two budgets a request spends. Reads have one of their own: sharing one, a results day's
 * polling of a portal's status pages spent the portal's whole quota and its backend's submissions got 429s (a
 * polling tryout). Either budget is one key and one limiter call, as the one budget was.
 */
enum ClientBudget {
  /** Submissions, progress events, ratings: every call that is not a read. */
  WRITES(LimitKey.CLIENT, "this client"),
  /** GET and HEAD: status look-ups, feeds, the catalogue, statistics. */
  READS(LimitKey.CLIENT_READS, "this client (reads)");

  private final LimitKey meter;
  private final String shownAs;

  ClientBudget(LimitKey meter, String shownAs) {
    this.meter = meter;
    this.shownAs = shownAs;
  }

  static ClientBudget of(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD ? READS : WRITES;
  }

  String key(RedisKeys keys, String clientId) {
    return this == READS ? keys.clientReadLimit(clientId) : keys.clientLimit(clientId);
  }

  Limit limit(RateLimits limits, String quotaClass) {
    return this == READS ? limits.forReads(quotaClass) : limits.forClass(quotaClass);
  }

  /** The decisions' {@code limit} label. */
  LimitKey meter() {
    return meter;
  }

  /** Who a 429 of this budget says is over its limit (never an address). */
  String shownAs() {
    return shownAs;
  }
}
