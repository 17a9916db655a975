package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisCluster;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.PartitionTags;
import vn.onewindow.common.testing.TestRedisCluster;

/**
 * Spike for issue 10: what vertx-redis-client 5.0.10 does against a real 3+3 Redis Cluster (findings and timings in
 * ops/docs/redis-cluster-notes.md). Timings are printed to the test's output file.
 */
@Tag("spike")
class ClusterClientSpikeTest {
  private static final String LIBRARY = """
      #!lua name=spike
      redis.register_function('submit', function(keys, args)
        local n = redis.call('INCR', keys[1])
        redis.call('XADD', keys[2], '*', 'n', n, 'payload', args[1])
        return n
      end)
      """;
  private static final String FUNCTION_NOT_FOUND = "ERR Function not found";

  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  /** (a) Cluster client from a comma-separated seed list, pool sized per endpoint, masters only. */
  static Redis clusterClient(String seedList, int poolSizePerEndpoint) {
    RedisOptions options = new RedisOptions()
        .setType(RedisClientType.CLUSTER)
        .setUseReplicas(RedisReplicas.NEVER)
        .setPoolName("redis-cluster-spike")
        .setMaxPoolSize(poolSizePerEndpoint)
        .setMaxPoolWaiting(poolSizePerEndpoint * 8)
        .setMaxWaitingHandlers(2048)
        .setPreferredProtocolVersion(ProtocolVersion.RESP3);
    for (String seed : seedList.split(",")) {
      options.addConnectionString(seed.trim());
    }
    return Redis.createClient(vertx, options);
  }

  static Future<List<Response>> loadFunctionsOnAllMasters(Redis redis) {
    return RedisCluster.create(redis)
        .onAllMasterNodes(Request.cmd(Command.FUNCTION).arg("LOAD").arg("REPLACE").arg(LIBRARY));
  }

  static Request submit(String tag, String payload) {
    return Request.cmd(Command.FCALL).arg("submit").arg(2).arg("ctr:{" + tag + "}").arg("intake:{" + tag + "}")
        .arg(payload);
  }

  /** The reload-and-retry-once the lead asked for: a master that restarted empty has lost its functions. */
  static Future<Response> sendReloadingFunctions(Redis redis, Supplier<Request> request) {
    return redis.send(request.get()).recover(err -> RedisErrors.is(err, FUNCTION_NOT_FOUND)
        ? loadFunctionsOnAllMasters(redis).compose(loaded -> redis.send(request.get()))
        : Future.failedFuture(err));
  }

  @Test
  void keyedCommandsReachTheMasterOwningTheirSlot() {
    TestRedisCluster cluster = TestRedisCluster.shared();
    System.out.println("shared cluster started in " + cluster.startupTime().toMillis() + " ms");
    assertThat(cluster.masters()).hasSize(3);
    assertThat(cluster.replicas()).hasSize(3);
    // every send() is a connect(): one pooled connection on EVERY node, replicas included, so in-flight sends are
    // capped by maxPoolSize + maxPoolWaiting per node
    Redis small = clusterClient(cluster.seedList(), 2);
    List<Future<Response>> tooMany = IntStream.range(0, 200)
        .mapToObj(i -> small.send(Request.cmd(Command.SET).arg("a:small:" + i).arg("v"))).toList();
    assertThatThrownBy(() -> Future.all(tooMany).await()).hasMessageContaining("ConnectionPoolTooBusyException");
    small.close();

    Redis redis = clusterClient(cluster.seedList(), 40); // 40 + 320 waiting >= 300 in flight

    List<Future<Response>> writes = IntStream.range(0, 300)
        .mapToObj(i -> redis.send(Request.cmd(Command.SET).arg("a:key:" + i).arg("v" + i))).toList();
    Future.all(writes).await();

    for (int i = 0; i < 300; i += 7) {
      String key = "a:key:" + i;
      TestRedisCluster.Node owner = cluster.masterOf(key);
      // redis-cli without -c does not follow MOVED: the value is there, on that very node
      assertThat(cluster.cli(owner.port(), "GET", key).trim()).isEqualTo("v" + i);
      assertThat(cluster.cli(owner.port(), "CLUSTER", "KEYSLOT", key).trim())
          .isEqualTo(Integer.toString(PartitionTags.slot(key)));
      assertThat(redis.send(Request.cmd(Command.GET).arg(key)).await().toString()).isEqualTo("v" + i);
    }
    redis.close();
  }

  @Test
  void functionsLoadedOnAllMastersSurviveFailoverButNotAnEmptyRestart() {
    try (TestRedisCluster cluster = TestRedisCluster.startFresh()) {
      System.out.println("fresh cluster started in " + cluster.startupTime().toMillis() + " ms");
      Redis redis = clusterClient(cluster.seedList(), 8);
      List<Response> loaded = loadFunctionsOnAllMasters(redis).await();
      assertThat(loaded).hasSize(3).allSatisfy(r -> assertThat(r.toString()).isEqualTo("spike"));

      List<String> tags = PartitionTags.tags(3); // one tag per master with the default slot split
      assertThat(tags.stream().map(t -> cluster.masterOf("{" + t + "}").port()).distinct()).hasSize(3);
      for (String tag : tags) {
        assertThat(redis.send(submit(tag, "first")).await().toInteger()).isEqualTo(1);
      }
      RedisConnection longLived = redis.connect().await();

      // failover: the replica has the function library (replicated like data)
      String failed = tags.get(0);
      TestRedisCluster.Node oldMaster = cluster.masterOf("{" + failed + "}");
      // replication is asynchronous: kill only once the replica has everything written so far (else the promoted
      // replica may lack the library or the counter, which is the async-replication hazard, not this test's point)
      cluster.awaitReplicasCaughtUp(oldMaster);
      long killedAt = System.nanoTime();
      cluster.killNode(oldMaster.port());
      // until the promotion, connect() needs the dead node too: new sends fail for EVERY shard, while a connection
      // opened before the kill still serves the healthy shards
      assertThatThrownBy(() -> redis.send(submit(tags.get(2), "during failover")).await())
          .hasMessageContaining("Failed to connect to all nodes of the cluster");
      assertThat(longLived.send(submit(tags.get(2), "during failover")).await().toInteger()).isEqualTo(2);
      cluster.awaitPromotion(PartitionTags.slot("{" + failed + "}"), oldMaster.port());
      Duration failover = Duration.ofNanos(System.nanoTime() - killedAt);
      System.out.println("failover of " + oldMaster.port() + " took " + failover.toMillis() + " ms");
      TestRedisCluster.Node promoted = cluster.masterOf("{" + failed + "}");
      assertThat(promoted.port()).isNotEqualTo(oldMaster.port());
      assertThat(cluster.cli(promoted.port(), "FUNCTION", "LIST")).contains("spike");
      assertThat(redis.send(submit(failed, "after failover")).await().toInteger()).isEqualTo(2);
      assertThat(longLived.send(submit(failed, "long-lived conn")).await().toInteger()).isEqualTo(3);
      longLived.close();

      Duration rejoin = cluster.restartNode(oldMaster.port());
      System.out.println("old master " + oldMaster.port() + " rejoined as replica in " + rejoin.toMillis() + " ms");
      assertThat(cluster.replicas().stream().map(TestRedisCluster.Node::port)).contains(oldMaster.port());

      // restart before the cluster notices: the master keeps its slots, empty (no persistence), and its replica
      // resyncs from it, so the functions and the data are gone from the shard
      String emptied = tags.get(1);
      TestRedisCluster.Node master = cluster.masterOf("{" + emptied + "}");
      cluster.killNode(master.port());
      Duration restart = cluster.restartNode(master.port());
      System.out.println("master " + master.port() + " restarted empty in " + restart.toMillis() + " ms");
      assertThat(cluster.masterOf("{" + emptied + "}").port()).isEqualTo(master.port());
      assertThatThrownBy(() -> redis.send(submit(emptied, "lost")).await())
          .hasMessageStartingWith(FUNCTION_NOT_FOUND);

      Response reloaded = sendReloadingFunctions(redis, () -> submit(emptied, "reloaded")).await();
      assertThat(reloaded.toInteger()).as("counter restarted from zero: the empty restart lost it").isEqualTo(1);
      assertThat(redis.send(submit(tags.get(2), "untouched shard")).await().toInteger()).isEqualTo(3);
      redis.close();
    }
  }

  @Test
  void waitInTheSameBatchAsTheKeyedWriteAsksTheRightMaster() throws Exception {
    TestRedisCluster cluster = TestRedisCluster.shared();
    Redis redis = clusterClient(cluster.seedList(), 8);
    loadFunctionsOnAllMasters(redis).await();
    String tag = PartitionTags.tags(3).get(1);
    TestRedisCluster.Node master = cluster.masterOf("{" + tag + "}");
    TestRedisCluster.Node replica = cluster.replicas().stream().filter(r -> master.id().equals(r.masterId()))
        .findFirst().orElseThrow();
    RedisConnection conn = redis.connect().await();

    List<Response> healthy = conn.batch(List.of(submit(tag, "c"), Request.cmd(Command.WAIT).arg(1).arg(500),
        Request.cmd(Command.CLUSTER).arg("MYID"))).await();
    assertThat(healthy.get(1).toInteger()).as("replicas acknowledging").isEqualTo(1);
    assertThat(healthy.get(2).toString()).as("the batch ran on the tag's master").isEqualTo(master.id());

    Map<Integer, Integer> separateWaitReplies = new HashMap<>();
    List<Integer> batchedWaitReplies = new ArrayList<>();
    try (AutoCloseable frozen = cluster.freeze(replica.port())) {
      // the frozen replica acknowledges nothing: only a WAIT on the tag's own master can tell
      batchedWaitReplies.add(conn.batch(List.of(submit(tag, "c"), Request.cmd(Command.WAIT).arg(1).arg(100)))
          .await().get(1).toInteger());
      for (int i = 0; i < 10; i++) {
        int acked = conn.send(submit(tag, "c"))
            .compose(n -> conn.send(Request.cmd(Command.WAIT).arg(1).arg(100))).await().toInteger();
        separateWaitReplies.merge(acked, 1, Integer::sum);
      }
    }
    cluster.awaitHealthy(TestRedisCluster.FAILOVER_DEADLINE);
    System.out.println("replica frozen: batched WAIT -> " + batchedWaitReplies
        + ", separate WAIT replies {acked=count} -> " + separateWaitReplies);
    assertThat(batchedWaitReplies).containsExactly(0);
    // a keyless WAIT sent alone goes to a random master, whose connection made no write: it answers 1 at once
    assertThat(separateWaitReplies).containsKey(1);
    conn.close();
    redis.close();
  }

  @Test
  void streamsPerTagWithBlockingReaderOnItsOwnConnection() {
    TestRedisCluster cluster = TestRedisCluster.shared();
    Redis redis = clusterClient(cluster.seedList(), 8);
    for (String tag : PartitionTags.tags(3)) {
      String stream = "d:intake:{" + tag + "}";
      redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg("workers").arg("$").arg("MKSTREAM"))
          .await();
      RedisConnection reader = redis.connect().await();
      Future<Response> read = reader.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg("workers").arg("w1")
          .arg("COUNT").arg(10).arg("BLOCK").arg(5000).arg("STREAMS").arg(stream).arg(">"));
      String id = redis.send(Request.cmd(Command.XADD).arg(stream).arg("*").arg("dossier").arg("D-" + tag))
          .await().toString();

      Response reply = read.await();
      // RESP3: a map keyed by stream name -> [[id, [field, value, ...]], ...]
      assertThat(reply.isMap()).isTrue();
      assertThat(reply.getKeys()).containsExactly(stream);
      Response entry = reply.get(stream).get(0);
      assertThat(entry.get(0).toString()).isEqualTo(id);
      assertThat(entry.get(1).get(0).toString()).isEqualTo("dossier");
      assertThat(entry.get(1).get(1).toString()).isEqualTo("D-" + tag);

      // not acked: another consumer claims it; Redis 7: [next-start-id, [entries], [deleted ids]]
      Response claimed = redis.send(Request.cmd(Command.XAUTOCLAIM).arg(stream).arg("workers").arg("w2").arg(0)
          .arg("0-0").arg("COUNT").arg(10)).await();
      assertThat(claimed.size()).isEqualTo(3);
      assertThat(claimed.get(0).toString()).isEqualTo("0-0");
      assertThat(claimed.get(1).get(0).get(0).toString()).isEqualTo(id);
      assertThat(claimed.get(2).size()).isZero();
      assertThat(redis.send(Request.cmd(Command.XACK).arg(stream).arg("workers").arg(id)).await().toInteger())
          .isEqualTo(1);
      reader.close().await();
    }
    List<String> tags = PartitionTags.tags(3);
    assertThatThrownBy(() -> redis.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg("workers").arg("w1")
        .arg("STREAMS").arg("d:intake:{" + tags.get(0) + "}").arg("d:intake:{" + tags.get(1) + "}").arg(">").arg(">"))
        .await()).hasMessageContaining("CROSSSLOT");
    redis.close();
  }

  @Test
  void partitionTagsSpreadEvenlyOverTheLiveMasters() {
    TestRedisCluster cluster = TestRedisCluster.shared();
    for (int partitions : new int[] {8, 16, 64, 128}) {
      Map<Integer, Integer> perMaster = new HashMap<>();
      for (String tag : PartitionTags.tags(partitions)) {
        perMaster.merge(cluster.masterOf("{" + tag + "}").port(), 1, Integer::sum);
      }
      System.out.println(partitions + " partitions per master: " + perMaster.values());
      assertThat(perMaster).hasSize(3);
      assertThat(perMaster.values()).allSatisfy(n -> assertThat(n).isBetween(partitions / 3 - 1, partitions / 3 + 1));
    }
    int master = cluster.masters().get(0).port();
    for (String tag : PartitionTags.tags(16)) {
      assertThat(cluster.cli(master, "CLUSTER", "KEYSLOT", "intake:{" + tag + "}").trim())
          .isEqualTo(Integer.toString(PartitionTags.slot("intake:{" + tag + "}")));
    }
  }
}
