package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.RedisReplies;
import vn.onewindow.common.testing.TestServers;

/**
 * The receipt's {@code expectedResultBy} in the status view of a dossier still queued in Redis (from its stream
 * entry, which carries it as a few bytes) and of one written by the direct path while Redis is down (from its row).
 * The path through the intake is the hub's {@code ExpectedResultByTest}.
 */
class ExpectedResultByTest {

  @Test
  void shouldShowTheReceiptsDateWhileQueuedAndCarryItInAFewBytes() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      HttpResponse<Buffer> submitted = gw.post(AdmissionTest.dossierOf(71));
      assertThat(submitted.statusCode()).as(submitted.bodyAsString()).isEqualTo(202);
      JsonObject receipt = submitted.bodyAsJsonObject();
      String promised = receipt.getString("expectedResultBy");

      JsonObject queued = ok(gw.get(receipt.getString("statusUrl")));
      assertThat(queued.getBoolean("persisted")).isFalse();
      assertThat(queued.getString("expectedResultBy")).isEqualTo(promised).isNotNull();
      assertThat(queued.getValue("dueDate")).isNull();

      String id = receipt.getString("id");
      String entryId = Partitions.entryIdOf(UUID.fromString(id));
      Map<String, String> fields = RedisReplies.pairs(gw.redis(Command.XRANGE, gw.keys.forDossier(id).stream(),
          entryId, entryId).get(0).get(1));
      // days after the receipt's UTC date: one to three digits, not a ten-character date
      assertThat(fields.get(StreamEntry.DUE)).matches("\\d{1,3}");
      assertThat(StreamEntry.fromFields(fields, entryId).expectedResultBy()).hasToString(promised);
    }
  }

  @Test
  void shouldStoreTheReceiptsDateOnTheDirectPath() throws Exception {
    try (OwnRedis redis = new OwnRedis("hub-redis-promised")) {
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", redis.url(), "ratelimit.redis-timeout-ms", "50",
          "timeout.redis-enqueue-ms", "300", "breaker.minimum-calls", "50"))) {
        redis.stop();
        HttpResponse<Buffer> direct = gw.post(AdmissionTest.dossierOf(72));
        assertThat(direct.statusCode()).as(direct.bodyAsString()).isEqualTo(202);
        JsonObject receipt = direct.bodyAsJsonObject();
        String code = receipt.getString("code");
        assertThat(DossierCode.isDirect(Long.parseLong(code.substring(code.lastIndexOf('-') + 1)))).as(code).isTrue();
        String promised = receipt.getString("expectedResultBy");

        assertThat(TestServers.queryString(gw.config.postgres().url(), "SELECT expected_result_by::text FROM dossier "
            + "WHERE id = '" + receipt.getString("id") + "'")).isEqualTo(promised).isNotNull();
        JsonObject view = ok(gw.get(receipt.getString("statusUrl")));
        assertThat(view.getBoolean("persisted")).isTrue();
        assertThat(view.getString("expectedResultBy")).isEqualTo(promised);
        assertThat(view.getValue("dueDate")).isNull();
        assertThat(ok(gw.get("/v1/dossiers?code=" + code)).getString("expectedResultBy")).isEqualTo(promised);
      }
    }
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }
}
