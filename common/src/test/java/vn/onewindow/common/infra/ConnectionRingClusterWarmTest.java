package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.common.infra.OnContext.on;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.dossier.PartitionTags;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestRedisCluster;
import vn.onewindow.common.testing.TestRedisCluster.Node;

/**
 * In cluster mode a ring member holds one socket per node, each closed by its own read-idle clock. A member whose
 * commands all go to one master must keep its sockets to the others, and while another master is dead (the member
 * then cannot be replaced: the pooled cluster connect needs every node) still serve the healthy ones itself: before,
 * those sockets closed after the silence and their commands went to the pool, which fails every command until the
 * failover ends (a drill: healthy-partition dossiers sent down the direct path). A private cluster: a master is
 * killed. The silence is short so that several pass within the test.
 */
class ConnectionRingClusterWarmTest {
  private static final Duration SILENCE = Duration.ofMillis(800);

  @Test
  void shouldKeepAMembersSocketsToQuietMastersOpenThroughAnotherMastersDeath() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestRedisCluster cluster = TestRedisCluster.startFresh()) {
      RedisConfig config = RedisConfig.from(Settings.of(Map.of("redis.mode", "cluster", "redis.url",
          cluster.seedList(), "redis.key-prefix", "ring-warm-test:")));
      // a node just made a replica may still be listed as a master, without slots
      Await.until(Duration.ofSeconds(10), "3 masters owning slots", () -> slotOwners(cluster).size() == 3);
      List<Node> masters = slotOwners(cluster);
      String busy = keyOn(masters.get(0));
      String quiet = keyOn(masters.get(1));
      String doomed = keyOn(masters.get(2));
      Context context = vertx.getOrCreateContext();
      CountingClient pool = new CountingClient(RedisClients.create(vertx, config, "ring-warm", SILENCE));
      ConnectionRing ring = on(context, () -> RedisClients.ring(vertx, config, pool, "ring-warm", 1, SILENCE));
      Await.until(Duration.ofSeconds(30), "the ring's member connected", () -> on(context, ring::connected));
      long traffic = on(context, () -> vertx.setPeriodic(SILENCE.toMillis() / 16, id -> ring.send(exists(busy))));

      long onlyBusySince = System.nanoTime();
      Await.until(SILENCE.multipliedBy(10), "three silences of commands to one master only",
          () -> Await.millisSince(onlyBusySince) >= 3 * SILENCE.toMillis());
      assertThat(answer(context, ring, quiet)).isEqualTo("0");
      long quietAnsweredAt = System.nanoTime();
      assertThat(answer(context, ring, doomed)).isEqualTo("0");
      assertThat(pool.sends.get()).as("commands the member could not send (a socket of it closed)").isZero();
      assertThat(pool.connects.get()).as("connects: the member's, and its replacements").isEqualTo(1);

      cluster.killNode(masters.get(2).port());
      Await.until(SILENCE.multipliedBy(4), "the member's renewal, its socket to the killed master gone",
          () -> pool.connects.get() > 1);
      Await.until(SILENCE.multipliedBy(10), "a silence and a half since the quiet master last answered a command",
          () -> Await.millisSince(quietAnsweredAt) >= SILENCE.toMillis() * 3 / 2);
      assertThat(answer(context, ring, quiet)).isEqualTo("0");
      assertThat(answer(context, ring, busy)).isEqualTo("0");
      assertThat(pool.sends.get()).as("commands the member could not send (a socket of it closed)").isZero();
      assertThat(pool.connected.get()).as("members connected: the failover ended before the check, which then proves"
          + " nothing (a stalled machine)").isEqualTo(1);

      on(context, () -> vertx.cancelTimer(traffic));
      on(context, ring::close).await();
    } finally {
      vertx.close().await();
    }
  }

  private static Request exists(String key) {
    return Request.cmd(Command.EXISTS).arg(key);
  }

  /** EXISTS of {@code key} on the ring, its reply as text, or the failure's. */
  private static String answer(Context context, ConnectionRing ring, String key) {
    return on(context, () -> ring.send(exists(key)))
        .transform(ar -> Future.succeededFuture(ar.succeeded() ? ar.result().toString() : ar.cause().toString()))
        .await();
  }

  private static List<Node> slotOwners(TestRedisCluster cluster) {
    return cluster.masters().stream().filter(node -> !node.slots().isEmpty()).toList();
  }

  /** A key of this test whose slot {@code master} owns. */
  private static String keyOn(Node master) {
    for (int n = 0; n < PartitionTags.SLOTS * 16; n++) {
      String key = "ring-warm-test:{k" + n + "}";
      if (master.owns(PartitionTags.slot(key))) {
        return key;
      }
    }
    throw new IllegalStateException("no key found on " + master);
  }

  /** The ring's real pooled client, counting what the ring asks of it. */
  private static final class CountingClient implements Redis {
    private final Redis client;
    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger connected = new AtomicInteger();
    final AtomicInteger sends = new AtomicInteger();

    CountingClient(Redis client) {
      this.client = client;
    }

    @Override
    public Future<RedisConnection> connect() {
      connects.incrementAndGet();
      return client.connect().onSuccess(connection -> connected.incrementAndGet());
    }

    @Override
    public Future<Response> send(Request command) {
      sends.incrementAndGet();
      return client.send(command);
    }

    @Override
    public Future<List<Response>> batch(List<Request> commands) {
      sends.incrementAndGet();
      return client.batch(commands);
    }

    @Override
    public Future<Void> close() {
      return client.close();
    }
  }
}
