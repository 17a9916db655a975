package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.TestServers;

class IntakeWarmupTest {
  /** The identity sequence behind the agency feed's position, which a rolled-back INSERT still advances. */
  private static final String FEED_SEQ = "SELECT coalesce(max(last_value), 0) FROM pg_sequences "
      + "WHERE sequencename = 'dossier_feed_seq_seq'";

  @Test
  void shouldDriveTheRealInsertAndLeaveNoRowKeyOrMeterBehind() {
    try (IntakeHarness h = IntakeHarness.create(Map.of("warmup.duration-ms", "10000",
        "warmup.intake-duration-ms", "10000", "warmup.intake-max-entries", "1200"))) {
      IntakeWarmup.Summary summary = warmUp(h);
      assertThat(summary.entries()).as("synthetic dossiers through the INSERT").isPositive();
      // the entry cap ends it here, unless the box is so slow that the 10 s cap came first
      assertThat(summary.ended()).isIn("entry cap", "time cap");
      if (summary.ended().equals("entry cap")) {
        assertThat(summary.entries()).isEqualTo(1200);
        assertThat(summary.batches()).isEqualTo(3); // 500 (intake.batch-size), 500, 200
      }
      // the INSERT did run for each of them: its identity sequence moved (gaps in it are harmless, see IntakeWarmup)
      assertThat(h.sql(FEED_SEQ)).isEqualTo(summary.entries());
      for (String table : List.of("dossier", "dossier_status_history", "dossier_event", "dead_letter")) {
        assertThat(h.sql("SELECT count(*) FROM " + table)).as("rows in %s", table).isZero();
      }
      assertThat(TestServers.keysUnder(h.redis, h.keys.prefix())).as("keys under the run's prefix").isEmpty();

      // a real dossier afterwards is persisted exactly once, and the worker's meters count only it
      SimpleMeterRegistry meters = h.deployWorker("worker-1");
      StreamEntry real = Dossiers.entry(7);
      h.xadd(List.of(real));
      IntakeHarness.await(Duration.ofSeconds(10), "the real dossier", () -> h.sql("SELECT count(*) FROM dossier") == 1);
      IntakeHarness.await(Duration.ofSeconds(5), "stream drained",
          () -> h.xlen(h.keys.stream()) == 0 && h.pendingCount() == 0);
      assertThat(h.rows("SELECT id::text AS id, code FROM dossier").get(0))
          .containsEntry("id", real.dossierId()).containsEntry("code", real.code());
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history")).isEqualTo(1);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      assertThat(meters.find(MeterNames.PERSISTED).counter().count()).isEqualTo(1.0);
      assertThat(meters.find(MeterNames.BATCH_SIZE).summary().totalAmount()).isEqualTo(1.0);
      System.out.printf("[intake] warm-up: %d synthetic dossiers in %d batches, %d ms (%s); nothing left; "
          + "a real dossier then persisted once%n", summary.entries(), summary.batches(), summary.elapsedMs(),
          summary.ended());
    }
  }

  @Test
  void shouldStartColdWithoutFailingWhenRedisIsUnreachable() {
    try (IntakeHarness h = IntakeHarness.create(Map.of("warmup.duration-ms", "10000",
        "redis.url", "redis://127.0.0.1:1", "warmup.intake-duration-ms", "1000"))) {
      IntakeWarmup.Summary summary = warmUp(h);

      assertThat(summary.entries()).isZero();
      assertThat(summary.ended()).startsWith("failed: TRANSIENT");
      assertThat(h.sql(FEED_SEQ)).isZero();
    }
  }

  @Test
  void shouldNotRunWhenWarmUpIsOff() {
    try (IntakeHarness h = IntakeHarness.create(Map.of("warmup.duration-ms", "0"))) {
      assertThat(warmUp(h).ended()).isEqualTo("off");
      assertThat(h.sql(FEED_SEQ)).isZero();
    }
  }

  /** Deploys the warm-up (its start is the whole warm-up), undeploys it, and says what it did. */
  private static IntakeWarmup.Summary warmUp(IntakeHarness h) {
    IntakeWarmup warmup = new IntakeWarmup(h.config);
    h.vertx.undeploy(h.vertx.deployVerticle(warmup).await()).await();
    return warmup.summary();
  }
}
