package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.metrics.MeterNames;

class IntakePersistenceTest {

  @Test
  void acceptedEntriesArePersistedExactlyOnceAndLeaveTheStream() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      SimpleMeterRegistry meters = h.deployWorker("worker-1");
      List<StreamEntry> sent = Dossiers.entries(1000);
      long started = System.nanoTime();
      h.xadd(sent);
      IntakeHarness.await(Duration.ofSeconds(10), "1000 dossiers", () -> h.sql("SELECT count(*) FROM dossier") == 1000);
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      IntakeHarness.await(Duration.ofSeconds(5), "stream drained", () -> h.xlen(h.keys.stream()) == 0);

      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(1000);
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history WHERE status = 1")).isEqualTo(1000);
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history")).isEqualTo(1000);
      assertThat(h.sql("SELECT count(*) FROM dossier d JOIN dossier_status_history s "
          + "ON s.dossier_id = d.id AND s.changed_at = d.received_at")).isEqualTo(1000);
      assertThat(h.pendingCount()).isZero();
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();

      Map<String, StreamEntry> byId = new HashMap<>();
      sent.forEach(e -> byId.put(e.dossierId(), e));
      List<Map<String, String>> rows = h.rows("SELECT id::text, code, client_id, procedure_code, receiving_unit, "
          + "handling_agency, channel, applicant_type, status, idempotency_key, payload::text AS payload, "
          + "received_at, stream_entry_id FROM dossier");
      assertThat(rows).hasSize(1000);
      for (Map<String, String> row : rows) {
        StreamEntry e = byId.get(row.get("id"));
        assertThat(e).as("row %s was sent", row.get("id")).isNotNull();
        assertThat(row.get("code")).isEqualTo(e.code());
        assertThat(row.get("client_id")).isEqualTo("portal-dvc");
        assertThat(row.get("procedure_code")).isEqualTo("1.001612.000.00.00.H48");
        assertThat(row.get("receiving_unit")).isEqualTo("000.00.53.H48");
        assertThat(row.get("handling_agency")).isEqualTo("000.00.00.H48");
        assertThat(row.get("channel")).isEqualTo("online");
        assertThat(row.get("applicant_type")).isEqualTo("citizen");
        assertThat(row.get("status")).isEqualTo("1");
        assertThat(row.get("idempotency_key")).isEqualTo(e.idempotencyKey());
        assertThat(row.get("stream_entry_id")).matches("\\d+-\\d+");
        // stored as received (json, V9), not re-serialised
        assertThat(row.get("payload")).isEqualTo(e.payload());
      }
      // diacritics intact, compared inside PostgreSQL too
      StreamEntry first = sent.get(0);
      assertThat(h.rows("SELECT payload->'applicant'->>'fullName' AS name, received_at = ?::timestamptz AS same_time "
              + "FROM dossier WHERE id = ?::uuid", first.receivedAt(), first.dossierId()).get(0))
          .containsEntry("name", "Nguyễn Thị Hồng Nhung").containsEntry("same_time", "t");
      assertThat(h.sql("SELECT count(*) FROM dossier WHERE payload->'applicant'->>'address' LIKE '%thành phố Đà Nẵng'"))
          .isEqualTo(1000);

      assertThat(h.counter(MeterNames.PERSISTED)).isEqualTo(1000.0);
      Timer e2e = meters.find(MeterNames.END_TO_END_LATENCY).timer();
      assertThat(e2e.count()).isEqualTo(1000);
      assertThat(meters.find(MeterNames.BATCH_WRITE_LATENCY).timer().count()).isPositive();
      assertThat(meters.find(MeterNames.BATCH_SIZE).summary().totalAmount()).isEqualTo(1000.0);
      System.out.printf("[intake] accept: entries=1000 persisted=%d duplicates=%d elapsed_ms=%d rate=%.0f rows/s "
              + "batches=%d%n", h.sql("SELECT count(*) FROM dossier"),
          h.sql("SELECT count(*) - count(DISTINCT id) FROM dossier"), elapsedMs, 1000 * 1000.0 / elapsedMs,
          meters.find(MeterNames.BATCH_SIZE).summary().count());
    }
  }

  @Test
  void theSameDossierQueuedTwiceIsStoredOnce() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      h.deployWorker("worker-1");
      List<StreamEntry> originals = new ArrayList<>();
      List<StreamEntry> queued = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        StreamEntry e = Dossiers.entry(i);
        originals.add(e);
        queued.add(e);
        queued.add(e); // a gateway retry queued the same dossier again, next to the first one
      }
      h.xadd(queued);
      IntakeHarness.await(Duration.ofSeconds(10), "duplicates drained",
          () -> h.xlen(h.keys.stream()) == 0 && h.pendingCount() == 0);
      // and once more, long after the first copy was stored
      h.xadd(originals.subList(0, 5));
      IntakeHarness.await(Duration.ofSeconds(10), "late duplicates drained",
          () -> h.xlen(h.keys.stream()) == 0 && h.pendingCount() == 0);

      assertThat(h.sql("SELECT count(*) FROM dossier")).isEqualTo(10);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(10);
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history")).isEqualTo(10);
      // the history has no foreign key (V10): a redelivered dossier inserts no row, so it adds no history row either
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history h "
          + "WHERE NOT EXISTS (SELECT 1 FROM dossier d WHERE d.id = h.dossier_id)")).isZero();
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      assertThat(h.counter(MeterNames.PERSISTED)).isEqualTo(10.0);
      System.out.printf("[intake] duplicates: entries=25 persisted=%d duplicates=%d%n",
          h.sql("SELECT count(*) FROM dossier"), h.sql("SELECT count(*) - count(DISTINCT id) FROM dossier"));
    }
  }

  @Test
  void twoWorkersDrainTheStreamTogetherWithoutDuplicates() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      SimpleMeterRegistry first = h.deployWorker("worker-1");
      SimpleMeterRegistry second = h.deployWorker("worker-2");
      List<StreamEntry> sent = Dossiers.entries(2000);
      long started = System.nanoTime();
      h.xadd(sent);
      IntakeHarness.await(Duration.ofSeconds(15), "2000 dossiers", () -> h.sql("SELECT count(*) FROM dossier") == 2000);
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      IntakeHarness.await(Duration.ofSeconds(5), "stream drained",
          () -> h.xlen(h.keys.stream()) == 0 && h.pendingCount() == 0);

      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(2000);
      assertThat(h.sql("SELECT count(DISTINCT code) FROM dossier")).isEqualTo(2000);
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history")).isEqualTo(2000);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      double byFirst = first.find(MeterNames.PERSISTED).counter().count();
      double bySecond = second.find(MeterNames.PERSISTED).counter().count();
      assertThat(byFirst + bySecond).isEqualTo(2000.0);
      System.out.printf("[intake] two workers: entries=2000 persisted=%d duplicates=%d elapsed_ms=%d rate=%.0f rows/s "
              + "split=%.0f/%.0f%n", h.sql("SELECT count(*) FROM dossier"),
          h.sql("SELECT count(*) - count(DISTINCT id) FROM dossier"), elapsedMs, 2000 * 1000.0 / elapsedMs,
          byFirst, bySecond);
    }
  }

  @ParameterizedTest(name = "{0} partition(s)")
  @ValueSource(ints = {1, 4})
  void aShortReadLingersSoTheNextOneBringsMore(int partitions) throws InterruptedException {
    try (IntakeHarness h = IntakeHarness.create(Map.of("stream.partitions", Integer.toString(partitions),
        "intake.read-linger-ms", "400"))) {
      SimpleMeterRegistry meters = h.deployWorker("worker-1");
      String stream = h.keys.partition(partitions - 1).stream();
      h.send(IntakeHarness.xaddRequest(stream, Dossiers.entry(0).toFields()));
      // a linger follows a short read, it never precedes one: the first dossier is written at once
      IntakeHarness.await(Duration.ofSeconds(5), "first dossier", () -> h.sql("SELECT count(*) FROM dossier") == 1);
      for (int i = 1; i <= 20; i++) {   // one by one, as a partition's share of a steady load arrives
        h.send(IntakeHarness.xaddRequest(stream, Dossiers.entry(i).toFields()));
        Thread.sleep(10);
      }
      IntakeHarness.await(Duration.ofSeconds(10), "21 dossiers", () -> h.sql("SELECT count(*) FROM dossier") == 21);
      IntakeHarness.await(Duration.ofSeconds(5), "partition drained", () -> h.xlen(stream) == 0
          && h.pendingCount(stream) == 0);

      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(21);
      long batches = meters.find(MeterNames.BATCH_SIZE).summary().count();
      // without the linger each of the 20 would be read (and acknowledged) on its own
      assertThat(batches).as("batch statements").isLessThanOrEqualTo(5);
      System.out.printf("[intake] read linger 400 ms, %d partition(s): 21 dossiers one by one in %d batches%n",
          partitions, batches);
    }
  }
}
