package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.hub.AgencyHub.AGENCY_KEY;
import static vn.onewindow.hub.AgencyHub.PORTAL_KEY;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.Await;

/**
 * Reads on a streaming replica (postgres.read-url) that lags behind the primary, as a deadline day's replica does: a
 * hub over a real primary and a real hot standby whose replay is paused.
 */
class ReplicaReadsTest {
  private static final String FEED = "/v1/agencies/000.21.53.H48/dossiers";
  private static StreamingReplica servers;
  private static AgencyHub hub;

  @BeforeAll
  static void start() {
    servers = StreamingReplica.start();
    hub = new AgencyHub(Map.of("postgres.url", servers.primaryUrl(), "postgres.read-url", servers.standbyUrl()));
    Await.until(Duration.ofSeconds(20), "the standby applied the migrations", servers::caughtUp);
  }

  @AfterAll
  static void stop() {
    hub.close();
    servers.close();
  }

  /**
   * The status link of a 202 is answered from the entry queued in Redis until the intake writes the row and deletes
   * the entry; from then on a replica that has not applied that commit has neither, and the look-up answered 404 "no
   * dossier with this id" for a dossier the hub had received and recorded, to its citizen and to its agency alike
   * (an ops tryout: 2 of 60 look-ups right after their 202 with a replica streaming normally, every one of 20 while
   * replay was paused); by code, an agency (or a citizen with a token) got 404 too. The dossier is on the primary,
   * which a look-up asks before it says 404.
   */
  @Test
  void shouldFindARecordedDossierByIdWhileTheReplicaLagsBehindItsCommit() {
    servers.pauseReplay();
    try {
      JsonObject receipt = hub.submitPersisted("birth-registration.json");
      String path = "/v1/dossiers/" + receipt.getString("id");
      AtomicReference<HttpResponse<Buffer>> answer = new AtomicReference<>();
      Await.until(Duration.ofSeconds(10), "the look-up no longer answered from the entry queued in Redis", () -> {
        answer.set(hub.get(PORTAL_KEY, path));
        return answer.get().statusCode() != 200 || answer.get().bodyAsJsonObject().getBoolean("persisted");
      });
      assertThat(answer.get().statusCode()).as(answer.get().bodyAsString()).isEqualTo(200);
      assertThat(answer.get().bodyAsJsonObject().getString("code")).isEqualTo(receipt.getString("code"));
      HttpResponse<Buffer> agency = hub.get(AGENCY_KEY, path);
      assertThat(agency.statusCode()).as(agency.bodyAsString()).isEqualTo(200);
      assertThat(agency.bodyAsJsonObject().getBoolean("persisted")).isTrue();
      assertThat(agency.bodyAsJsonObject().getJsonObject("submission")).isNotNull();
      HttpResponse<Buffer> byCode = hub.get(AGENCY_KEY, "/v1/dossiers?code=" + receipt.getString("code"));
      assertThat(byCode.statusCode()).as(byCode.bodyAsString()).isEqualTo(200);
      assertThat(byCode.bodyAsJsonObject().getBoolean("persisted")).isTrue();
      // the reads are the replica's: its feed does not hold the dossier yet
      assertThat(hub.wholeFeed(AGENCY_KEY, FEED)).isEmpty();
    } finally {
      servers.resumeReplay();
    }
    hub.feedUntil(AGENCY_KEY, FEED, items -> items.size() == 1);
  }
}
