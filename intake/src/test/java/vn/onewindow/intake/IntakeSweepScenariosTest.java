package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.metrics.MeterNames;

/** The sweep when its sweeper changes or the group's last-delivered-id goes back (one partition). */
class IntakeSweepScenariosTest {

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
}
