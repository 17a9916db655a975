package vn.onewindow.common.infra;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisCluster;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.RequestGrouping;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.dossier.PartitionTags;
import vn.onewindow.common.metrics.ThrottledLog;

/**
 * A few long-lived connections that one verticle pipelines its commands on, round-robin, in front of the pooled
 * client. In cluster mode each of them holds a socket to every node, and keeps serving the healthy shards while one
 * master is down: the pooled client's {@code send()} opens a connection to every node of its slot map per call, so
 * during a failover it fails for every shard until the dead master has left the map (vertx-redis-client 5.0.10,
 * see ops/docs/redis-cluster-notes.md b2). A member whose socket broke is replaced in the background, the old one
 * serving meanwhile; until the ring's first connections exist the pooled client answers, and so does it for a command
 * a member refused before sending it (its socket to that node closed: a dead master, or a slot map not yet refreshed
 * after a failover). A command that may have reached Redis is never sent twice.
 *
 * <p>Given the {@code silence} after which its client closes a connection that received nothing (Netty read-idle,
 * {@link RedisClients#create(Vertx, vn.onewindow.common.config.RedisConfig, String, Duration)}), the ring keeps
 * its members from going that quiet while they are healthy: a member that has received no reply for an eighth of
 * it is sent a PING (looked at every eighth). The read-idle clock starts at the last byte received, not at a
 * command's sending, so a command sent on a member idle for nearly the silence would have its connection closed
 * under it, however quick its reply; kept warm, a member has received something within a quarter of the silence
 * when any command is sent on it, which leaves every reply at least three quarters of it. An idle process's members
 * then stay open (a PING each per eighth of the silence) instead of being closed and reopened on next use.
 *
 * <p>In cluster mode the read-idle clock runs per socket, one per node, and a member busy on one master can be silent
 * on another: that socket was closed under it, and while a master was dead the member could not be replaced (the
 * pooled cluster connect needs every node), so its commands for that healthy master went to the pool, which failed
 * them too (a drill: about 130 healthy-partition dossiers sent down the direct path in the first 9 s after a master's
 * kill). A keyless PING would reach one random node, the dead one included. So each member is sent, per master of its
 * slot map, an EXISTS of a key that master owns (never written: {@link #probeKeys}) when it has had no reply to one
 * for an eighth of the silence: one per master and member about every quarter of the silence, whatever the traffic
 * (which socket a command went to is the client's secret). A member being renewed is still warmed: it serves the
 * healthy masters until its successor connects, which during a failover is after the promotion. Replicas' sockets are
 * never used (commands go to masters) and still close after the silence.
 *
 * <p>In cluster mode the commands a member refused go to a client of their own, not the one the members come from.
 * vertx-redis-client 5.0.10 keeps one slot map per client, reloaded when a command, a connect or a probe finds it
 * older than a second (its topology cache), and not when a connect fails. The keep-warm touches the members' client
 * every eighth of the silence, so through a failover it holds a map loaded up to a second earlier, naming the dead
 * master: just after the promotion a member refused the first command (its socket to the dead master closed), and the
 * pool, sharing that map, failed to connect to every node: the first submission after a failover went down the
 * direct path (ClusterFailoverTest failed 5 runs of 7, each time, where logged, with the pool's connect refused by the
 * dead master 100-200 ms after a renewal's). The fallback client is touched by refused commands only: after a quiet
 * failover it loads its map afresh at its first use, as the single client did before the keep-warm; under traffic it
 * can still be up to a second behind the promotion.
 *
 * <p>One instance per verticle, used on its event loop only.
 */
public final class ConnectionRing implements Redis {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionRing.class);
  private static final long FIRST_RETRY_MS = 100;
  private static final long MAX_RETRY_MS = 2000;
  private static final ThrottledLog SOCKET_FAILURES_LOG = ThrottledLog.everyTenSeconds();
  /**
   * Cluster keep-warm keys: one in each of 256 equal slot ranges (64 slots wide), so every master owning some 128
   * contiguous slots owns one; a master of a few scattered slots only may have none, and its sockets close when idle.
   */
  private static final int PROBE_RANGES = 256;

  private final Vertx vertx;
  /** Where members (and {@link #connect()}'s connections) come from. */
  private final Redis connector;
  /** Where a command goes that no member took: a second client in cluster mode (see above), else the connector. */
  private final Redis pooled;
  private final String name;
  private final RedisConnection[] members;
  private final boolean[] renewing;
  /** Per member: when it last received a reply (System.nanoTime), and whether a keep-warm PING awaits its reply. */
  private final long[] repliedAt;
  private final boolean[] warming;
  /**
   * Cluster mode: the keep-warm EXISTS requests (one per slot range, empty in standalone mode) and, per member and
   * request, when its last reply came and whether one awaits its reply. Only the first request of each master's
   * ranges is sent, so the slot map decides which are used.
   */
  private final List<Request> probes;
  private final Map<Request, Integer> probeIndex = new IdentityHashMap<>();
  private final long[][] probedAt;
  private final boolean[][] probing;
  private final long warmTimer;
  private int next;
  private boolean closed;

  /** Over one client, with no read-idle bound: nothing is kept warm. */
  ConnectionRing(Vertx vertx, Redis pooled, String name, int size) {
    this(vertx, pooled, pooled, name, size, null, List.of());
  }

  /**
   * {@code connector}: the client members come from; {@code pooled}: the one for commands no member took.
   * {@code silence}: the clients' read-idle bound, null when they have none (then nothing is kept warm).
   * {@code probeKeys}: empty for a standalone server (a silent member is sent a PING), {@link #probeKeys} in cluster
   * mode (every master of a member is sent an EXISTS of one of them).
   */
  ConnectionRing(Vertx vertx, Redis connector, Redis pooled, String name, int size, Duration silence,
                 List<String> probeKeys) {
    this.vertx = vertx;
    this.connector = connector;
    this.pooled = pooled;
    this.name = name;
    this.members = new RedisConnection[size];
    this.renewing = new boolean[size];
    this.repliedAt = new long[size];
    this.warming = new boolean[size];
    this.probes = probeKeys.stream().map(key -> Request.cmd(Command.EXISTS).arg(key)).toList();
    for (int k = 0; k < probes.size(); k++) {
      probeIndex.put(probes.get(k), k);
    }
    this.probedAt = new long[size][probes.size()];
    this.probing = new boolean[size][probes.size()];
    for (int i = 0; i < size; i++) {
      renew(i, FIRST_RETRY_MS);
    }
    long eighthMs = silence == null ? 0 : Math.max(1, silence.toMillis() / 8);
    this.warmTimer = silence == null ? -1 : vertx.setPeriodic(eighthMs, id -> keepWarm(eighthMs * 1_000_000));
  }

  @Override
  public Future<Response> send(Request command) {
    return onMember(member -> member.send(command), () -> pooled.send(command));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return onMember(member -> member.batch(commands), () -> pooled.batch(commands));
  }

  private <T> Future<T> onMember(Function<RedisConnection, Future<T>> call, Supplier<Future<T>> viaPool) {
    int i = pick();
    if (i < 0) {
      return viaPool.get();
    }
    RedisConnection member = members[i];
    return call.apply(member)
        .onComplete(ar -> replied(i, member, ar.failed() ? ar.cause() : null))
        .recover(err -> RedisErrors.notSent(err) ? viaPool.get() : Future.failedFuture(err));
  }

  /** A connection of the members' client, for a caller that needs one of its own (a blocking read). */
  @Override
  public Future<RedisConnection> connect() {
    return connector.connect();
  }

  /**
   * A reply came (an error reply too: bytes were read), or the member failed: a lost socket gets it replaced.
   */
  private void replied(int i, RedisConnection member, Throwable err) {
    if (err != null && RedisErrors.connectionLost(err)) {
      lost(i, member, err);
    } else if (members[i] == member) {
      repliedAt[i] = System.nanoTime();
    }
  }

  /**
   * The cluster's keep-warm keys under {@code keyPrefix}: {@code ring-warm:{w<n>}}, the first n whose slot falls in
   * each of the {@link #PROBE_RANGES} ranges, so the same in every process.
   */
  static List<String> probeKeys(String keyPrefix) {
    return Arrays.stream(ProbeTags.TAGS).map(tag -> keyPrefix + "ring-warm:{" + tag + "}").toList();
  }

  /** Computed once per JVM, at the first cluster ring (a few hundred CRC16s of short strings). */
  private static final class ProbeTags {
    static final String[] TAGS = new String[PROBE_RANGES];

    static {
      int width = PartitionTags.SLOTS / PROBE_RANGES;
      for (int n = 0, found = 0; found < PROBE_RANGES; n++) {
        int range = PartitionTags.slot("w" + n) / width;
        if (TAGS[range] == null) {
          TAGS[range] = "w" + n;
          found++;
        }
      }
    }
  }

  /**
   * Standalone: PINGs each member that has received nothing for {@code idleNanos} and is not being renewed. Cluster:
   * warms each master's socket of every member, renewed or not.
   */
  private void keepWarm(long idleNanos) {
    long now = System.nanoTime();
    for (int i = 0; i < members.length; i++) {
      RedisConnection member = members[i];
      if (member == null) {
        continue;
      }
      int index = i;
      if (!probes.isEmpty()) {
        // by the member's own slot map (answered at once, no I/O), which follows failovers and MOVED replies
        RedisCluster.create(member).groupByNodes(probes)
            .onSuccess(byMaster -> warmMasters(index, member, byMaster, now, idleNanos));
      } else if (!renewing[i] && !warming[i] && now - repliedAt[i] >= idleNanos) {
        warming[i] = true;
        member.send(Request.cmd(Command.PING)).onComplete(ar -> {
          if (members[index] == member) {
            warming[index] = false;
          }
          replied(index, member, ar.failed() ? ar.cause() : null);
        });
      }
    }
  }

  /** Sends the first probe of each master's ranges on member i, unless one awaits its reply or replied lately. */
  private void warmMasters(int i, RedisConnection member, RequestGrouping byMaster, long now, long idleNanos) {
    for (List<Request> ranges : byMaster.getKeyed()) {
      int k = probeIndex.get(ranges.get(0));
      if (probing[i][k] || now - probedAt[i][k] < idleNanos) {
        continue;
      }
      probing[i][k] = true;
      member.send(probes.get(k)).onComplete(ar -> {
        if (members[i] == member) {
          probing[i][k] = false;
          probedAt[i][k] = System.nanoTime();
        }
        replied(i, member, ar.failed() ? ar.cause() : null);
      });
    }
  }

  @Override
  public Future<Void> close() {
    closed = true;
    if (warmTimer >= 0) {
      vertx.cancelTimer(warmTimer);
    }
    for (RedisConnection member : members) {
      if (member != null) {
        member.close();
      }
    }
    return connector == pooled ? pooled.close() : Future.join(connector.close(), pooled.close()).mapEmpty();
  }

  /** Whether every member is connected (tests wait for it before they fail one). */
  boolean connected() {
    for (RedisConnection member : members) {
      if (member == null) {
        return false;
      }
    }
    return true;
  }

  private int pick() {
    for (int tried = 0; tried < members.length; tried++) {
      int i = next;
      next = (next + 1) % members.length;
      if (members[i] != null) {
        return i;
      }
    }
    return -1;
  }

  /** A reply that says the socket is gone (not a Redis error reply): get a new member, keep this one meanwhile. */
  private void lost(int i, RedisConnection member, Throwable err) {
    if (RedisErrors.connectionLost(err) && members[i] == member && !renewing[i]) {
      LOG.debug("redis connection {}[{}] lost ({}), replacing it", name, i, err.toString());
      renew(i, FIRST_RETRY_MS);
    }
  }

  /**
   * A socket of a member failed (a node killed: reset, or written to after it closed). Its waiting commands fail with
   * it, and their callers see that; without a handler of ours vertx-redis-client 5.0.10 logs each such socket as an
   * ERROR "Unhandled Error" with a stack (RedisConnectionManager's default handler), one per member and node at a
   * master's death. In cluster mode the handler covers the member's sockets to the nodes it connected to (every node
   * of the slot map then), not one it opens later. One WARN line per 10 s per process, the exception's class only.
   */
  private void socketFailed(Throwable err) {
    long suppressed = SOCKET_FAILURES_LOG.tryAcquire("socket");
    if (suppressed >= 0) {
      LOG.warn("redis connection {}: a socket to a node failed ({}); the commands waiting on it failed with it ({} more "
          + "in the last 10 s)", name, err.getClass().getSimpleName(), suppressed);
    }
  }

  private void renew(int i, long retryMs) {
    if (closed) {
      return;
    }
    renewing[i] = true;
    connector.connect().onComplete(ar -> {
      if (ar.succeeded() && !closed) {
        RedisConnection old = members[i];
        members[i] = ar.result().exceptionHandler(this::socketFailed);
        renewing[i] = false;
        warming[i] = false;
        repliedAt[i] = System.nanoTime();
        Arrays.fill(probing[i], false);
        Arrays.fill(probedAt[i], repliedAt[i]);
        if (old != null) {
          old.close();
        }
      } else if (ar.succeeded()) {
        ar.result().close();
      } else {
        if (retryMs >= MAX_RETRY_MS) {
          LOG.debug("redis connection {}[{}] not renewed yet: {}", name, i, ar.cause().toString());
        }
        vertx.setTimer(retryMs, id -> renew(i, Math.min(MAX_RETRY_MS, retryMs * 2)));
      }
    });
  }
}
