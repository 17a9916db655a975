package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.dossier.StreamEntry;

/**
 * Entries as the enqueue script writes them now (the pre-id as {@code rid}, the dossier named by the entry's id) and
 * as earlier releases and the script's fallback wrote them (the id in the entry, a queued receipt beside it).
 */
class IntakeEntryIdsTest {

  @Test
  void shouldPersistEachDossierUnderTheIdItsEntryNamesAndDeleteOnlyReceiptsOfEntriesThatCarryTheirId() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      StreamEntry named = Dossiers.entry(1);
      StreamEntry carried = Dossiers.entry(2);
      String namedEntry = h.send(IntakeHarness.xaddRequest(h.keys.stream(), named.toQueuedFields())).toString();
      String carriedEntry = h.xadd(List.of(carried)).get(0);
      String namedId = Partitions.entryDossierId(named.dossierId(), namedEntry);
      // an earlier release's receipt beside its entry; and a key under the pre-id, which no dossier's receipt is
      h.send(Request.cmd(Command.SET).arg(h.keys.receipt(carried.dossierId())).arg(carriedEntry));
      h.send(Request.cmd(Command.SET).arg(h.keys.receipt(named.dossierId())).arg("not-a-receipt"));
      h.deployWorker("worker-1");

      IntakeHarness.await(Duration.ofSeconds(10), "both dossiers written and acknowledged",
          () -> h.sql("SELECT count(*) FROM dossier") == 2 && h.xlen(h.keys.stream()) == 0
              && h.send(Request.cmd(Command.EXISTS).arg(h.keys.receipt(carried.dossierId()))).toInteger() == 0);

      assertThat(namedId).isNotEqualTo(named.dossierId());
      assertThat(h.rows("SELECT id::text, code, stream_entry_id FROM dossier ORDER BY code"))
          .containsExactly(Map.of("id", namedId, "code", named.code(), "stream_entry_id", namedEntry),
              Map.of("id", carried.dossierId(), "code", carried.code(), "stream_entry_id", carriedEntry));
      assertThat(h.send(Request.cmd(Command.EXISTS).arg(h.keys.receipt(named.dossierId()))).toInteger())
          .as("no receipt is deleted for an entry named by its id").isEqualTo(1);
    }
  }

  @Test
  void shouldDeadLetterAnEntryNamedByItsIdUnderThatIdWithTheIdInTheCopy() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      JsonObject fax = Dossiers.payload(7).put("channel", "fax");
      StreamEntry byFax = Dossiers.entry(7, fax.encode());
      StreamEntry notJson = Dossiers.entry(8, "{\"truncated\": ");
      String faxEntry = h.send(IntakeHarness.xaddRequest(h.keys.stream(), byFax.toQueuedFields())).toString();
      String notJsonEntry = h.send(IntakeHarness.xaddRequest(h.keys.stream(), notJson.toQueuedFields())).toString();
      h.deployWorker("worker-1");

      IntakeHarness.await(Duration.ofSeconds(10), "two dead letters, nothing pending",
          () -> h.sql("SELECT count(*) FROM dead_letter") == 2 && h.pendingCount() == 0);

      String faxId = Partitions.entryDossierId(byFax.dossierId(), faxEntry);
      String notJsonId = Partitions.entryDossierId(notJson.dossierId(), notJsonEntry);
      assertThat(h.rows("SELECT stream_entry_id, dossier_id FROM dead_letter ORDER BY stream_entry_id"))
          .containsExactly(Map.of("stream_entry_id", faxEntry, "dossier_id", faxId),
              Map.of("stream_entry_id", notJsonEntry, "dossier_id", notJsonId));
      assertThat(h.deadLetterStream()).extracting(m -> m.get("entry") + " " + m.get(StreamEntry.ID))
          .containsExactlyInAnyOrder(faxEntry + " " + faxId, notJsonEntry + " " + notJsonId);
    }
  }

  @Test
  void shouldDeadLetterAnEntryWhosePreIdNamesNoDossier() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      StreamEntry e = Dossiers.entry(3);
      Map<String, String> fields = new java.util.LinkedHashMap<>(e.toQueuedFields());
      fields.put(StreamEntry.RID, "12345");
      String entry = h.send(IntakeHarness.xaddRequest(h.keys.stream(), fields)).toString();
      h.deployWorker("worker-1");

      IntakeHarness.await(Duration.ofSeconds(10), "one dead letter",
          () -> h.sql("SELECT count(*) FROM dead_letter") == 1 && h.pendingCount() == 0);

      Map<String, String> letter = h.rows("SELECT * FROM dead_letter").get(0);
      assertThat(letter.get("stream_entry_id")).isEqualTo(entry);
      assertThat(letter.get("dossier_id")).isNull();
      assertThat(letter.get("error")).isEqualTo("malformed: field 'rid' is not a UUID, or the entry's id names no "
          + "dossier id");
      assertThat(h.deadLetterStream().get(0)).doesNotContainKey(StreamEntry.ID);
    }
  }

  @Test
  void shouldKeepTheDeadLettersOfTwoPartitionsWhoseEntriesShareAnId() {
    // each stream issues its own ids: two partitions' streams XADDing in one millisecond issue the same one
    try (IntakeHarness h = IntakeHarness.create(Map.of("stream.partitions", "2"))) {
      String sameId = System.currentTimeMillis() + "-0";
      for (int p = 0; p < 2; p++) {
        StreamEntry byFax = Dossiers.entry(20 + p, Dossiers.payload(20 + p).put("channel", "fax").encode());
        Request xadd = Request.cmd(Command.XADD).arg(h.keys.partition(p).stream()).arg(sameId);
        byFax.toQueuedFields().forEach((k, v) -> xadd.arg(k).arg(v));
        h.send(xadd);
      }
      h.deployWorker("worker-1");

      IntakeHarness.await(Duration.ofSeconds(10), "both entries acknowledged",
          () -> h.xlen(h.keys.partition(0).stream()) == 0 && h.xlen(h.keys.partition(1).stream()) == 0);

      assertThat(h.rows("SELECT stream, stream_entry_id FROM dead_letter"))
          .containsExactlyInAnyOrder(Map.of("stream", h.keys.partition(0).stream(), "stream_entry_id", sameId),
              Map.of("stream", h.keys.partition(1).stream(), "stream_entry_id", sameId));
    }
  }
}
