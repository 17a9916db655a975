package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.metrics.MeterNames;

class IntakePoisonTest {

  @Test
  void poisonEntriesAreDeadLetteredAndTheRestOfTheBatchIsStored() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      List<StreamEntry> batch = Dossiers.entries(52);
      StreamEntry truncated = Dossiers.entry(17, "{\"procedureCode\": \"1.001612.000.00.00.H48\", truncated");
      // with the receipt's promised date as the entry carries it (StreamEntry.DUE): three days after its UTC date
      StreamEntry notJson = new StreamEntry(truncated.dossierId(), truncated.code(), truncated.clientId(),
          truncated.receivedAt(), truncated.idempotencyKey(), truncated.payload(), truncated.bodySha256(), "3");
      JsonObject fax = Dossiers.payload(33).put("channel", "fax");
      StreamEntry byFax = Dossiers.entry(33, fax.encode());
      batch.set(17, notJson);
      batch.set(33, byFax);
      List<String> ids = h.xadd(batch); // queued before the worker starts: one XREADGROUP, one batch
      h.deployWorker("worker-1");

      IntakeHarness.await(Duration.ofSeconds(10), "50 dossiers, 2 dead letters, nothing pending",
          () -> h.sql("SELECT count(*) FROM dossier") == 50 && h.sql("SELECT count(*) FROM dead_letter") == 2
              && h.pendingCount() == 0);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(50);
      assertThat(h.sql("SELECT count(*) FROM dossier_status_history")).isEqualTo(50);
      assertThat(h.rows("SELECT count(*) AS n FROM dossier WHERE id IN (?::uuid, ?::uuid)",
          notJson.dossierId(), byFax.dossierId()).get(0)).containsEntry("n", "0");
      assertThat(h.xlen(h.keys.stream())).isZero();

      Map<String, String> malformed = h.rows("SELECT * FROM dead_letter WHERE stream_entry_id = ?", ids.get(17)).get(0);
      assertThat(malformed.get("dossier_id")).isEqualTo(notJson.dossierId());
      assertThat(malformed.get("payload")).isEqualTo(notJson.payload());
      assertThat(malformed.get("error")).isEqualTo("malformed: field 'payload' is not a JSON object");
      assertThat(malformed.get("deliveries")).isEqualTo("1");
      // what support needs when the citizen calls with the receipt: the code it gave, the client, when it came
      assertThat(malformed).containsEntry("code", notJson.code()).containsEntry("client_id", notJson.clientId())
          .containsEntry("received_at", notJson.receivedAt()).containsEntry("due", "3");
      Map<String, String> rejected = h.rows("SELECT * FROM dead_letter WHERE stream_entry_id = ?", ids.get(33)).get(0);
      assertThat(rejected.get("dossier_id")).isEqualTo(byFax.dossierId());
      assertThat(new JsonObject(rejected.get("payload"))).isEqualTo(fax);
      assertThat(rejected.get("error")).startsWith("rejected: SQLSTATE 23514 ")
          .contains("dossier_channel_check").doesNotContain("Failing row");

      List<Map<String, String>> copies = h.deadLetterStream();
      assertThat(copies).hasSize(2);
      assertThat(copies).extracting(m -> m.get("entry")).containsExactlyInAnyOrder(ids.get(17), ids.get(33));
      assertThat(copies).allSatisfy(m -> assertThat(m).containsKeys("error", "deliveries", "payload"));
      assertThat(copies).extracting(m -> m.get("payload")).contains(notJson.payload());

      assertThat(h.counter(MeterNames.DEAD_LETTERS, MeterNames.TAG_REASON, "malformed")).isEqualTo(1.0);
      assertThat(h.counter(MeterNames.DEAD_LETTERS, MeterNames.TAG_REASON, "rejected")).isEqualTo(1.0);
      assertThat(h.counter(MeterNames.DEAD_LETTERS, MeterNames.TAG_REASON, "max_deliveries")).isZero();
      assertThat(h.counter(MeterNames.PERSISTED)).isEqualTo(50.0);
      System.out.printf("[intake] poison: entries=52 persisted=%d duplicates=%d dead_letters=%d%n",
          h.sql("SELECT count(*) FROM dossier"), h.sql("SELECT count(*) - count(DISTINCT id) FROM dossier"),
          h.sql("SELECT count(*) FROM dead_letter"));
    }
  }

  @Test
  void structurallyBrokenEntriesAndNulCharactersAreDeadLettered() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      h.deployWorker("worker-1");
      StreamEntry good = Dossiers.entry(1);
      StreamEntry badId = new StreamEntry("not-a-uuid", "C-2", "portal-dvc", good.receivedAt(), null, good.payload());
      StreamEntry badTime = new StreamEntry(java.util.UUID.randomUUID().toString(), "C-3", "portal-dvc", "yesterday",
          null, good.payload());
      StreamEntry rawNul = Dossiers.entry(4, "{\"note\": \"a\u0000b\"}");          // not JSON: raw control char
      // what json keeps and its readers cannot extract (jsonb refused it at insert): the intake's own check
      StreamEntry escapedNul = Dossiers.entry(5, Dossiers.payload(5).put("note", "a\u0000b").encode());
      StreamEntry arrayPayload = Dossiers.entry(6, "[1, 2]");
      StreamEntry loneSurrogate = Dossiers.entry(8, Dossiers.payload(8).encode().replace("\"lyDo\":\"", "\"lyDo\":\"\\ud800"));
      JsonObject noAgency = Dossiers.payload(9);
      noAgency.remove("handlingAgency");
      StreamEntry missingColumn = Dossiers.entry(9, noAgency.encode());
      List<String> ids = h.xadd(List.of(good, badId, badTime, rawNul, escapedNul, arrayPayload, loneSurrogate,
          missingColumn));
      Map<String, String> missingPayload = new java.util.LinkedHashMap<>(Dossiers.entry(7).toFields());
      missingPayload.remove(StreamEntry.PAYLOAD);
      h.send(h.xaddRequest(missingPayload));

      IntakeHarness.await(Duration.ofSeconds(10), "1 dossier and 8 dead letters",
          () -> h.sql("SELECT count(*) FROM dossier") == 1 && h.sql("SELECT count(*) FROM dead_letter") == 8
              && h.pendingCount() == 0);
      assertThat(error(h, ids.get(1))).isEqualTo("malformed: field 'id' is not a UUID");
      assertThat(error(h, ids.get(2))).isEqualTo("malformed: field 'receivedAt' is not an ISO-8601 instant");
      assertThat(error(h, ids.get(3))).isEqualTo("malformed: field 'payload' is not a JSON object");
      String unreadable = "malformed: field 'payload' holds a value PostgreSQL cannot read back (U+0000, an unpaired "
          + "surrogate or a number beyond a double)";
      assertThat(error(h, ids.get(4))).isEqualTo(unreadable);
      assertThat(error(h, ids.get(5))).isEqualTo("malformed: field 'payload' is not a JSON object");
      assertThat(error(h, ids.get(6))).isEqualTo(unreadable);
      assertThat(error(h, ids.get(7))).isEqualTo("malformed: field 'payload' has no text at /handlingAgency");
      assertThat(h.sql("SELECT count(*) FROM dead_letter WHERE error = 'malformed: missing field ''payload''' "
          + "AND payload = ''")).isEqualTo(1);
      // PostgreSQL text cannot hold U+0000: it is stored as the escape \u0000
      assertThat(h.rows("SELECT payload FROM dead_letter WHERE stream_entry_id = ?", ids.get(3)).get(0).get("payload"))
          .isEqualTo("{\"note\": \"a\\u0000b\"}");
      assertThat(h.xlen(h.keys.deadLetterStream())).isEqualTo(8);
      assertThat(h.xlen(h.keys.stream())).isZero();
      assertThat(h.counter(MeterNames.DEAD_LETTERS, MeterNames.TAG_REASON, "malformed")).isEqualTo(8.0);
    }
  }

  /**
   * The copy's XADD failing after the dead_letter row was written is a Redis failure: counted as Redis's, and not as
   * PostgreSQL's, whose count feeds the alerts and whose failures make the worker back off from PostgreSQL.
   */
  @Test
  void aRedisFailureWhileDeadLetteringIsCountedAsRedis() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      h.deployWorker("worker-1");
      // the dead-letter copy's XADD meets a key of another type: WRONGTYPE
      h.send(Request.cmd(Command.SET).arg(h.keys.deadLetterStream()).arg("not a stream"));
      List<String> ids = h.xadd(List.of(Dossiers.entry(1, "[1, 2]")));

      IntakeHarness.await(Duration.ofSeconds(10), "the failed dead-lettering counted",
          () -> h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "redis") >= 1);
      assertThat(h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "postgres")).isZero();
      assertThat(h.rows("SELECT count(*) AS n FROM dead_letter WHERE stream_entry_id = ?", ids.get(0)).get(0))
          .containsEntry("n", "1");
    }
  }

  private static String error(IntakeHarness h, String entryId) {
    return h.rows("SELECT error FROM dead_letter WHERE stream_entry_id = ?", entryId).get(0).get("error");
  }
}
