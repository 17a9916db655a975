package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestRedisCluster;
import vn.onewindow.common.testing.TestServers;

/**
 * Scripts survive a failover and an empty restart: the next submission after a master was SIGKILLed and its replica
 * promoted (which has no script cache), or after a master came back empty (no functions, no scripts, no keys), is
 * queued through Redis, not refused and not sent down the degraded path. A private cluster: nodes are killed.
 */
class ClusterFailoverTest {

  @Test
  void shouldQueueTheNextSubmissionRightAfterAFailoverAndAfterAnEmptyRestart() {
    try (TestRedisCluster cluster = TestRedisCluster.startFresh();
         GatewayFixture gw = new GatewayFixture(TestServers.get().config(ClusterGatewayTest.clusterConfig(cluster,
             Map.of("ratelimit.applicant-per-minute", "6000", "ratelimit.applicant-burst", "1000"))))) {
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
