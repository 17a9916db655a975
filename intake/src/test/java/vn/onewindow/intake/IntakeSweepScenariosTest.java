package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames;

/**
 * The sweep when its sweeper changes, when the group's last-delivered-id goes back, when a batch is stuck past
 * the batch timeout (one partition), and when the sweeper keeps failing while its heartbeat lives.
 */
class IntakeSweepScenariosTest {

  @Test
  void aSweeperWhoseSweepsKeepFailingWhileItHeartbeatsIsStoodInForByTheNextWorker() {
    // two workers, two partitions: each reads and sweeps one partition alone. "a-broken" sorts first and gets
    // partition 0; it connects as a Redis user denied XINFO, so every sweep of it fails while its heartbeat, reads
    // and writes go on: the sweep of partition 0 must not depend on it alone
    String user = "hubtest-nosweep-" + Long.toHexString(System.nanoTime());
    try (IntakeHarness h = IntakeHarness.create(Map.of("stream.partitions", "2"))) {
      h.send(Request.cmd(Command.ACL).arg("SETUSER").arg(user).arg("on").arg(">secret").arg("~*").arg("&*")
          .arg("+@all").arg("-xinfo"));
      try {
        String stream = h.keys.partition(0).stream();
        h.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg(h.keys.group()).arg("0").arg("MKSTREAM"));
        for (int i = 0; i < 25; i++) {
          h.send(IntakeHarness.xaddRequest(stream, Dossiers.entry(i).toFields()));
        }
        // a reader that is no member any more read them all (NOACK) and crashed
        h.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(h.keys.group()).arg("crashed")
            .arg("COUNT").arg(25).arg("NOACK").arg("STREAMS").arg(stream).arg(">"));
        String url = h.config.redis().url().replace("redis://", "redis://" + user + ":secret@");
        h.deployWorker(h.config.withRedis(h.config.redis().withUrl(url)), "a-broken");
        h.deployWorker("b-standby");
        assertThat(Assignment.sweepsOf("a-broken", List.of("a-broken", "b-standby"), 2)).containsExactly(0);

        IntakeHarness.await(Duration.ofSeconds(15), "25 dossiers and an empty partition 0 though its sweeper fails",
            () -> h.sql("SELECT count(*) FROM dossier") == 25 && h.xlen(stream) == 0);
        assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(25);
        assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
        assertThat(h.registries.get(0).find(MeterNames.CLAIMED).counter().count()).as("a-broken swept nothing")
            .isZero();
        assertThat(h.registries.get(1).find(MeterNames.CLAIMED).counter().count()).as("b-standby swept them")
            .isEqualTo(25.0);
        Response time = h.send(Request.cmd(Command.TIME));
        long redisNowMs = time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
        assertThat(Double.parseDouble(h.send(Request.cmd(Command.ZSCORE).arg(h.keys.members()).arg("a-broken"))
            .toString()))
            .as("a-broken's heartbeat lives all along").isGreaterThan(redisNowMs);
      } finally {
        h.send(Request.cmd(Command.ACL).arg("DELUSER").arg(user));
      }
    }
  }

  @Test
  void aReaderThatBecomesTheSweeperWhenTheSweeperDiesSweepsItsEntries() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      h.createGroup();
      h.xadd(Dossiers.entries(30));
      // "a-crashed" sorts first: with two workers on one partition it is the sweeper. It read all 30 (NOACK) and
      // died; its heartbeat expires in 3 s, as a SIGKILLed worker's does
      h.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(h.keys.group()).arg("a-crashed")
          .arg("COUNT").arg(30).arg("NOACK").arg("STREAMS").arg(h.keys.stream()).arg(">"));
      h.send(Request.cmd(Command.ZADD).arg(h.keys.partition(0).readers()).arg(System.currentTimeMillis())
          .arg("a-crashed"));
      Response time = h.send(Request.cmd(Command.TIME));
      long redisNowMs = time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
      h.send(Request.cmd(Command.ZADD).arg(h.keys.members()).arg(redisNowMs + 3000).arg("a-crashed"));

      h.deployWorker("b-reader");
      assertThat(Assignment.sweepsOf("b-reader", List.of("a-crashed", "b-reader"), 1)).isEmpty();
      IntakeHarness.await(Duration.ofSeconds(20), "30 dossiers and an empty stream once b-reader sweeps",
          () -> h.sql("SELECT count(*) FROM dossier") == 30 && h.xlen(h.keys.stream()) == 0);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(30);
      assertThat(h.counter(MeterNames.CLAIMED)).isEqualTo(30.0);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
    }
  }

  @Test
  void entriesBeyondALastDeliveredIdThatWentBackAreWrittenOnceAndNothingIsDeadLettered() {
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.max-deliveries", "1000"))) {
      h.execute("ALTER TABLE dossier RENAME TO dossier_off"); // every insert fails (42P01): entries stay
      h.deployWorker("worker-1");
      List<String> ids = h.xadd(Dossiers.entries(20));
      IntakeHarness.await(Duration.ofSeconds(10), "20 entries delivered and swept at least once",
          () -> h.pendingCount() == 20 && h.attempts().size() == 20);
      // a failover that lost the latest reads: the group's last-delivered-id goes back before them
      h.send(Request.cmd(Command.XGROUP).arg("SETID").arg(h.keys.stream()).arg(h.keys.group()).arg("0"));
      IntakeHarness.await(Duration.ofSeconds(10), "the 20 delivered again by the read loop",
          () -> ids.get(19).equals(h.lastDelivered(h.keys.stream())));
      h.execute("ALTER TABLE dossier_off RENAME TO dossier");
      IntakeHarness.await(Duration.ofSeconds(10), "20 dossiers and an empty stream",
          () -> h.sql("SELECT count(*) FROM dossier") == 20 && h.xlen(h.keys.stream()) == 0);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(20);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      IntakeHarness.await(Duration.ofSeconds(5), "no attempts count left", () -> h.attempts().isEmpty());
    }
  }

  @Test
  void aBatchStuckPastTheBatchTimeoutLeavesItsEntriesInFlightOnTheWorkersEventLoop() throws Exception {
    // The batch timeout is what lets the sweep take a stuck batch's entries again (Batches.inFlight). It must fire on
    // the worker's event loop: the in-flight set, the batches running and the backoff are the event loop's alone.
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger batches = (Logger) LoggerFactory.getLogger(Batches.class);
    batches.addAppender(logged);
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.statement-timeout-ms", "300",
        "intake.batch-timeout-ms", "600"))) {
      PostgresClients.Jdbc jdbc = PostgresClients.jdbc(h.config.postgres());
      try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
           Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        // the dead letter's INSERT (it has no statement timeout of its own) waits on this lock
        s.execute("LOCK TABLE dead_letter IN ACCESS EXCLUSIVE MODE");
        h.deployWorker("worker-1");
        Map<String, String> malformed = new java.util.LinkedHashMap<>(Dossiers.entry(1).toFields());
        malformed.remove(vn.onewindow.common.dossier.StreamEntry.PAYLOAD);
        h.send(h.xaddRequest(malformed));
        IntakeHarness.await(Duration.ofSeconds(10), "the stuck batch given up after the batch timeout",
            () -> logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("failed unexpectedly")));
        c.commit();
      }
      IntakeHarness.await(Duration.ofSeconds(10), "1 dead letter and an empty stream",
          () -> h.sql("SELECT count(*) FROM dead_letter") == 1 && h.xlen(h.keys.stream()) == 0);
      ILoggingEvent givenUp = logged.list.stream()
          .filter(e -> e.getFormattedMessage().contains("failed unexpectedly")).findFirst().orElseThrow();
      assertThat(givenUp.getThreadName()).as("the thread that took the batch out of the in-flight set")
          .startsWith("vert.x-eventloop-thread-");
    } finally {
      batches.detachAppender(logged);
    }
  }

  @Test
  void withMoreWorkersThanPartitionsEachPartitionIsSweptByItsOneSweeper() {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger verticle = (Logger) LoggerFactory.getLogger(IntakeVerticle.class);
    verticle.addAppender(logged);
    try (IntakeHarness h = IntakeHarness.create(Map.of("stream.partitions", "2", "intake.max-deliveries", "1000"))) {
      // three workers, two partitions: w1 reads and sweeps 0, w2 reads and sweeps 1, w3 reads 0 only
      h.deployWorker("w1");
      h.deployWorker("w2");
      h.deployWorker("w3");
      IntakeHarness.await(Duration.ofSeconds(10), "w1 down to partition 0 once all three are members",
          () -> logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("w1 now reads partitions [0] ")));
      h.execute("ALTER TABLE dossier RENAME TO dossier_off"); // every insert fails (42P01): entries stay
      for (int p = 0; p < 2; p++) {
        for (int i = 0; i < 20; i++) {
          h.send(IntakeHarness.xaddRequest(h.keys.partition(p).stream(), Dossiers.entry(p * 20 + i).toFields()));
        }
      }
      IntakeHarness.await(Duration.ofSeconds(10), "every entry of both partitions swept at least once",
          () -> h.send(Request.cmd(Command.HLEN).arg(h.keys.partition(0).attempts())).toLong() == 20
              && h.send(Request.cmd(Command.HLEN).arg(h.keys.partition(1).attempts())).toLong() == 20);
      h.execute("ALTER TABLE dossier_off RENAME TO dossier");
      IntakeHarness.await(Duration.ofSeconds(10), "40 dossiers and both streams empty",
          () -> h.sql("SELECT count(*) FROM dossier") == 40 && h.xlen(h.keys.partition(0).stream()) == 0
              && h.xlen(h.keys.partition(1).stream()) == 0);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(40);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      assertThat(h.registries.get(0).find(MeterNames.CLAIMED).counter().count()).as("w1 sweeps 0").isPositive();
      assertThat(h.registries.get(1).find(MeterNames.CLAIMED).counter().count()).as("w2 sweeps 1").isPositive();
      assertThat(h.registries.get(2).find(MeterNames.CLAIMED).counter().count()).as("w3 sweeps nothing").isZero();
    } finally {
      verticle.detachAppender(logged);
    }
  }
}
