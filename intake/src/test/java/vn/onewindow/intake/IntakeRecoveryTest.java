package vn.onewindow.intake;

import vn.onewindow.common.testing.TcpProxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.LogCapture;

class IntakeRecoveryTest {
  @RegisterExtension
  final LogCapture logged = LogCapture.of(BatchProcessor.class);
  @RegisterExtension
  final LogCapture readLog = LogCapture.of(ReadLoop.class);

  @Test
  void entriesOfAWorkerThatCrashedMidBatchAreClaimedAndStoredOnce() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      h.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(h.keys.stream()).arg(h.keys.group()).arg("0")
          .arg("MKSTREAM"));
      List<StreamEntry> sent = Dossiers.entries(200);
      List<String> entryIds = h.xadd(sent);

      // The crashed worker, of an earlier release (no NOACK): read all 200, committed the first 100, died before XACK.
      Response read = h.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(h.keys.group()).arg("crashed-worker")
          .arg("COUNT").arg(500).arg("STREAMS").arg(h.keys.stream()).arg(">"));
      assertThat(read.get(0).get(1).size()).isEqualTo(200);
      List<DossierRow> committed = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        Delivery d = new Delivery(entryIds.get(i), sent.get(i).toFields(), 1);
        committed.add(DossierRow.parse(d).row());
      }
      Pool pool = PostgresClients.pool(h.vertx, h.config.postgres(), "test");
      assertThat(new DossierWriter(pool, java.time.Duration.ofSeconds(30)).write(committed).await().inserted()).isEqualTo(100);
      pool.close().await();
      assertThat(h.sql("SELECT count(*) FROM dossier")).isEqualTo(100);
      assertThat(h.pendingCount()).isEqualTo(200);
      assertThat(h.pelCount()).isEqualTo(200);

      long started = System.nanoTime();
      h.deployWorker("worker-1");
      IntakeHarness.await(Duration.ofSeconds(10), "200 dossiers and nothing pending",
          () -> h.sql("SELECT count(*) FROM dossier") == 200 && h.pendingCount() == 0 && h.pelCount() == 0);
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;

      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(200);
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history")).isEqualTo(200);
      assertThat(h.sql("SELECT count(DISTINCT dossier_id) FROM dossier_status_history")).isEqualTo(200);
      assertThat(h.xlen(h.keys.stream())).isZero();
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      assertThat(h.counter(MeterNames.CLAIMED)).isEqualTo(200.0);
      assertThat(h.counter(MeterNames.PERSISTED)).as("only the uncommitted half is new").isEqualTo(100.0);
      System.out.printf("[intake] crash redelivery: entries=200 precommitted=100 persisted=%d duplicates=%d "
              + "claimed=%.0f elapsed_ms=%d%n", h.sql("SELECT count(*) FROM dossier"),
          h.sql("SELECT count(*) - count(DISTINCT id) FROM dossier"), h.counter(MeterNames.CLAIMED), elapsedMs);
    }
  }

  @Test
  void aTableThatCannotBeWrittenLeavesEntriesPendingUntilItIsBack() {
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.max-deliveries", "1000"))) {
      h.execute("ALTER TABLE dossier RENAME TO dossier_off"); // every insert now fails with 42P01
      h.deployWorker("worker-1");
      List<StreamEntry> sent = Dossiers.entries(100);
      h.xadd(sent);
      // read, failed, then claimed again and failed again at least twice
      IntakeHarness.await(Duration.ofSeconds(10), "100 entries retried and still pending", () -> {
        Map<String, Integer> pending = h.pendingDeliveries();
        return pending.size() == 100 && pending.values().stream().allMatch(n -> n >= 3);
      });
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      assertThat(h.sql("SELECT count(*) FROM dossier_off")).isZero();
      assertThat(h.xlen(h.keys.stream())).isEqualTo(100);
      assertThat(h.xlen(h.keys.deadLetterStream())).isZero();
      assertThat(h.counter(MeterNames.PERSISTED)).isZero();

      long restored = System.nanoTime();
      h.execute("ALTER TABLE dossier_off RENAME TO dossier");
      IntakeHarness.await(Duration.ofSeconds(10), "100 dossiers after the table is back",
          () -> h.sql("SELECT count(*) FROM dossier") == 100 && h.pendingCount() == 0);
      long elapsedMs = (System.nanoTime() - restored) / 1_000_000;
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(100);
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history")).isEqualTo(100);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      assertThat(h.xlen(h.keys.stream())).isZero();
      System.out.printf("[intake] table unavailable: entries=100 persisted=%d duplicates=%d dead_letters=%d "
              + "recovered_ms=%d%n", h.sql("SELECT count(*) FROM dossier"),
          h.sql("SELECT count(*) - count(DISTINCT id) FROM dossier"), h.sql("SELECT count(*) FROM dead_letter"),
          elapsedMs);
    }
  }

  /**
   * PostgreSQL stalled (a lock the INSERT waits on, each statement given up after intake.statement-timeout-ms) for
   * longer than the read connection's silence bound: the read connection sat idle while the loop waited on PostgreSQL,
   * its client closed it as presumed dead, and the next XREADGROUP failed on it, counted as
   * hub_intake_failures_total{upstream="redis"} with a WARN "XREADGROUP failed" (an alerting drill: a PostgreSQL stall
   * showed up as Redis failures). Only PostgreSQL's failures are counted, under its own label.
   */
  @Test
  void aPostgresStallLongerThanTheReadSilenceIsCountedAsPostgresOnly() throws Exception {
    // silence bound 200 + 300 = 500 ms, each stalled statement 1.5 s
    try (IntakeHarness h = IntakeHarness.withVertxMeters(Map.of("intake.read-margin-ms", "300",
        "redis.replica-ack-timeout-ms", "200", "intake.statement-timeout-ms", "1500",
        "intake.batch-timeout-ms", "5000"))) {
      h.createGroup();
      h.deployWorker("worker-1");
      List<StreamEntry> sent = Dossiers.entries(40);
      h.xadd(sent.subList(0, 20));
      IntakeHarness.await(Duration.ofSeconds(10), "20 dossiers before the stall",
          () -> h.sql("SELECT count(*) FROM dossier") == 20 && h.pendingCount() == 0);
      double readersInUse = h.readConnectionsInUse();

      try (Connection lock = h.lockDossierInserts()) {
        h.xadd(sent.subList(20, 40));
        IntakeHarness.await(Duration.ofSeconds(20), "three statements given up on the stalled database",
            () -> h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "postgres") >= 3);
        lock.commit();
      }
      IntakeHarness.await(Duration.ofSeconds(15), "40 dossiers after the stall",
          () -> h.sql("SELECT count(*) FROM dossier") == 40 && h.xlen(h.keys.stream()) == 0);

      assertThat(h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "redis"))
          .as("Redis answered throughout: no failure counted under its label").isZero();
      assertThat(readLog.lines("XREADGROUP failed")).isEmpty();
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(40);
      // each replaced connection handed back before its client closed: vertx_pool_in_use of the read clients grew by
      // one a replacement (a live hub: 7, 8, 9, 10 with two readers), for every slow batch of a PostgreSQL stall
      assertThat(h.readConnectionsInUse()).as("read connections in use, by Vert.x's pool meter")
          .isEqualTo(readersInUse);
    }
  }

  @Test
  void postgresDownThenBackLosesNothingAndDeadLettersNothing() throws Exception {
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.max-deliveries", "2"));
         TcpProxy proxy = proxyTo(h)) {
      proxy.up();
      String direct = h.pgUrl();
      PgConnectOptions target = PgConnectOptions.fromUri(direct);
      String viaProxy = direct.replace(target.getHost() + ":" + target.getPort(), "127.0.0.1:" + proxy.port());
      HubConfig proxied = h.config.withPostgres(h.config.postgres().withUrl(viaProxy));
      h.deployWorker(proxied, "worker-1");

      List<StreamEntry> sent = Dossiers.entries(120);
      h.xadd(sent.subList(0, 20));
      IntakeHarness.await(Duration.ofSeconds(10), "20 dossiers before the outage",
          () -> h.sql("SELECT count(*) FROM dossier") == 20 && h.pendingCount() == 0);

      proxy.down(); // connections reset, new ones refused
      long down = System.nanoTime();
      h.xadd(sent.subList(20, 120));
      IntakeHarness.await(Duration.ofSeconds(10), "failed rounds against the unreachable database",
          () -> h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "postgres") >= 3
              && h.pendingCount() == 100);
      // one line per 10 s, not one per failed batch (a 22 s stop wrote about 180 per intake: QA of cluster mode)
      long windows = 1 + (System.nanoTime() - down) / 10_000_000_000L;
      assertThat(logged.lines("PostgreSQL unavailable")).as("lines in %d window(s) of 10 s", windows)
          .hasSizeBetween(1, (int) windows)
          .hasSizeLessThan((int) h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "postgres"))
          .allMatch(line -> line.contains("more such batches since the last line"));
      assertThat(h.pendingDeliveries()).hasSize(100);
      assertThat(h.sql("SELECT count(*) FROM dossier")).isEqualTo(20);

      long restored = System.nanoTime();
      proxy.up();
      IntakeHarness.await(Duration.ofSeconds(10), "120 dossiers after the outage",
          () -> h.sql("SELECT count(*) FROM dossier") == 120 && h.pendingCount() == 0);
      long elapsedMs = (System.nanoTime() - restored) / 1_000_000;
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(120);
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history")).isEqualTo(120);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      assertThat(h.xlen(h.keys.deadLetterStream())).isZero();
      assertThat(h.xlen(h.keys.stream())).isZero();
      System.out.printf("[intake] postgres down: entries=120 persisted=%d duplicates=%d dead_letters=%d "
              + "failures=%.0f recovered_ms=%d%n", h.sql("SELECT count(*) FROM dossier"),
          h.sql("SELECT count(*) - count(DISTINCT id) FROM dossier"), h.sql("SELECT count(*) FROM dead_letter"),
          h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "postgres"), elapsedMs);
    }
  }

  private static TcpProxy proxyTo(IntakeHarness h) {
    PgConnectOptions target = PgConnectOptions.fromUri(h.pgUrl());
    return new TcpProxy(target.getHost(), target.getPort());
  }
}
