package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.EmbeddedServers;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;

/**
 * Reads are NOACK: the group keeps no pending list, and entries delivered but never written are found by the sweep
 * (delivered before a last-delivered-id seen at least claim-idle ago, still in the stream) and counted in the
 * partition's attempts hash.
 */
class IntakeSweepTest {

  @Test
  void entriesAWorkerReadWithNoackAndDiedOnAreSweptAndStoredExactlyOnce() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      h.createGroup();
      List<StreamEntry> sent = Dossiers.entries(150);
      List<String> entryIds = h.xadd(sent);
      // The crashed worker: read all 150 with NOACK, committed the first 50, died before deleting any.
      Response read = h.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(h.keys.group()).arg("crashed-worker")
          .arg("COUNT").arg(500).arg("NOACK").arg("STREAMS").arg(h.keys.stream()).arg(">"));
      assertThat(read.get(0).get(1).size()).isEqualTo(150);
      List<DossierRow> committed = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        committed.add(DossierRow.parse(new Delivery(entryIds.get(i), sent.get(i).toFields(), 1)).row());
      }
      Pool pool = PostgresClients.pool(h.vertx, h.config.postgres(), "test");
      assertThat(new DossierWriter(pool, Duration.ofSeconds(30)).write(committed).await().inserted()).isEqualTo(50);
      pool.close().await();
      // a count left behind by a batch cut short between its XDEL and its HDEL, for an entry long gone
      h.send(Request.cmd(Command.HSET).arg(h.keys.partition(0).attempts()).arg("1-0").arg("2"));
      assertThat(h.pelCount()).as("NOACK: nothing in the group's pending list").isZero();
      assertThat(h.pendingCount()).as("delivered, still in the stream").isEqualTo(150);

      SimpleMeterRegistry meters = h.deployWorker("worker-1");
      IntakeHarness.await(Duration.ofSeconds(10), "150 dossiers and an empty stream",
          () -> h.sql("SELECT count(*) FROM dossier") == 150 && h.xlen(h.keys.stream()) == 0);

      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(150);
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history")).isEqualTo(150);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      assertThat(h.counter(MeterNames.CLAIMED)).isEqualTo(150.0);
      assertThat(h.counter(MeterNames.PERSISTED)).as("only the uncommitted 100 are new").isEqualTo(100.0);
      assertThat(meters.find(MeterNames.BATCH_SIZE).summary().totalAmount())
          .as("each entry written in one statement only").isEqualTo(150.0);
      IntakeHarness.await(Duration.ofSeconds(5), "the stale count dropped", () -> h.attempts().isEmpty());
      assertThat(h.pendingCount()).isZero();
    }
  }

  @Test
  void aCrashedWorkersEntriesAreSweptClaimIdleAfterItsLastReadNotAfterTheSweeperCame() {
    // claim-idle far beyond the test's patience: only the first look's dating can make the first sweep take them
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.claim-idle-ms", "60000"))) {
      h.createGroup();
      h.xadd(Dossiers.entries(20));
      h.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(h.keys.group()).arg("crashed-worker")
          .arg("COUNT").arg(20).arg("NOACK").arg("STREAMS").arg(h.keys.stream()).arg(">"));
      // its last read, as its read loop marks it, two minutes ago: it died then
      h.send(Request.cmd(Command.ZADD).arg(h.keys.partition(0).readers())
          .arg(System.currentTimeMillis() - 120_000).arg("crashed-worker"));

      h.deployWorker("worker-1");
      IntakeHarness.await(Duration.ofSeconds(10), "20 dossiers and an empty stream",
          () -> h.sql("SELECT count(*) FROM dossier") == 20 && h.xlen(h.keys.stream()) == 0);
      assertThat(h.counter(MeterNames.CLAIMED)).isEqualTo(20.0);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(20);
    }
  }

  @Test
  void entriesDeliveredLateUnderABacklogAreNeverSweptWhileInFlight() throws Exception {
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.batch-size", "100"))) {
      h.createGroup();
      // a backlog queued a minute ago: every entry is old when it is delivered
      long minuteAgo = System.currentTimeMillis() - 60_000;
      List<Request> xadds = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        Request xadd = Request.cmd(Command.XADD).arg(h.keys.stream()).arg(minuteAgo + "-" + i);
        Dossiers.entry(i).toFields().forEach((k, v) -> xadd.arg(k).arg(v));
        xadds.add(xadd);
      }
      h.redis.batch(xadds).await();
      SimpleMeterRegistry meters;
      PostgresClients.Jdbc jdbc = PostgresClients.jdbc(h.config.postgres());
      try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
           Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        // the first batch's INSERT waits on this lock for several claim-idle periods
        s.execute("LOCK TABLE dossier IN SHARE ROW EXCLUSIVE MODE");
        meters = h.deployWorker("worker-1");
        long idleMs = h.config.intake().claimIdle().toMillis();
        IntakeHarness.await(Duration.ofSeconds(10), "the first batch's INSERT blocked for 4 x claim-idle",
            () -> h.sql("SELECT coalesce(max(extract(epoch FROM now() - query_start) * 1000), 0)::bigint "
                + "FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                + "AND query LIKE '%INSERT INTO dossier %'") > 4 * idleMs);
        assertThat(h.pendingCount()).as("one batch delivered, in flight").isEqualTo(100);
        c.commit();
      }
      IntakeHarness.await(Duration.ofSeconds(15), "400 dossiers and an empty stream",
          () -> h.sql("SELECT count(*) FROM dossier") == 400 && h.xlen(h.keys.stream()) == 0);

      assertThat(h.counter(MeterNames.CLAIMED)).as("nothing swept").isZero();
      assertThat(meters.find(MeterNames.BATCH_SIZE).summary().totalAmount())
          .as("each entry written in one statement only").isEqualTo(400.0);
      assertThat(h.counter(MeterNames.PERSISTED)).isEqualTo(400.0);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(400);
      assertThat(h.attempts()).isEmpty();
    }
  }

  @Test
  void anEntryPostgresKeepsRefusingIsDeadLetteredAfterMaxDeliveriesCountedInTheAttemptsHash() {
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.max-deliveries", "4"))) {
      List<String> ids = h.xadd(List.of(Dossiers.entry(1), Dossiers.withOversizedCode(10), Dossiers.entry(2)));
      String poison = ids.get(1);
      h.deployWorker("worker-1");

      IntakeHarness.await(Duration.ofSeconds(10), "the poison entry swept twice",
          () -> "2".equals(h.attempts().get(poison)));
      assertThat(h.pendingDeliveries()).containsExactly(Map.entry(poison, 3));
      IntakeHarness.await(Duration.ofSeconds(10), "2 dossiers and 1 dead letter",
          () -> h.sql("SELECT count(*) FROM dossier") == 2 && h.sql("SELECT count(*) FROM dead_letter") == 1
              && h.xlen(h.keys.stream()) == 0);
      Map<String, String> letter = h.rows("SELECT * FROM dead_letter").get(0);
      assertThat(letter.get("stream_entry_id")).isEqualTo(poison);
      assertThat(letter.get("deliveries")).isEqualTo("4");
      assertThat(letter.get("error")).startsWith("max_deliveries: after 4 deliveries: SQLSTATE 54000 ");
      assertThat(h.deadLetterStream()).extracting(m -> m.get("deliveries")).containsExactly("4");
      assertThat(h.counter(MeterNames.CLAIMED)).as("read once, swept three times").isEqualTo(3.0);
      assertThat(h.attempts()).as("its attempts field went with it").isEmpty();
    }
  }

  @Test
  void aSweptEntryThatFailsAgainIsSweptAgainOnlyClaimIdleAfterThatSweep() {
    // A sweep is a delivery (it counts towards max-deliveries), and XCLAIM reset the idle time it took again by: the
    // next sweep of an entry that failed comes claim-idle after the last one, not at the next round. Otherwise a
    // failure that is neither transient nor a data error (a table being migrated, a permission) dead-letters after
    // (max-deliveries - 1) x claim-interval (default 20 s) instead of (max-deliveries - 1) x claim-idle (2 min).
    long idleMs = 1500;
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.claim-idle-ms", Long.toString(idleMs),
        "intake.claim-interval-ms", "100", "intake.max-deliveries", "1000"))) {
      String poison = h.xadd(List.of(Dossiers.withOversizedCode(10))).get(0);
      h.deployWorker("worker-1");
      IntakeHarness.await(Duration.ofSeconds(10), "the poison entry swept once",
          () -> "1".equals(h.attempts().get(poison)));
      long firstSweep = System.nanoTime();
      IntakeHarness.await(Duration.ofSeconds(20), "the poison entry swept twice more",
          () -> Integer.parseInt(h.attempts().getOrDefault(poison, "0")) >= 3);
      assertThat(Await.millisSince(firstSweep)).as("two more sweeps, each claim-idle after the one before")
          .isGreaterThanOrEqualTo(2 * idleMs - 200);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      assertThat(h.xlen(h.keys.stream())).isEqualTo(1);
    }
  }

  @Test
  void entriesLeftPendingByAnEarlierReleaseAreSweptAndLeaveThePendingList() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      h.createGroup();
      List<StreamEntry> sent = Dossiers.entries(40);
      h.xadd(sent.subList(0, 30));
      // an intake of an earlier release read 30 without NOACK (pending on it) and was stopped for the upgrade
      h.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(h.keys.group()).arg("old-release")
          .arg("COUNT").arg(30).arg("STREAMS").arg(h.keys.stream()).arg(">"));
      h.xadd(sent.subList(30, 40));
      assertThat(h.pelCount()).isEqualTo(30);

      h.deployWorker("worker-1");
      IntakeHarness.await(Duration.ofSeconds(10), "40 dossiers, an empty stream and an empty pending list",
          () -> h.sql("SELECT count(*) FROM dossier") == 40 && h.xlen(h.keys.stream()) == 0 && h.pelCount() == 0);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(40);
      assertThat(h.counter(MeterNames.CLAIMED)).as("the 30 old ones swept, the 10 new ones read").isEqualTo(30.0);
      assertThat(h.counter(MeterNames.PERSISTED)).isEqualTo(40.0);
      assertThat(h.attempts()).isEmpty();
    }
  }

  @Test
  void entriesHeldBackForWantOfReplicasAreSweptOnceAReplicaHasThem() throws Exception {
    Path dir = Files.createTempDirectory("intake-replicas");
    int masterPort = TestServers.freePort();
    int replicaPort = TestServers.freePort();
    try (EmbeddedServers master = new EmbeddedServers(); EmbeddedServers replica = new EmbeddedServers()) {
      String url = master.startRedis(dir.resolve("master"), masterPort, false);
      try (IntakeHarness h = IntakeHarness.create(Map.of("redis.url", url, "redis.min-replicas-ack", "1",
          "redis.replica-ack-timeout-ms", "50"))) {
        h.deployWorker("worker-1");
        List<StreamEntry> sent = Dossiers.entries(30);
        h.xadd(sent);
        // no replica: WAIT confirms nothing, the read hands nothing on and no sweep does either
        IntakeHarness.await(Duration.ofSeconds(10), "reads and sweeps held back, entries delivered",
            () -> h.pendingCount() == 30 && h.counter(MeterNames.UNREPLICATED_READS) >= 3
                && !h.attempts().isEmpty());
        assertThat(h.sql("SELECT count(*) FROM dossier")).isZero();
        assertThat(h.counter(MeterNames.CLAIMED)).isZero();

        replica.startRedis(dir.resolve("replica"), replicaPort, false);
        TestServers.redisCommand("127.0.0.1", replicaPort, "REPLICAOF", "127.0.0.1", Integer.toString(masterPort));
        IntakeHarness.await(Duration.ofSeconds(15), "30 dossiers once a replica has them",
            () -> h.sql("SELECT count(*) FROM dossier") == 30 && h.xlen(h.keys.stream()) == 0);
        assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(30);
        assertThat(h.counter(MeterNames.CLAIMED)).isEqualTo(30.0);
        assertThat(h.counter(MeterNames.PERSISTED)).isEqualTo(30.0);
        assertThat(h.attempts()).isEmpty();
      }
    }
  }
}
