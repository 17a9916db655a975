package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.common.infra.OnContext.on;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.PartitionTags;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestRedisCluster;
import vn.onewindow.common.testing.TestRedisCluster.Node;

/**
 * A script run with a command after it in one batch ({@link RedisScript#runThen}, the enqueue with
 * redis.min-replicas-ack) while its slot moves to a new master (redis-cli --cluster reshard or rebalance, live).
 * vertx-redis-client 5.0.10 follows MOVED, ASK and TRYAGAIN for a single command, not for a batch: a batch's errors come
 * back rewritten as {@code ERR [0] MOVED ...}, which its redirect handling does not recognise, and a MOVED inside a
 * batch does not even invalidate the client's slot map. An ops drill (2026-12-07, min-replicas-ack 1, 30 dossiers/s):
 * the requests that met a moved slot were answered 503 "did not answer in time" after 9-35 ms. A private cluster: a slot
 * is moved.
 */
class RedisScriptSlotMoveTest {
  private static final RedisScript COUNT = RedisScript.fromResources("lua/count-in-slot.lua");

  @Test
  void shouldRunTheBatchOnTheSlotsNewMasterWhenTheClientStillHasTheOldMap() {
    Vertx vertx = Vertx.vertx();
    try (TestRedisCluster cluster = TestRedisCluster.startFresh()) {
      // a slot map that does not expire during the test: only the redirect can tell the client the slot moved
      RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER).setUseReplicas(RedisReplicas.NEVER)
          .setTopologyCacheTTL(600_000);
      cluster.seeds().forEach(options::addConnectionString);
      Redis pool = Redis.createClient(vertx, options);
      Context context = vertx.getOrCreateContext();
      // as the gateway enqueues: on a long-lived connection, whose slot map is not reloaded before each command
      ConnectionRing client = on(context, () -> new ConnectionRing(vertx, pool, "slot-move", 1));
      Await.until(Duration.ofSeconds(30), "the ring's member connected", () -> on(context, client::connected));
      String key = "slot-move-test:{m}:count";
      List<Request> after = List.of(Request.cmd(Command.WAIT).arg(0).arg(100));

      assertThat(run(context, client, key, after).get(0).toInteger()).isEqualTo(1);
      int slot = PartitionTags.slot(key);
      Node owner = cluster.masterOf(slot);
      Node target = cluster.masters().stream().filter(m -> m.port() != owner.port() && !m.slots().isEmpty())
          .findFirst().orElseThrow();
      cluster.moveSlot(slot, target);

      List<Response> replies = run(context, client, key, after);

      assertThat(replies.get(0).toInteger()).as("the script ran once more, on the slot's new master").isEqualTo(2);
      assertThat(cluster.cli(target.port(), "GET", key).strip()).isEqualTo("2");
    } finally {
      vertx.close().await();
    }
  }

  private static List<Response> run(Context context, Redis client, String key, List<Request> after) {
    return on(context, () -> COUNT.runThen(client, List.of(key), List.of(), after)).await();
  }
}
