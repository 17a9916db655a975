package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.MOBILE_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.PORTAL_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.post;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;
import static vn.onewindow.gateway.security.SecurityTestSupport.send;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.GatewayFixture;

/**
 * Review of the look-up by code of a queued dossier (IssuedCodes) after Redis lost its data: the counters are seeded
 * from the highest code PostgreSQL holds, so a counter then stands above numbers whose dossiers were lost with Redis
 * (queued, not yet recorded). Their codes must not read as "received": no store holds them any more, and a citizen told
 * so would not file again.
 */
class QueuedCodeAfterRedisLossTest extends ReadersGatewayPerClass {

  @Test
  void shouldNotTellThatADossierLostWithRedisWasReceived() {
    JsonObject lostDossier = dossierOf(randomCitizenId());
    HttpResponse<Buffer> lost = post(bare, Map.of("X-Api-Key", PORTAL_KEY), lostDossier.encode());
    assertThat(lost.statusCode()).as(lost.bodyAsString()).isEqualTo(202);
    JsonObject recordedDossier = dossierOf(randomCitizenId());
    HttpResponse<Buffer> recorded = post(bare, Map.of("X-Api-Key", PORTAL_KEY), recordedDossier.encode());
    assertThat(recorded.statusCode()).as(recorded.bodyAsString()).isEqualTo(202);
    String lostCode = lost.bodyAsJsonObject().getString("code");
    String recordedCode = recorded.bodyAsJsonObject().getString("code");
    // the intake records the later one (another batch, a sweep) before Redis loses its data
    pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(DossierTable.NewDossier.of(
        recorded.bodyAsJsonObject().getString("id"), recordedCode, GatewayFixture.CLIENT_ID, Instant.now().toString(),
        null, recordedDossier.encode(), "1-0", null)))).await();

    // Redis comes back empty (restarted without its append-only file, a failover to an empty node): the lost dossier's
    // entry, its counter and the partition's epoch marker are gone
    forgetEveryKeyOfThisHub();
    assertThat(code(lostCode).statusCode()).as("nothing holds it: not issued as far as the hub can tell").isEqualTo(404);
    // the next submission seeds the counters from PostgreSQL (the highest code it holds: the recorded one's)
    HttpResponse<Buffer> next = gw.postUntilAccepted(dossierOf(randomCitizenId()).encode(), "after-the-loss");
    assertThat(next.statusCode()).isEqualTo(202);

    assertThat(code(recordedCode).bodyAsJsonObject().getBoolean("persisted")).isTrue();
    assertThat(code(next.bodyAsJsonObject().getString("code")).statusCode()).isEqualTo(200);
    // no entry, no row, no dead letter: the dossier is gone, and its citizen must be told it is not found
    assertProblem(code(lostCode), 404, "not-found");
  }

  private static HttpResponse<Buffer> code(String code) {
    return send(bare, HttpMethod.GET, "/v1/dossiers?code=" + code, Map.of("X-Api-Key", MOBILE_KEY), null);
  }

  /** Deletes every key under this class's prefix (the suite's Redis is shared: no FLUSHALL). */
  private static void forgetEveryKeyOfThisHub() {
    for (String key : TestServers.keysUnder(gw.redis, gw.keys.prefix())) {
      gw.redis(Command.DEL, key);
    }
  }
}
