package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestRedisCluster;
import vn.onewindow.common.testing.TestRedisCluster.Node;
import vn.onewindow.common.testing.TestServers;

/**
 * After a failover the promoted master has no replica until the failed node is restarted and rejoins: a second failure
 * on that shard then loses acknowledged entries (redis.min-replicas-ack 0) or refuses every submission to it (1), and
 * nothing showed it (an ops tryout). The backlog monitor counts the masters without a connected replica wherever
 * replicas are expected; a standalone server without replicas by design has no such gauge, rather than a permanent
 * alarm.
 */
class MastersWithoutReplicaTest {
  private static final Duration POLL = Duration.ofMillis(200);

  @Test
  void shouldCountTheMasterAFailoverLeftWithoutAReplicaUntilTheFailedNodeRejoins() {
    Vertx vertx = Vertx.vertx();
    MeterRegistry registry = new SimpleMeterRegistry();
    try (TestRedisCluster cluster = TestRedisCluster.startFresh()) {
      HubConfig config = TestServers.get().config(Map.of("redis.mode", "cluster", "redis.url", cluster.seedList(),
          "shed.backlog-poll-ms", Long.toString(POLL.toMillis())));
      // a node just made a replica may still be listed as a master, without slots, or not yet be online
      Await.until(Duration.ofSeconds(30), "3 masters owning slots, each with a replica online",
          () -> slotOwners(cluster).size() == 3 && slotOwners(cluster).stream().allMatch(m -> hasReplica(cluster, m)));
      BacklogMonitor monitor = BacklogMonitor.start(vertx, config, registry).await();
      try {
        // the memory figures come from the same answers of every master: once read, so was replication
        Await.until(POLL.multipliedBy(50), "a sample that read every master",
            () -> monitor.latest().usedMemoryBytes() > 0);
        assertThat(withoutReplica(registry)).as("masters without a replica, all paired").isZero();

        Node victim = slotOwners(cluster).get(0);
        Duration failover = cluster.killMaster(victim.slots().get(0)[0]);
        Duration seen = Await.until(TestRedisCluster.FAILOVER_DEADLINE, "the promoted master counted",
            () -> withoutReplica(registry) == 1);
        assertThat(withoutReplica(registry)).isEqualTo(1);
        System.out.printf("failover %d ms, counted %d ms after it%n", failover.toMillis(), seen.toMillis());

        cluster.restartNode(victim.port());
        Await.until(TestRedisCluster.FAILOVER_DEADLINE, "the failed node back as the promoted master's replica",
            () -> withoutReplica(registry) == 0);
      } finally {
        monitor.stop();
      }
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void shouldNotRegisterTheGaugeForAStandaloneServerWithoutReplicasByDesign() {
    assertThat(standaloneGauge("0")).isNull();
  }

  @Test
  void shouldCountAStandaloneServerWithoutTheReplicasItsSubmissionsWaitFor() {
    Gauge gauge = standaloneGauge("1");
    assertThat(gauge).as(MeterNames.REDIS_MASTERS_WITHOUT_REPLICA + " registered").isNotNull();
    assertThat(gauge.value()).as("the test server has no replica").isEqualTo(1);
  }

  /** The gauge of a monitor of the standalone test server after its first sample; null when not registered. */
  private static Gauge standaloneGauge(String minReplicasAck) {
    Vertx vertx = Vertx.vertx();
    MeterRegistry registry = new SimpleMeterRegistry();
    try {
      HubConfig config = TestServers.get().config(Map.of("redis.min-replicas-ack", minReplicasAck));
      BacklogMonitor monitor = BacklogMonitor.start(vertx, config, registry).await();
      monitor.stop();
      assertThat(monitor.latest().usedMemoryBytes()).as("a sample taken").isPositive();
      return registry.find(MeterNames.REDIS_MASTERS_WITHOUT_REPLICA).gauge();
    } finally {
      vertx.close().await();
    }
  }

  /** The gauge's value; fails when it is not registered. */
  private static double withoutReplica(MeterRegistry registry) {
    Gauge gauge = registry.find(MeterNames.REDIS_MASTERS_WITHOUT_REPLICA).gauge();
    assertThat(gauge).as(MeterNames.REDIS_MASTERS_WITHOUT_REPLICA + " registered").isNotNull();
    return gauge.value();
  }

  private static List<Node> slotOwners(TestRedisCluster cluster) {
    return cluster.masters().stream().filter(node -> !node.slots().isEmpty()).toList();
  }

  private static boolean hasReplica(TestRedisCluster cluster, Node master) {
    return cluster.cli(master.port(), "INFO", "replication").lines()
        .anyMatch(l -> l.matches("slave\\d+:.*") && l.contains("state=online"));
  }
}
