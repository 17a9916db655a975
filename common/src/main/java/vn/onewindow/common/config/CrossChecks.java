package vn.onewindow.common.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vn.onewindow.common.config.ResilienceConfig.RedisDownPolicy;

/**
 * Rules between settings that are each valid alone but contradict one another. Checked once every record is built,
 * so the process refuses to start (naming both keys and their values) instead of misbehaving under load or during a
 * drain.
 */
final class CrossChecks {
  private static final String DEADLINE = "security.request-timeout-ms";

  private CrossChecks() {
  }

  static void check(Settings s, HubConfig c) {
    Duration deadline = c.security().requestTimeout();
    ResilienceConfig.Breakers breakers = c.resilience().breakers();

    Map<String, Duration> upstreamTimeouts = new LinkedHashMap<>();
    upstreamTimeouts.put("ratelimit.redis-timeout-ms", c.resilience().rateLimits().redisTimeout());
    upstreamTimeouts.put("timeout.redis-enqueue-ms", breakers.redisEnqueueTimeout());
    upstreamTimeouts.put("timeout.postgres-read-ms", breakers.postgresReadTimeout());
    upstreamTimeouts.put("timeout.postgres-write-ms", breakers.postgresWriteTimeout());
    upstreamTimeouts.put("stats.timeout-ms", c.stats().timeout());
    upstreamTimeouts.forEach((key, timeout) -> {
      if (timeout.compareTo(deadline) >= 0) {
        throw s.conflict("{} must be shorter than {}: an upstream call still running at the request deadline "
            + "answers no one (the client has had its 503)", key, DEADLINE);
      }
    });
    submissionPathFitsTheDeadline(s, c, deadline);
    Duration leastEnqueue = ResilienceConfig.Breakers.ENQUEUE_DEADLINE_MARGIN.multipliedBy(2);
    if (breakers.redisEnqueueTimeout().compareTo(leastEnqueue) < 0) {
      throw s.conflict("{} must be at least " + leastEnqueue.toMillis() + " ms: the enqueue script queues nothing "
          + ResilienceConfig.Breakers.ENQUEUE_DEADLINE_MARGIN.toMillis() + " ms before it (its deadline, for the "
          + "hosts' clocks), and every submission would be answered 503 by a healthy Redis",
          "timeout.redis-enqueue-ms");
    }

    if (breakers.slowCall().compareTo(deadline) >= 0) {
      throw s.conflict("{} must be shorter than {}: a call is only counted slow once its client has had the "
          + "deadline 503, so the slow-call rate never opens the breaker in time", "breaker.slow-call-ms", DEADLINE);
    }
    if (c.security().idleTimeout().compareTo(deadline) <= 0) {
      throw s.conflict("{} must be longer than {}: a connection that stays silent while the gateway works on its "
          + "request would be closed before the deadline answer is sent", "security.idle-timeout-seconds", DEADLINE);
    }
    if (c.redis().poolWaiting() < c.redis().poolSize()) {
      throw s.conflict("{} must be at least {}: the Redis client refuses a wait queue shorter than its pool "
          + "(cluster, sentinel and replication clients fail with \"maxWaiting < maxSize\")",
          "redis.pool-waiting", "redis.pool-size");
    }
    if (c.redis().poolSize() < c.redis().connections()) {
      throw s.conflict("{} must be at least {}: each long-lived connection holds one pooled connection (per node in "
          + "cluster mode)", "redis.pool-size", "redis.connections");
    }
    if (c.redis().minReplicasAck() > 0
        && c.redis().replicaAckTimeout().compareTo(c.resilience().breakers().redisEnqueueTimeout()) >= 0) {
      throw s.conflict("{} must be shorter than {}: the replicas' acknowledgement is awaited inside the enqueue call, "
          + "which would time out first and answer an uncertain 503 instead of the retry 503",
          "redis.replica-ack-timeout-ms", "timeout.redis-enqueue-ms");
    }
    if (c.intake().readMargin().compareTo(c.redis().replicaAckTimeout()) <= 0) {
      // the intake closes a Redis connection that received nothing for intake.block-ms + this (a half-open peer);
      // its reads and sweeps end with a WAIT for replicas (redis.min-replicas-ack), which may take the whole timeout
      throw s.conflict("{} must be longer than {}: the intake closes a Redis connection silent for intake.block-ms "
          + "plus the margin, and would close it in the middle of a WAIT for the replicas", "intake.read-margin-ms",
          "redis.replica-ack-timeout-ms");
    }
    Duration announce = c.resilience().drainAnnounce();
    Duration drain = c.resilience().drainTimeout();
    if (announce.compareTo(drain) >= 0) {
      throw s.conflict("{} must be shorter than {}: the announcement would use up the whole drain, leaving "
          + "in-flight requests and the workers' last batch no time to finish",
          "drain.announce-ms", "drain.timeout-ms");
    }
    if (drain.compareTo(deadline) < 0) {
      throw s.conflict("{} must be at least {}: a request admitted just before the drain may run until its "
          + "deadline and would be cut off", "drain.timeout-ms", DEADLINE);
    }
  }

  /**
   * A submission waits for the limiter, then the enqueue, then (Redis down, degraded.redis-down=postgres) the direct
   * PostgreSQL write, one after another: the worst case must still answer before the request deadline.
   */
  private static void submissionPathFitsTheDeadline(Settings s, HubConfig c, Duration deadline) {
    if (c.resilience().redisDown() != RedisDownPolicy.POSTGRES) {
      return;
    }
    List<String> keys = new ArrayList<>();
    Duration total = Duration.ZERO;
    if (c.resilience().rateLimits().enabled()) {
      keys.add("ratelimit.redis-timeout-ms");
      total = total.plus(c.resilience().rateLimits().redisTimeout());
    }
    keys.add("timeout.redis-enqueue-ms");
    keys.add("timeout.postgres-write-ms");
    total = total.plus(c.resilience().breakers().redisEnqueueTimeout())
        .plus(c.resilience().breakers().postgresWriteTimeout());
    if (total.compareTo(deadline) >= 0) {
      String sum = String.join(" + ", keys.stream().map(k -> "{}").toList());
      keys.add(DEADLINE);
      keys.add("degraded.redis-down");
      throw s.conflict(sum + " = " + total.toMillis() + " ms must be shorter than {}: with {} a submission may "
          + "wait for each of them in turn (limiter, enqueue, direct write)", keys.toArray(String[]::new));
    }
  }
}
