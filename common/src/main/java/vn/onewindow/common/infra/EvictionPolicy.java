package vn.onewindow.common.infra;

import io.vertx.core.Future;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a Redis master evicts keys at its maxmemory, as each of {@link BacklogMonitor}'s samples reads it (INFO
 * memory's {@code maxmemory_policy}, on every master). The stream, the epoch markers, the daily counters and the
 * Idempotency-Key records must never be evicted (README, Guarantees): an evicting Redis refuses the start, and one that
 * starts evicting later is said once, as an ERROR, and shown by {@code hub_redis_evicting}. A Redis-full tryout on
 * {@code volatile-lru} gave 989 dossiers a 202 with codes PostgreSQL already held, 966 of them second dossiers of one
 * Idempotency-Key.
 */
public final class EvictionPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(EvictionPolicy.class);

  /** A Redis master whose maxmemory-policy evicts keys: the hub's start refuses it. */
  public static final class EvictingRedis extends RuntimeException {
    EvictingRedis(String message) {
      super(message);
    }
  }

  /** The maxmemory-policy of a master that evicts keys, as last read; null while each says noeviction (or unread). */
  private volatile String evicting;
  /** Past the start's check: a policy change is logged from now on. */
  private volatile boolean running;

  /**
   * The start's check, after the first sample: fails with {@link EvictingRedis} when a master that answered evicts
   * keys. A Redis that did not answer is told of once it does (an ERROR, the gauge), not refused.
   */
  Future<Void> checkAtStart() {
    String policy = evicting;
    if (policy != null) {
      return Future.failedFuture(new EvictingRedis(message(policy) + ": refusing to start"));
    }
    running = true;
    return Future.succeededFuture();
  }

  /**
   * {@code policy}: a master's that evicts keys, or null. Once running, a change is said once: an ERROR while a master
   * evicts (a CONFIG SET after the start, a failover to a node configured otherwise), an INFO when none does again.
   */
  void read(String policy) {
    String was = evicting;
    evicting = policy;
    if (!running || Objects.equals(was, policy)) {
      return;
    }
    if (policy != null) {
      LOG.error("{}", message(policy));
    } else {
      LOG.info("Redis has maxmemory-policy noeviction again: no key of the hub is evicted at maxmemory");
    }
  }

  boolean evicting() {
    return evicting != null;
  }

  static String message(String policy) {
    return "a Redis master evicts keys at its maxmemory (maxmemory-policy " + policy + "): it may drop queued dossiers, "
        + "the daily code counters and Idempotency-Key records (dossiers lost, codes issued twice, a retry made a "
        + "second dossier); set maxmemory-policy noeviction (README, Guarantees)";
  }
}
