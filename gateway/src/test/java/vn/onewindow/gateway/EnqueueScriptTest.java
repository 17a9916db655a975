package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.RedisReplies;

/**
 * The id the enqueue script gives a dossier, through the real script on real Redis: the id its stream entry names,
 * as the intake derives it (Partitions.entryDossierId), with no receipt written; and the fallback for a sequence
 * beyond 12 bits, where the pre-id stays the id, carried by the entry, with the receipt of earlier releases.
 */
class EnqueueScriptTest {
  private static final String KEY = "enqueue-script-";

  @Test
  void shouldAnswerTheIdItsStreamEntryNamesAsTheIntakeDerivesItAndWriteNoReceipt() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      // side by side, so that calls share a millisecond and some entries have sequences above 0
      List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        posts.add(gw.postAsync(body(i), KEY + i));
      }
      Future.all(posts).await();
      PartitionKeys partition = gw.keys.partition(0);
      Map<String, String> derivedByCode = new HashMap<>();
      for (Response entry : gw.redis(Command.XRANGE, partition.stream(), "-", "+")) {
        Map<String, String> fields = RedisReplies.pairs(entry.get(1));
        assertThat(fields).containsKey(StreamEntry.RID).doesNotContainKey(StreamEntry.ID);
        derivedByCode.put(fields.get(StreamEntry.CODE),
            Partitions.entryDossierId(fields.get(StreamEntry.RID), entry.get(0).toString()));
      }

      assertThat(derivedByCode).hasSize(24);
      for (int i = 0; i < 24; i++) {
        HttpResponse<Buffer> posted = posts.get(i).result();
        JsonObject receipt = posted.bodyAsJsonObject();
        String id = receipt.getString("id");
        assertThat(id).isEqualTo(derivedByCode.get(receipt.getString("code")));
        assertThat(UUID.fromString(id).version()).isEqualTo(7);
        assertThat(posted.getHeader("Location")).endsWith("/v1/dossiers/" + id);
        assertThat(gw.redis(Command.EXISTS, partition.receipt(id)).toInteger()).as("a receipt").isZero();
        HttpResponse<Buffer> replay = gw.post(body(i), KEY + i);
        assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replay.bodyAsJsonObject().getString("id")).isEqualTo(id);
      }
      assertThat(gw.redis(Command.KEYS, partition.receipt("*"))).isEmpty();
      // the entry the id names, read by a status look-up while the dossier is queued
      JsonObject first = posts.get(0).result().bodyAsJsonObject();
      JsonObject status = gw.get(first.getString("statusUrl")).bodyAsJsonObject();
      assertThat(status.getString("code")).isEqualTo(first.getString("code"));
      assertThat(status.getBoolean("persisted")).isFalse();
    }
  }

  /**
   * Redis's clock behind the stream's last entry (an entry a day ahead stands for it): XADD keeps that millisecond and
   * counts the sequence on. 4094 and 4095 are named by the id; beyond, the entry is queued again carrying the pre-id.
   */
  @Test
  void shouldNameSequencesUpTo4095AndBeyondKeepThePreIdInTheEntryWithAReceipt() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      PartitionKeys partition = gw.keys.partition(0);
      long ahead = System.currentTimeMillis() + 86_400_000L;
      gw.redis(Command.XADD, partition.stream(), ahead + "-4093", "clock", "ahead");

      List<JsonObject> receipts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        receipts.add(gw.post(body(i), KEY + "fallback-" + i).bodyAsJsonObject());
      }

      String time = String.format("%012x", ahead);
      String named = time.substring(0, 8) + "-" + time.substring(8) + "-7";
      assertThat(receipts.get(0).getString("id")).startsWith(named + "ffe-");
      assertThat(receipts.get(1).getString("id")).startsWith(named + "fff-");
      for (int i = 0; i < 2; i++) {
        Map<String, String> fields = entry(gw, partition, ahead + "-" + (4094 + i));
        assertThat(fields).doesNotContainKey(StreamEntry.ID);
        assertThat(receipts.get(i).getString("id"))
            .isEqualTo(Partitions.entryDossierId(fields.get(StreamEntry.RID), ahead + "-" + (4094 + i)));
      }
      assertThat(gw.redis(Command.XRANGE, partition.stream(), ahead + "-4096", ahead + "-4096")).isEmpty();
      for (int i = 2; i < 4; i++) {
        String id = receipts.get(i).getString("id");
        String entryId = ahead + "-" + (4095 + 2 * (i - 1));
        Map<String, String> fields = entry(gw, partition, entryId);
        assertThat(fields).containsEntry(StreamEntry.ID, id).containsEntry(StreamEntry.RID, id)
            .containsEntry(StreamEntry.CODE, receipts.get(i).getString("code"));
        assertThat(StreamEntry.fromFields(fields, entryId).dossierId()).isEqualTo(id);
        assertThat(id).doesNotStartWith(time.substring(0, 8));
        assertThat(gw.redis(Command.GET, partition.receipt(id)).toString()).isEqualTo(entryId);
        assertThat(gw.redis(Command.TTL, partition.receipt(id)).toLong()).isPositive();
        assertThat(gw.post(body(i), KEY + "fallback-" + i).bodyAsJsonObject().getString("id")).isEqualTo(id);
        JsonObject status = gw.get(receipts.get(i).getString("statusUrl")).bodyAsJsonObject();
        assertThat(status.getString("code")).isEqualTo(receipts.get(i).getString("code"));
        assertThat(status.getBoolean("persisted")).isFalse();
      }
      assertThat(gw.queued()).as("one entry per dossier, and the one ahead").isEqualTo(5);
    }
  }

  private static Map<String, String> entry(GatewayFixture gw, PartitionKeys partition, String entryId) {
    Response found = gw.redis(Command.XRANGE, partition.stream(), entryId, entryId);
    assertThat(found).as("entry " + entryId).hasSize(1);
    return RedisReplies.pairs(found.get(0).get(1));
  }

  /** Each from its own applicant, so that the applicants' limit stays out of the way. */
  private static String body(int n) {
    JsonObject dossier = GatewayFixture.birthRegistration();
    dossier.getJsonObject("applicant").put("citizenId", String.format("0790%08d", n));
    return dossier.encode();
  }
}
