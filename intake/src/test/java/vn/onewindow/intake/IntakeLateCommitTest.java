package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.metrics.MeterNames;

/**
 * A batch INSERT that commits after {@code intake.statement-timeout-ms} gave up on it: the batch counts as failed and
 * its entries stay pending, and their redelivery finds the rows written (ON CONFLICT DO NOTHING, nothing returned).
 * hub_intake_persisted_total used to miss such dossiers altogether, under-reporting what the intake wrote.
 */
class IntakeLateCommitTest {
  /** Any dossier INSERT of the intake's, by its text ({@code DossierTable.INSERT}), not this probe itself. */
  private static final String INSERTS = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
      + "AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%INSERT INTO dossier (id,%'";

  @Test
  void aStatementThatCommitsAfterItsTimeoutIsCountedOnceAndItsRedeliveryIsNot() throws Exception {
    // claim-idle well past the statement timeout: no sweep takes the entries while the first statement waits, so the
    // statement that inserts them is the one given up on (the claim then finds them written)
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.statement-timeout-ms", "300",
        "intake.claim-idle-ms", "3000"))) {
      h.createGroup();
      h.deployWorker("worker-1");
      List<StreamEntry> sent = Dossiers.entries(15);
      h.xadd(sent.subList(0, 5));
      IntakeHarness.await(Duration.ofSeconds(10), "5 dossiers before the lock",
          () -> h.sql("SELECT count(*) FROM dossier") == 5 && h.xlen(h.keys.stream()) == 0);
      assertThat(h.counter(MeterNames.PERSISTED)).isEqualTo(5.0);

      try (Connection lock = h.lockDossierInserts()) {
        xaddAtOnce(h, sent.subList(5, 15)); // one read, one batch, one statement
        IntakeHarness.await(Duration.ofSeconds(10), "the batch given up on while PostgreSQL still runs it",
            () -> h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "postgres") >= 1);
        assertThat(h.sql(INSERTS + " AND wait_event_type = 'Lock'")).as("the INSERT waiting on the lock").isEqualTo(1);
        assertThat(h.pendingCount()).isEqualTo(10);
        assertThat(h.sql("SELECT count(*) FROM dossier")).isEqualTo(5);
        lock.commit(); // the waiting INSERT goes on and commits, after its caller gave up on it
      }
      IntakeHarness.await(Duration.ofSeconds(10), "15 dossiers, the late ones acknowledged by a sweep",
          () -> h.sql("SELECT count(*) FROM dossier") == 15 && h.xlen(h.keys.stream()) == 0);
      IntakeHarness.await(Duration.ofSeconds(5), "no INSERT left running", () -> h.sql(INSERTS) == 0);

      assertThat(h.counter(MeterNames.CLAIMED)).as("the 10 late ones redelivered by a sweep").isEqualTo(10.0);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(15);
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history")).isEqualTo(15);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      assertThat(h.counter(MeterNames.PERSISTED))
          .as("each dossier counted once: the late commit counted, its redelivery (found written) not")
          .isEqualTo(15.0);
    }
  }

  /** The entries in one MULTI/EXEC: a worker blocked on the stream is served once, with all of them. */
  private static void xaddAtOnce(IntakeHarness h, List<StreamEntry> entries) {
    List<Request> transaction = new ArrayList<>();
    transaction.add(Request.cmd(Command.MULTI));
    entries.forEach(e -> transaction.add(h.xaddRequest(e.toFields())));
    transaction.add(Request.cmd(Command.EXEC));
    h.redis.batch(transaction).await();
  }
}
