package vn.onewindow.common.infra;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisCluster;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;

/**
 * The one place that knows whether Redis is one server or a cluster. Everything else sends keyed commands (routed to
 * the slot's master in cluster mode) and multi-key scripts whose keys share a hash tag, so one code path serves both.
 */
public final class RedisClients {
  private RedisClients() {
  }

  /**
   * A pooled client sized from config (the default pool of 6 fails under load). RESP2 is forced so stream replies
   * are plain arrays on Redis 6.2 and 7.x and in both modes, rather than RESP3 maps whose shape differs between
   * versions. {@code poolName} names the client's pool in the metrics; it must come from a fixed set (the default is
   * a random UUID, an unbounded label).
   *
   * <p>Cluster mode: every seed is asked for the slot map in turn; commands go to masters only (XREADGROUP's key
   * spec says "read", so replicas would answer MOVED); the pool size is per node.
   */
  public static Redis create(Vertx vertx, RedisConfig config, String poolName) {
    return Redis.createClient(vertx, options(config, poolName));
  }

  /**
   * As {@link #create(Vertx, RedisConfig, String)}, and a connection that receives nothing for {@code silence} is
   * closed (Netty's read-idle handler), failing the commands still waiting on it: the client's pool then drops it, and
   * a {@link ConnectionRing} replaces it at its next command. A command whose reply never comes (its peer vanished
   * without FIN or RST, a NAT or firewall forgot the connection, a server that stopped answering) is failed by its
   * caller's timeout, but the connection itself stayed: in the pool, busy for good (vertx-redis-client 5.0.10 hands a
   * connection back to its pool only once every reply came, and matches replies to commands in order), or as a ring
   * member that every later command queued behind. TCP does not see it soon enough: keep-alive probes start after
   * the kernel's 2 h ({@code NetClientOptions} has no per-socket idle, interval and count before Vert.x 5.1), and
   * neither keep-alive nor {@code TCP_USER_TIMEOUT} (native transport only) notices a peer whose kernel still
   * acknowledges while nothing answers. The cost: a healthy connection that carries nothing for {@code silence} is
   * closed too, and reopened when next needed, so {@code silence} must exceed the longest a reply may take (a
   * blocking read's block, a WAIT) and, to cost nothing, the longest a connection sits unused.
   */
  public static Redis create(Vertx vertx, RedisConfig config, String poolName, Duration silence) {
    RedisOptions options = options(config, poolName);
    options.getNetClientOptions().setReadIdleTimeout((int) silence.toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    return Redis.createClient(vertx, options);
  }

  private static RedisOptions options(RedisConfig config, String poolName) {
    RedisOptions options = new RedisOptions()
        .setPoolName("redis-" + poolName)
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(config.poolWaiting())
        .setMaxWaitingHandlers(Math.max(2048, config.poolWaiting()))
        // a connection back in the pool and unused this long is closed (the client's default: 3 min, looked for every
        // 30 s). Only connections in the pool: a ring member or a blocking read's connection is held by its user
        // until closed, and never closed under it (PoolIdleTimeoutTest)
        .setPoolRecycleTimeout((int) config.poolIdleTimeout().toMillis())
        .setPoolCleanerInterval(IdlePools.cleanerPeriodMillis(config.poolIdleTimeout()))
        .setPreferredProtocolVersion(ProtocolVersion.RESP2);
    if (config.cluster()) {
      options.setType(RedisClientType.CLUSTER).setUseReplicas(RedisReplicas.NEVER);
      config.seeds().forEach(options::addConnectionString);
    } else {
      options.setConnectionString(config.url());
    }
    return options;
  }

  /**
   * The client of a verticle's hot path: {@code config.connections()} long-lived connections (each reaching every
   * node in cluster mode) in front of a pooled client ({@link ConnectionRing}). Call it on the verticle's event loop.
   */
  public static Redis ring(Vertx vertx, RedisConfig config, String poolName) {
    return ring(vertx, config, poolName, config.connections());
  }

  /** As {@link #ring(Vertx, RedisConfig, String)} with {@code connections} members (at most the pool size). */
  public static Redis ring(Vertx vertx, RedisConfig config, String poolName, int connections) {
    return new ConnectionRing(vertx, create(vertx, config, poolName), poolName, connections);
  }

  /**
   * As {@link #ring(Vertx, RedisConfig, String)}, its connections closed once silent for {@code silence}
   * ({@link #create(Vertx, RedisConfig, String, Duration)}): a member that went silent fails the commands waiting on
   * it, and the ring replaces it. In cluster mode the commands its connections refuse go to a second client,
   * {@code <poolName>-fallback}, whose slot map the keep-warm does not keep reloading through a failover
   * ({@link ConnectionRing}).
   */
  public static Redis ring(Vertx vertx, RedisConfig config, String poolName, Duration silence) {
    Redis members = create(vertx, config, poolName, silence);
    Redis fallback = config.cluster() ? create(vertx, config, poolName + "-fallback", silence) : members;
    return ring(vertx, config, members, fallback, poolName, config.connections(), silence);
  }

  /**
   * A ring of {@code connections} members over {@code client}, created with {@code silence}, kept warm. In cluster
   * mode not by PING: a keyless PING goes to a random node, so it warms one socket of a member and, sent to a master
   * that just died, failed the whole member into a renewal that cannot connect until the failover ends (and a member
   * being renewed was no longer warmed): the first submission after a failover went down the direct path
   * (ClusterFailoverTest, 2 runs of 4). Instead, a keyed EXISTS on every master of each member, renewed or not
   * ({@link ConnectionRing}).
   */
  static ConnectionRing ring(Vertx vertx, RedisConfig config, Redis client, String name, int connections,
                             Duration silence) {
    return ring(vertx, config, client, client, name, connections, silence);
  }

  /** As above, members from {@code members}, the commands they refuse sent to {@code fallback}. */
  static ConnectionRing ring(Vertx vertx, RedisConfig config, Redis members, Redis fallback, String name,
                             int connections, Duration silence) {
    return new ConnectionRing(vertx, members, fallback, name, connections, silence,
        config.cluster() ? ConnectionRing.probeKeys(config.keyPrefix()) : List.of());
  }

  /**
   * Whether Redis answers, for readiness. Standalone: PING. Cluster: a keyed read of every partition's stream, each
   * routed to its slot's master, and Redis answers when any master does. A keyless PING goes to a random node, a dead
   * one included, and while a dead master is still in the slot map (until its replica is promoted) a pooled send
   * fails for every shard: with one master SIGKILLed every gateway's readiness flapped and every intake process's
   * stayed DOWN, while the healthy masters kept queueing (operator tryout). A load balancer must not take out
   * gateways that still serve; a shard that is down shows in its partitions' breakers and backlog gauges.
   * In cluster mode {@code redis} must be a {@link #ring}.
   */
  public static Future<Void> answers(Redis redis, RedisConfig config, RedisKeys keys) {
    if (!config.cluster()) {
      return redis.send(Request.cmd(Command.PING)).mapEmpty();
    }
    List<Future<Response>> reads = new ArrayList<>();
    for (PartitionKeys partition : keys.all()) {
      reads.add(redis.send(Request.cmd(Command.EXISTS).arg(partition.stream())));
    }
    return Future.any(reads).mapEmpty();
  }

  /**
   * Keyless commands on every master (INFO sections: memory for shedding, replication for redundancy), all on one
   * pooled connection (one per node in cluster mode), as a single command took: the server itself in standalone mode,
   * each master of the slot map in cluster mode. One list per request, of each master's reply; fails when any master
   * does not answer. {@code redis} must come from {@link #create}.
   */
  public static Future<List<List<Response>>> onEveryMaster(Redis redis, RedisConfig config, List<Request> requests) {
    if (!config.cluster()) {
      return redis.batch(requests).map(replies -> replies.stream().map(List::of).toList());
    }
    return redis.connect().compose(connection -> {
      RedisCluster cluster = RedisCluster.create(connection);
      List<Future<List<Response>>> each = requests.stream().map(cluster::onAllMasterNodes).toList();
      return Future.all(each).<List<List<Response>>>map(done -> each.stream().map(Future::result).toList())
          .eventually(connection::close);
    });
  }
}
