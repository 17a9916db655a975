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
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.Await;
import vn.onewindow.gateway.GatewayFixture;

/**
 * A security review's tryouts of who reaches what (README "Security"): an agency system outside a dossier's coverage,
 * wherever the dossier stands and however it is asked for, and one client's Idempotency-Key sent by another, normally
 * and while shedding. Real gateway, Redis and PostgreSQL.
 */
class CallerScopeTest extends ReadersGatewayPerClass {
  /** Covers {@code *.H26} only; the example dossier is handled by 000.21.53.H48. */
  private static final String HANOI_AGENCY_KEY = "dev-agency-hanoi-key";
  private static final String HANDLING_AGENCY = "000.21.53.H48";

  @Test
  void shouldHideADossierFromAnAgencyOutsideItsCoverageWhereverItStandsAndHoweverAsked() {
    String recordedId = gw.keys.partitions().newDossierId(0);
    String code = "000.00.53.H48-261206-" + ThreadLocalRandom.current().nextInt(100_000_000, 1_000_000_000);
    pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(DossierTable.NewDossier.of(recordedId,
        code, GatewayFixture.CLIENT_ID, Instant.now().minus(1, ChronoUnit.HOURS).toString(), null,
        dossierOf(randomCitizenId()).encode(), "1-0", null)))).await();
    String queuedId = post(bare, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(randomCitizenId()).encode())
        .bodyAsJsonObject().getString("id");
    Map<String, String> hanoi = Map.of("X-Api-Key", HANOI_AGENCY_KEY);
    String unknownId = assertProblem(send(bare, HttpMethod.GET, "/v1/dossiers/" + UUID.randomUUID(), hanoi, null),
        404, "not-found").getString("detail");
    String unknownCode = assertProblem(send(bare, HttpMethod.GET, "/v1/dossiers?code=000.00.53.H48-991231-0001",
        hanoi, null), 404, "not-found").getString("detail");

    for (String id : List.of(recordedId, queuedId)) {
      assertThat(assertProblem(send(bare, HttpMethod.GET, "/v1/dossiers/" + id, hanoi, null), 404, "not-found")
          .getString("detail")).as(id).isEqualTo(unknownId);
      assertThat(send(bare, HttpMethod.HEAD, "/v1/dossiers/" + id, hanoi, null).statusCode()).as(id).isEqualTo(404);
      HttpResponse<Buffer> event = send(bare, HttpMethod.POST, "/v1/dossiers/" + id + "/events",
          Map.of("X-Api-Key", HANOI_AGENCY_KEY, "Content-Type", "application/json"), new JsonObject()
              .put("eventId", "scope-" + UUID.randomUUID()).put("status", 2).put("at", Instant.now().toString())
              .encode());
      assertProblem(event, 404, "not-found");
    }
    assertThat(assertProblem(send(bare, HttpMethod.GET, "/v1/dossiers?code=" + code, hanoi, null), 404, "not-found")
        .getString("detail")).isEqualTo(unknownCode);
    assertThat(send(bare, HttpMethod.HEAD, "/v1/dossiers?code=" + code, hanoi, null).statusCode()).isEqualTo(404);
    assertProblem(send(bare, HttpMethod.GET, "/v1/agencies/" + HANDLING_AGENCY + "/dossiers", hanoi, null), 404,
        "not-found");
    // a cursor of the covered feed, issued to the agency covering every code, on the Hanoi agency's own feed: 400
    String next = send(bare, HttpMethod.GET, "/v1/agencies/" + HANDLING_AGENCY + "/dossiers",
        Map.of("X-Api-Key", "dev-agency-key"), null).bodyAsJsonObject().getString("next");
    assertProblem(send(bare, HttpMethod.GET, "/v1/agencies/000.00.00.H26/dossiers?after=" + next, hanoi, null), 400,
        "malformed-request");
  }

  @Test
  void shouldKeepEachClientsIdempotencyKeysItsOwn() {
    String body = dossierOf(randomCitizenId()).encode();
    String key = "scope-" + UUID.randomUUID();
    HttpResponse<Buffer> portal = post(bare, Map.of("X-Api-Key", PORTAL_KEY, "Idempotency-Key", key), body);
    HttpResponse<Buffer> app = post(bare, Map.of("X-Api-Key", MOBILE_KEY, "Idempotency-Key", key), body);

    assertThat(portal.statusCode()).as(portal.bodyAsString()).isEqualTo(202);
    assertThat(app.statusCode()).as(app.bodyAsString()).isEqualTo(202);
    assertThat(app.getHeader("Idempotent-Replayed")).isEqualTo("false");
    assertThat(app.bodyAsJsonObject().getString("id")).isNotEqualTo(portal.bodyAsJsonObject().getString("id"));
    assertThat(gw.queued()).isEqualTo(queuedBefore + 2);
  }

  /** While shedding, a keyed submission is answered only with its own client's earlier dossier, never another's. */
  @Test
  void shouldNotAnswerAnotherClientsKeyedRetryWithTheDossierWhileShedding() {
    try (GatewayFixture shedding = new GatewayFixture(Map.of("shed.backlog-max-entries", "2",
        "shed.backlog-poll-ms", "200", "ratelimit.applicant-per-minute", "6000"))) {
      WebClient client = SecurityTestSupport.bareClient(shedding.vertx, shedding.port);
      String body = dossierOf(randomCitizenId()).encode();
      String key = "scope-shed-" + UUID.randomUUID();
      HttpResponse<Buffer> first = post(client, Map.of("X-Api-Key", PORTAL_KEY, "Idempotency-Key", key), body);
      assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
      assertThat(post(client, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(randomCitizenId()).encode()).statusCode())
          .isEqualTo(202);
      Await.until(Duration.ofSeconds(4), "the backlog monitor to sample the 2 queued dossiers",
          () -> shedding.registry.get(MeterNames.STREAM_LENGTH).gauge().value() >= 2);

      HttpResponse<Buffer> otherClient = post(client, Map.of("X-Api-Key", MOBILE_KEY, "Idempotency-Key", key), body);
      HttpResponse<Buffer> sameClient = post(client, Map.of("X-Api-Key", PORTAL_KEY, "Idempotency-Key", key), body);

      assertProblem(otherClient, 503, "overloaded");
      assertThat(otherClient.bodyAsString()).doesNotContain(first.bodyAsJsonObject().getString("id"))
          .doesNotContain(first.bodyAsJsonObject().getString("code"));
      assertThat(sameClient.statusCode()).as(sameClient.bodyAsString()).isEqualTo(202);
      assertThat(sameClient.bodyAsJsonObject().getString("id")).isEqualTo(first.bodyAsJsonObject().getString("id"));
      assertThat(shedding.queued()).isEqualTo(2);
    }
  }
}
