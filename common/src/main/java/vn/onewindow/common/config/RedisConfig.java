package vn.onewindow.common.config;

import io.vertx.redis.client.impl.RedisURI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How to reach Redis. {@code url} is empty when an embedded server must be started for this process; in cluster mode
 * it is a comma-separated list of seed nodes. {@code minReplicasAck} &gt; 0 makes every enqueue wait (WAIT, on the
 * connection that ran the script) until that many replicas have the write, at most {@code replicaAckTimeout}.
 * {@code enqueueBatchMax}: the most dossiers of one partition a gateway verticle sends in one enqueue call.
 * {@code poolIdleTimeout}: how long a pooled connection may sit unused before its client's pool closes it.
 */
public record RedisConfig(Mode mode, String url, String keyPrefix, int poolSize, int poolWaiting, int connections,
                          int minReplicasAck, Duration replicaAckTimeout, int enqueueBatchMax,
                          Duration poolIdleTimeout) {

  /** Standalone: one server (or a managed endpoint). Cluster: Redis Cluster, slots spread over several masters. */
  public enum Mode { STANDALONE, CLUSTER }

  public static RedisConfig from(Settings s) {
    Mode mode = s.oneOf("redis.mode", Mode.class);
    String url = s.string("redis.url");
    List<String> seeds = split(url);
    if (mode == Mode.CLUSTER && seeds.isEmpty()) {
      throw s.invalid("redis.url", url, "must list the cluster's seed nodes (redis://host:port,redis://host:port...) "
          + "when redis.mode=cluster: an embedded server is standalone only");
    }
    if (mode == Mode.STANDALONE && seeds.size() > 1) {
      throw s.invalid("redis.url", Secrets.maskUrl(url), "names several servers; set redis.mode=cluster for a cluster");
    }
    if (seeds.stream().anyMatch(seed -> !seed.matches("rediss?://.+"))) {
      throw s.invalid("redis.url", Secrets.maskUrl(url), "must be empty (embedded) or redis:// or rediss:// URLs");
    }
    if (seeds.stream().anyMatch(seed -> !driverReads(seed))) {
      throw s.invalid("redis.url", Secrets.maskUrl(url), "is not a URL the Redis driver reads: "
          + "redis[s]://[[user]:password@]host[:port][/db], with an '@', '/', '?' or '#' of the password "
          + "percent-encoded (%40, %2F, %3F, %23)");
    }
    String prefix = s.string("redis.key-prefix");
    if (prefix.contains(" ") || prefix.contains("{") || prefix.contains("}") || prefix.length() > 64) {
      throw s.invalid("redis.key-prefix", prefix, "must have no spaces or braces (they would change the cluster slot"
          + " of every key) and at most 64 characters");
    }
    return new RedisConfig(mode, String.join(",", seeds), prefix, s.intIn("redis.pool-size", 1, 1024),
        s.intIn("redis.pool-waiting", 1, 1_000_000), s.intIn("redis.connections", 1, 64),
        s.intIn("redis.min-replicas-ack", 0, 16),
        s.millis("redis.replica-ack-timeout-ms", 1, 60_000), s.intIn("redis.enqueue-batch-max", 1, 256),
        s.millis("redis.pool-idle-timeout-ms", 1_000, 3_600_000));
  }

  /**
   * Whether the driver's own parser reads {@code seed}: it reads a URL only as a client is created, on an event loop
   * (BacklogMonitor, the verticles), where its IllegalArgumentException left the process running and never ready,
   * a password with an unencoded '@' being the usual cause (StartFailureTest). Its message is not kept: it may quote
   * the URL.
   */
  private static boolean driverReads(String seed) {
    try {
      new RedisURI(seed);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static List<String> split(String url) {
    return Arrays.stream(url.split(",")).map(String::trim).filter(seed -> !seed.isEmpty()).toList();
  }

  /**
   * How long a connection of a client whose longest awaited reply is {@code longestReply} may receive nothing before
   * it is presumed dead and closed (RedisClients.ring/create with a silence): twice that reply, or twice
   * {@code replicaAckTimeout} when every enqueue ends with a WAIT and that is longer. Twice, because a ring keeps its
   * members warm so that a reply always has three quarters of the silence (ConnectionRing), and what is left over
   * absorbs a busy event loop's late timers; derived rather than a knob of its own, so it cannot be set below a reply
   * the client legitimately waits for.
   */
  public Duration silenceAbove(Duration longestReply) {
    Duration longest = minReplicasAck > 0 && replicaAckTimeout.compareTo(longestReply) > 0
        ? replicaAckTimeout : longestReply;
    return longest.multipliedBy(2);
  }

  public boolean embedded() {
    return url.isEmpty();
  }

  public boolean cluster() {
    return mode == Mode.CLUSTER;
  }

  /**
   * Whether the masters should have replicas: in cluster mode, or when enqueues wait for them. A standalone server
   * otherwise (the embedded one in development) has none by design.
   */
  public boolean replicasExpected() {
    return cluster() || minReplicasAck > 0;
  }

  /** The configured URLs: one in standalone mode, the seed nodes in cluster mode. */
  public List<String> seeds() {
    return split(url);
  }

  public RedisConfig withUrl(String url) {
    return new RedisConfig(mode, url, keyPrefix, poolSize, poolWaiting, connections, minReplicasAck, replicaAckTimeout,
        enqueueBatchMax, poolIdleTimeout);
  }

  public RedisConfig withPoolSize(int size) {
    return new RedisConfig(mode, url, keyPrefix, size, Math.max(size, poolWaiting), connections,
        minReplicasAck, replicaAckTimeout, enqueueBatchMax, poolIdleTimeout);
  }

  @Override
  public String toString() {
    return "RedisConfig[mode=" + mode + ", url=" + Secrets.maskUrl(url) + ", keyPrefix=" + keyPrefix + ", poolSize="
        + poolSize + ", poolIdleTimeout=" + poolIdleTimeout.toMillis() + "ms, minReplicasAck=" + minReplicasAck + "]";
  }
}
