package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestRedisCluster;

/**
 * The hub on a real Redis Cluster (3 masters + 3 replicas) as separate processes, under load, reconciled against
 * PostgreSQL: gateways and intake processes share the work, a SIGKILLed intake process's partitions and pending
 * entries are taken over, and with redis.min-replicas-ack=1 a SIGKILLed master loses no acknowledged dossier and
 * duplicates none.
 */
class ClusterProcessesTest {
  /** New dossiers a second: enough to keep every partition busy, little enough for a 2-core box running it all. */
  private static final int ARRIVALS_PER_SECOND = 150;
  /** The load generator's event loops, for every test of the class. */
  private static Vertx vertx;

  @BeforeAll
  static void startLoadGenerator() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopLoadGenerator() {
    vertx.close().await();
  }

  @Test
  void twoGatewaysAndTwoIntakeProcessesShareTheWorkAndAKilledIntakeProcessIsTakenOver() throws Exception {
    try (ClusterRun run = new ClusterRun(TestRedisCluster.shared(), Map.of("intake.workers", "1"))) {
      Migrations.apply(run.config.postgres());
      Map<String, String> gateway = with(run.settings, "hub.role", "gateway");
      Map<String, String> intake = with(run.settings, "hub.role", "intake");
      try (HubProcess gw1 = HubProcess.start(run.config, gateway); HubProcess gw2 = HubProcess.start(run.config, gateway);
           HubProcess in1 = HubProcess.start(run.config, intake); HubProcess in2 = HubProcess.start(run.config, intake)) {
        // a fresh Redis Cluster: the gateways seed every partition's counters before they turn ready, not the first
        // submissions all at once (sixteen seedings of 3,800 unit-days together: 503s and an open breaker for the
        // whole start on a loaded box, CI)
        assertThat(run.partitionsSeeded()).as("partitions seeded before readiness").isEqualTo(ClusterRun.PARTITIONS);
        RetryingLoad load = new RetryingLoad(vertx, List.of(gw1.port, gw2.port), 200);
        Future<Void> running = load.start(ARRIVALS_PER_SECOND);
        Duration bothWorking = Await.until(Duration.ofSeconds(30), "both intake processes to persist dossiers",
            () -> persisted(in1) > 50 && persisted(in2) > 50);
        double beforeKill1 = persisted(in1);
        double beforeKill2 = persisted(in2);

        long killed = System.nanoTime();
        in1.kill();
        // the survivor must come to read every partition: each one's group then shows a consumer seen just now
        Duration takenOver = Await.until(run.config.intake().claimIdle().multipliedBy(10),
            "the survivor to read every partition", () -> everyPartitionRead(run, in2));
        Await.until(Duration.ofSeconds(5), "more dossiers after the takeover", () -> persisted(in2) > beforeKill2 + 100);
        load.stop();
        running.await();
        Await.until(run.config.intake().claimIdle().multipliedBy(15), "the backlog to drain", () -> run.backlog() == 0);
        long drainedMs = Await.millisSince(killed);
        ClusterRun.Reconciliation r = run.reconcile(load);

        System.out.printf("cluster, 2 gateways + 2 intake processes: %s; gateways accepted %.0f / %.0f; intake "
                + "persisted %.0f / %.0f before one was SIGKILLed (after %d ms of load); the survivor read all %d "
                + "partitions %d ms after the kill (claim-idle %d ms, heartbeat %d ms), claimed %.0f stale entries, "
                + "backlog drained %d ms after the kill; %s%n", load.figures(), accepted(gw1), accepted(gw2),
            beforeKill1, beforeKill2, bothWorking.toMillis(), ClusterRun.PARTITIONS, takenOver.toMillis(),
            run.config.intake().claimIdle().toMillis(), run.config.intake().heartbeat().toMillis(),
            ClusterRun.counter(in2.port, "hub_intake_claimed_total"), drainedMs, r);
        assertThat(accepted(gw1)).isGreaterThan(50);
        assertThat(accepted(gw2)).isGreaterThan(50);
        assertThat(takenOver).isLessThan(run.config.intake().claimIdle());
        assertThat(load.unexpected.get()).isZero();
        assertThat(r.exact()).as(r.toString()).isTrue();
      }
    }
  }

  @Test
  void aMasterSigkilledUnderLoadWithMinReplicasAckLosesAndDuplicatesNoAcknowledgedDossier() throws Exception {
    try (TestRedisCluster cluster = TestRedisCluster.startFresh();
         ClusterRun run = new ClusterRun(cluster, Map.of("redis.min-replicas-ack", "1",
             "redis.replica-ack-timeout-ms", "300", "intake.workers", "2"))) {
      Migrations.apply(run.config.postgres());
      try (HubProcess hub = HubProcess.start(run.config, with(run.settings, "hub.role", "all"))) {
        RetryingLoad load = new RetryingLoad(vertx, List.of(hub.port), 200);
        Future<Void> running = load.start(ARRIVALS_PER_SECOND);
        Await.until(Duration.ofSeconds(30), "load under way", () -> load.accepted.size() > 300);
        int acceptedBeforeKill = load.accepted.size();

        PartitionKeys victim = run.keys.partition(0);
        TestRedisCluster.Node master = cluster.masterOf(victim.stream());
        Duration failover = cluster.killMaster(victim.stream());
        // the promoted replica has no replica of its own until the old master rejoins: min-replicas-ack=1 refuses
        // that shard's receipts (503, retried) until then
        Duration rejoin = cluster.restartNode(master.port());
        int acceptedAtRejoin = load.accepted.size();
        Await.until(Duration.ofSeconds(30), "load after the failover", () -> load.accepted.size() > acceptedAtRejoin + 300);
        load.stop();
        running.await();
        Await.until(run.config.intake().claimIdle().multipliedBy(15), "the backlog to drain", () -> run.backlog() == 0);
        ClusterRun.Reconciliation r = run.reconcile(load);

        System.out.printf("cluster failover under load (min-replicas-ack=1): %d accepted before the kill; master %d "
                + "SIGKILLed, replica promoted in %d ms, old master rejoined as replica %d ms later; %s; %s; "
                + "dossiers held back by workers until replicated: %.0f rounds%n", acceptedBeforeKill, master.port(),
            failover.toMillis(), rejoin.toMillis(), load.figures(), r,
            ClusterRun.counter(hub.port, "hub_intake_unreplicated_reads_total"));
        assertThat(load.unexpected.get()).isZero();
        assertThat(r.exact()).as(r.toString()).isTrue();
      }
    }
  }

  private static Map<String, String> with(Map<String, String> settings, String key, String value) {
    Map<String, String> all = new java.util.HashMap<>(settings);
    all.put(key, value);
    return all;
  }

  private static double persisted(HubProcess process) {
    try {
      return ClusterRun.counter(process.port, "hub_intake_persisted_total");
    } catch (Exception e) {
      return 0;
    }
  }

  private static double accepted(HubProcess gateway) throws Exception {
    return ClusterRun.counter(gateway.port, "hub_submissions_total");
  }

  /** Every partition's group has a consumer of {@code process} (its workers are named host-pid-n) seen just now. */
  private static boolean everyPartitionRead(ClusterRun run, HubProcess process) {
    try {
      // a reader asks again at least every block-ms once its batch is written; give it a second of slack
      Duration recent = run.config.intake().block().plusSeconds(1);
      return run.partitionsReadBy(process.process.pid(), recent) == ClusterRun.PARTITIONS;
    } catch (Exception e) {
      return false;
    }
  }
}
