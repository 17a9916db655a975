package vn.onewindow.gateway.admission;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import vn.onewindow.common.config.ResilienceConfig.Limit;

/**
 * The same GCRA as gcra.lua, kept in this process: the fallback while the shared store (Redis) is unhealthy.
 * Callers pass each instance's share of the limit, so N instances together still admit about the total.
 */
public final class LocalRateLimiter {
  private final Clock clock;
  private final ConcurrentHashMap<String, Double> theoreticalArrival = new ConcurrentHashMap<>();

  public LocalRateLimiter(Clock clock) {
    this.clock = clock;
  }

  public LimitDecision acquire(String key, Limit limit) {
    double interval = limit.intervalMs();
    double tolerance = interval * limit.burst();
    long now = clock.millis();
    LimitDecision[] decision = new LimitDecision[1];
    theoreticalArrival.compute(key, (k, stored) -> {
      double tat = stored == null ? now : Math.max(stored, now);
      double newTat = tat + interval;
      if (newTat - tolerance > now) {
        decision[0] = new LimitDecision(false, limit.burst(), 0, (long) Math.ceil(newTat - tolerance - now),
            (long) Math.ceil(tat - now));
        return stored;
      }
      decision[0] = new LimitDecision(true, limit.burst(), (long) Math.floor((tolerance - (newTat - now)) / interval),
          0, (long) Math.ceil(newTat - now));
      return newTat;
    });
    return decision[0];
  }

  /**
   * The two limits of a publishable key's call, as rate-limit-address.lua decides them: the address's first, and a
   * call either refuses takes from neither (the address's share is given back when the client's refuses; a call of
   * the same address in between may find its budget one share short).
   */
  public AddressedDecision acquire(String addressKey, Limit address, String clientKey, Limit client) {
    LimitDecision byAddress = acquire(addressKey, address);
    if (!byAddress.allowed()) {
      return new AddressedDecision(byAddress, null);
    }
    LimitDecision byClient = acquire(clientKey, client);
    if (!byClient.allowed()) {
      theoreticalArrival.computeIfPresent(addressKey, (k, tat) -> tat - address.intervalMs());
    }
    return new AddressedDecision(byAddress, byClient);
  }

  /** Forgets keys whose bucket is full again; called periodically so idle clients cost no memory. */
  public void evictIdle() {
    long now = clock.millis();
    theoreticalArrival.entrySet().removeIf(e -> e.getValue() <= now);
  }

  int trackedKeys() {
    return theoreticalArrival.size();
  }
}
