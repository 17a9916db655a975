package vn.onewindow.intake;

import vn.onewindow.common.testing.TcpProxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.metrics.MeterNames;

class IntakeEdgeCaseTest {

  @Test
  void pendingEntriesWhoseContentIsGoneAreAckedNotRetried() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      h.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(h.keys.stream()).arg(h.keys.group()).arg("0")
          .arg("MKSTREAM"));
      List<StreamEntry> sent = Dossiers.entries(10);
      List<String> ids = h.xadd(sent);
      h.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(h.keys.group()).arg("crashed-worker")
          .arg("COUNT").arg(10).arg("STREAMS").arg(h.keys.stream()).arg(">"));
      Request del = Request.cmd(Command.XDEL).arg(h.keys.stream());
      ids.subList(0, 4).forEach(del::arg); // content deleted while still pending (e.g. trimmed by an operator)
      h.send(del);
      assertThat(h.pelCount()).isEqualTo(10);
      assertThat(h.pendingCount()).isEqualTo(6);

      h.deployWorker("worker-1");
      IntakeHarness.await(Duration.ofSeconds(10), "6 dossiers and nothing pending",
          () -> h.sql("SELECT count(*) FROM dossier") == 6 && h.pendingCount() == 0 && h.pelCount() == 0);
      assertThat(h.xlen(h.keys.stream())).isZero();
      assertThat(h.attempts()).isEmpty();
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      assertThat(h.counter(MeterNames.PERSISTED)).isEqualTo(6.0);
    }
  }

  @Test
  void anEntryFailingForAnUnexpectedReasonIsDeadLetteredAfterMaxDeliveries() {
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.max-deliveries", "3"))) {
      List<StreamEntry> batch = Dossiers.entries(10);
      batch.add(Dossiers.withOversizedCode(10));
      List<String> ids = h.xadd(batch);
      h.deployWorker("worker-1");

      IntakeHarness.await(Duration.ofSeconds(10), "10 dossiers and 1 dead letter",
          () -> h.sql("SELECT count(*) FROM dossier") == 10 && h.sql("SELECT count(*) FROM dead_letter") == 1
              && h.pendingCount() == 0);
      Map<String, String> letter = h.rows("SELECT * FROM dead_letter").get(0);
      assertThat(letter.get("stream_entry_id")).isEqualTo(ids.get(10));
      assertThat(letter.get("deliveries")).isEqualTo("3");
      assertThat(letter.get("error")).startsWith("max_deliveries: after 3 deliveries: SQLSTATE 54000 ");
      assertThat(h.counter(MeterNames.DEAD_LETTERS, MeterNames.TAG_REASON, "max_deliveries")).isEqualTo(1.0);
      assertThat(h.xlen(h.keys.stream())).isZero();
      assertThat(h.xlen(h.keys.deadLetterStream())).isEqualTo(1);
      // read once, swept twice: the attempts hash counted the sweeps and lost the entry's field with it
      assertThat(h.counter(MeterNames.CLAIMED)).isEqualTo(2.0);
      assertThat(h.attempts()).isEmpty();
    }
  }

  @Test
  void redisDownThenBackReconnectsTheReaderAndLosesNothing() throws Exception {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      URI redis = URI.create(h.config.redis().url());
      try (TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort())) {
        proxy.up();
        HubConfig proxied = h.config.withRedis(h.config.redis().withUrl("redis://127.0.0.1:" + proxy.port()));
        h.deployWorker(proxied, "worker-1");
        List<StreamEntry> sent = Dossiers.entries(60);
        h.xadd(sent.subList(0, 10));
        IntakeHarness.await(Duration.ofSeconds(10), "10 dossiers before the outage",
            () -> h.sql("SELECT count(*) FROM dossier") == 10 && h.pendingCount() == 0);

        proxy.down();
        h.xadd(sent.subList(10, 60)); // the gateway still reaches Redis; the worker does not
        IntakeHarness.await(Duration.ofSeconds(10), "failed reads while Redis is unreachable",
            () -> h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "redis") >= 4);
        assertThat(h.sql("SELECT count(*) FROM dossier")).isEqualTo(10);

        proxy.up();
        IntakeHarness.await(Duration.ofSeconds(10), "60 dossiers after the outage",
            () -> h.sql("SELECT count(*) FROM dossier") == 60 && h.pendingCount() == 0
                && h.xlen(h.keys.stream()) == 0);
        assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(60);
        assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
        System.out.printf("[intake] redis down: entries=60 persisted=%d duplicates=%d redis_failures=%.0f%n",
            h.sql("SELECT count(*) FROM dossier"), h.sql("SELECT count(*) - count(DISTINCT id) FROM dossier"),
            h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "redis"));
      }
    }
  }
}
