package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestRedisCluster;

/**
 * Scripts survive a failover and an empty restart: the next submission after a master was SIGKILLed and its replica
 * promoted (which has no script cache), or after a master came back empty (no functions, no scripts, no keys), is
 * queued through Redis, not refused and not sent down the degraded path. A private cluster: nodes are killed.
 */
class ClusterFailoverTest {

  @Test
  void shouldQueueTheNextSubmissionRightAfterAFailoverAndAfterAnEmptyRestart() {
    try (TestRedisCluster cluster = TestRedisCluster.startFresh();
         GatewayFixture gw = new GatewayFixture(ClusterGatewayTest.clusterConfig(cluster,
             Map.of("ratelimit.applicant-per-minute", "6000", "ratelimit.applicant-burst", "1000")))) {
      String unit = ClusterGatewayTest.unit(4242);
      PartitionKeys partition = gw.keys.forUnit(unit);
      HttpResponse<Buffer> before = gw.post(ClusterGatewayTest.dossier(unit, 1));
      assertThat(before.bodyAsJsonObject().getString("code")).endsWith("-0001");

      // replication is asynchronous: the first dossier must be on the replica before its master dies
      cluster.awaitReplicasCaughtUp(cluster.masterOf(partition.stream()));
      Duration failover = cluster.killMaster(partition.stream());
      long promoted = System.nanoTime();
      HttpResponse<Buffer> after = gw.post(ClusterGatewayTest.dossier(unit, 2));
      long firstAnswerMs = Await.millisSince(promoted);
      String other = otherUnitOnAnotherMaster(cluster, gw, partition);
      TestRedisCluster.Node master = cluster.masterOf(gw.keys.forUnit(other).stream());
      cluster.killNode(master.port());
      Duration restart = cluster.restartNode(master.port());
      HttpResponse<Buffer> afterEmptyRestart = gw.post(ClusterGatewayTest.dossier(other, 3));

      String metrics = gw.get("/metrics").bodyAsString();
      System.out.printf("cluster failover: master killed, replica promoted in %d ms; the next submission answered %d "
              + "in %d ms with %s; a master restarted %s in %d ms, then %d %s%n", failover.toMillis(),
          after.statusCode(), firstAnswerMs, after.bodyAsJsonObject().getString("code"),
          cluster.masterOf(gw.keys.forUnit(other).stream()).port() == master.port() ? "empty (kept its slots)"
              : "after its replica took over", restart.toMillis(), afterEmptyRestart.statusCode(),
          afterEmptyRestart.bodyAsString().contains("\"code\"")
              ? afterEmptyRestart.bodyAsJsonObject().getString("code") : afterEmptyRestart.bodyAsString());
      assertThat(after.statusCode()).as(after.bodyAsString()).isEqualTo(202);
      assertThat(after.bodyAsJsonObject().getString("code")).as("the counter survived on the replica").endsWith("-0002");
      assertThat(afterEmptyRestart.statusCode()).as(afterEmptyRestart.bodyAsString()).isEqualTo(202);
      assertThat(metrics).contains("hub_submissions_total{channel=\"online\",outcome=\"accepted\"} 3.0")
          .doesNotContain("outcome=\"degraded\"} 1");
    }
  }

  /**
   * One master stops answering (SIGSTOP, before its replica is promoted): the enqueue breakers of its partitions
   * open, and the other masters' partitions keep queueing through Redis (with one breaker per process they were sent
   * down the direct path, or refused with min-replicas-ack, until it half-opened).
   */
  @Test
  void shouldKeepQueueingOnTheHealthyMastersWhileOneMasterIsDown() throws Exception {
    int minimumCalls = 3;
    try (TestRedisCluster cluster = TestRedisCluster.startFresh();
         GatewayFixture gw = new GatewayFixture(ClusterGatewayTest.clusterConfig(cluster,
             Map.of("ratelimit.enabled", "false", "breaker.minimum-calls", Integer.toString(minimumCalls),
                 "breaker.window-seconds", "60", "breaker.open-seconds", "60", "timeout.redis-enqueue-ms", "1000")))) {
      String downUnit = ClusterGatewayTest.unit(4242);
      PartitionKeys down = gw.keys.forUnit(downUnit);
      String healthyUnit = otherUnitOnAnotherMaster(cluster, gw, down);
      assertThat(gw.postUntilAccepted(ClusterGatewayTest.dossier(downUnit, 1), "down-first").statusCode())
          .isEqualTo(202);
      assertThat(gw.postUntilAccepted(ClusterGatewayTest.dossier(healthyUnit, 2), "healthy-first")
          .bodyAsJsonObject().getString("code")).endsWith("-0001");
      String downBreaker = "redis_enqueue_p" + gw.keys.partitions().ofUnit(downUnit);
      String healthyBreaker = "redis_enqueue_p" + gw.keys.partitions().ofUnit(healthyUnit);

      String metrics;
      HttpResponse<Buffer> healthy;
      try (AutoCloseable frozen = cluster.freeze(cluster.masterOf(down.stream()).port())) {
        // at once (the replica is promoted after cluster-node-timeout): each times out (the 1 s enqueue budget; at
        // 300 ms a loaded box's ordinary first calls timed out too) and takes the direct path
        List<Future<HttpResponse<Buffer>>> timedOut = new ArrayList<>();
        for (int i = 0; i < minimumCalls; i++) {
          timedOut.add(gw.postAsync(ClusterGatewayTest.dossier(downUnit, 10 + i), null));
        }
        Future.join(timedOut).await();
        healthy = gw.post(ClusterGatewayTest.dossier(healthyUnit, 20));
        metrics = gw.get("/metrics").bodyAsString();
      }

      assertThat(metrics).contains("resilience4j_circuitbreaker_state{name=\"" + downBreaker + "\",state=\"open\"} 1.0")
          .contains("resilience4j_circuitbreaker_state{name=\"" + healthyBreaker + "\",state=\"closed\"} 1.0")
          .doesNotContain("name=\"redis_enqueue\"");
      assertThat(healthy.statusCode()).as(healthy.bodyAsString()).isEqualTo(202);
      assertThat(healthy.bodyAsJsonObject().getString("code")).as("queued through Redis, not the direct path's 9000+")
          .endsWith("-0002");
      assertThat(healthy.getHeader("Idempotent-Replayed")).isEqualTo("false");
    }
  }

  /**
   * A master SIGKILLed (the drill's failure, before its replica is promoted): keyed submissions to a partition of a
   * healthy master whose Idempotency-Key claims live on the dead one take the direct path, and that partition's
   * breaker does not count them. It counted them as its own failures, a third of every partition's keyed
   * submissions with 3 masters, and at 100 dossiers/s healthy partitions opened their breakers alongside the dead
   * master's (cluster drill: p13 and p5 on healthy masters opened for 3-5 s).
   */
  @Test
  void shouldNotCountAKeyClaimOnTheDeadMasterAgainstAHealthyPartition() {
    int minimumCalls = 3;
    try (TestRedisCluster cluster = TestRedisCluster.startFresh();
         GatewayFixture gw = new GatewayFixture(ClusterGatewayTest.clusterConfig(cluster,
             Map.of("ratelimit.enabled", "false", "breaker.minimum-calls", Integer.toString(minimumCalls),
                 "breaker.window-seconds", "60", "breaker.open-seconds", "60")))) {
      PartitionKeys down = gw.keys.forUnit(ClusterGatewayTest.unit(4242));
      int downPort = cluster.masterOf(down.stream()).port();
      String healthyUnit = otherUnitOnAnotherMaster(cluster, gw, down);
      String healthyBreaker = "redis_enqueue_p" + gw.keys.partitions().ofUnit(healthyUnit);
      List<String> claimedOnTheDeadMaster = new ArrayList<>();
      for (int n = 0; claimedOnTheDeadMaster.size() < 2 * minimumCalls; n++) {
        if (cluster.masterOf(gw.keys.keyClaim(GatewayFixture.CLIENT_ID, "dead-master-claim-" + n)).port() == downPort) {
          claimedOnTheDeadMaster.add("dead-master-claim-" + n);
        }
      }
      assertThat(gw.post(ClusterGatewayTest.dossier(healthyUnit, 1)).bodyAsJsonObject().getString("code"))
          .endsWith("-0001");

      cluster.killNode(downPort);
      List<HttpResponse<Buffer>> keyed = new ArrayList<>();
      for (int i = 0; i < claimedOnTheDeadMaster.size(); i++) {
        keyed.add(gw.post(ClusterGatewayTest.dossier(healthyUnit, 10 + i), claimedOnTheDeadMaster.get(i)));
      }
      HttpResponse<Buffer> unkeyed = gw.post(ClusterGatewayTest.dossier(healthyUnit, 20));
      String metrics = gw.get("/metrics").bodyAsString();

      for (HttpResponse<Buffer> answer : keyed) {
        assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);
        assertThat(answer.bodyAsJsonObject().getString("code")).as("the claim failed: the direct path's 9000+")
            .matches(".*-9\\d{3}");
      }
      assertThat(metrics)
          .contains("resilience4j_circuitbreaker_state{name=\"" + healthyBreaker + "\",state=\"closed\"} 1.0");
      assertThat(unkeyed.statusCode()).as(unkeyed.bodyAsString()).isEqualTo(202);
      assertThat(unkeyed.bodyAsJsonObject().getString("code")).as("queued through Redis, not the direct path's 9000+")
          .endsWith("-0002");
    }
  }

  private static String otherUnitOnAnotherMaster(TestRedisCluster cluster, GatewayFixture gw, PartitionKeys taken) {
    int takenPort = cluster.masterOf(taken.stream()).port();
    for (int n = 5000; ; n++) {
      String unit = ClusterGatewayTest.unit(n);
      if (cluster.masterOf(gw.keys.forUnit(unit).stream()).port() != takenPort) {
        return unit;
      }
    }
  }
}
