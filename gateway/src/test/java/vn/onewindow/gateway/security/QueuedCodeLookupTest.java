package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.KIOSK_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.MOBILE_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.PORTAL_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertSecurityHeaders;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.post;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;
import static vn.onewindow.gateway.security.SecurityTestSupport.send;
import static vn.onewindow.gateway.security.SecurityTestSupport.streamEntryOf;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.GatewayFixture;

/**
 * A receipt's code while its dossier is still queued, as on a deadline day's backlog (no intake runs beside this
 * gateway: every submission stays queued). A frontend without a citizen token, which gets the public progress view
 * once the dossier is recorded, is told meanwhile that it was received, not "not found": a citizen holding the
 * receipt would file again. Codes the hub never issued stay 404; with Redis not answering the look-up cannot tell, so
 * a 503, as by id. Every answer is checked against the contract.
 */
class QueuedCodeLookupTest extends ReadersGatewayPerClass {
  private static final String AGENCY_KEY = "dev-agency-key";
  private static final JsonObject NEWLY_REGISTERED = new JsonObject().put("code", 1).put("name", "Mới đăng ký");

  @Test
  void shouldTellAFrontendWithoutATokenThatAQueuedCodeWasReceivedUntilItIsRecorded() {
    String citizen = randomCitizenId();
    JsonObject dossier = dossierOf(citizen);
    HttpResponse<Buffer> accepted = post(bare, Map.of("X-Api-Key", PORTAL_KEY), dossier.encode());
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
    String id = accepted.bodyAsJsonObject().getString("id");
    String code = accepted.bodyAsJsonObject().getString("code");
    String byCode = "/v1/dossiers?code=" + code;
    assertThat(streamEntryOf(gw, id)).as("still queued").isNotEmpty();
    assertThat(rowsWithCode(code)).isZero();

    // any frontend without a token: the submitting one, others, a kiosk where the receipt was printed
    for (String key : List.of(PORTAL_KEY, MOBILE_KEY, KIOSK_KEY)) {
      HttpResponse<Buffer> received = get(byCode, Map.of("X-Api-Key", key));

      assertThat(received.statusCode()).as("%s: %s", key, received.bodyAsString()).isEqualTo(200);
      assertThat(received.getHeader("Content-Type")).isEqualTo("application/json");
      assertSecurityHeaders(received);
      assertThat(received.bodyAsJsonObject()).as(key).isEqualTo(new JsonObject().put("code", code)
          .put("status", NEWLY_REGISTERED).put("persisted", false));
    }
    HttpResponse<Buffer> head = send(bare, HttpMethod.HEAD, byCode, Map.of("X-Api-Key", MOBILE_KEY), null);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isNull();
    // who filed it and which agency handles it are in the queued entry, which only the id names: with a citizen
    // token (the applicant's own too) and for an agency, found by code once recorded, as before
    String unknown = assertProblem(get("/v1/dossiers?code=" + unissuedCode(code, 1), Map.of("X-Api-Key", PORTAL_KEY)),
        404, "not-found").getString("detail");
    for (Map<String, String> caller : List.of(
        Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.es256(citizen)),
        Map.of("X-Api-Key", MOBILE_KEY, "Authorization", "Bearer " + TOKENS.rs256(randomCitizenId())),
        Map.of("X-Api-Key", AGENCY_KEY))) {
      assertThat(assertProblem(get(byCode, caller), 404, "not-found").getString("detail")).isEqualTo(unknown);
    }

    // recorded, as the intake writes it: the public progress view, and the applicant's own view with the token
    pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(DossierTable.NewDossier.of(id, code,
        GatewayFixture.CLIENT_ID, Instant.now().toString(), null, dossier.encode(), "1-0", null)))).await();
    JsonObject recorded = get(byCode, Map.of("X-Api-Key", MOBILE_KEY)).bodyAsJsonObject();
    assertThat(recorded.getBoolean("persisted")).isTrue();
    assertThat(recorded.getString("procedureCode")).isEqualTo(dossier.getString("procedureCode"));
    assertThat(recorded.containsKey("id")).isFalse();
    HttpResponse<Buffer> own = get(byCode,
        Map.of("X-Api-Key", MOBILE_KEY, "Authorization", "Bearer " + TOKENS.es256(citizen)));
    assertThat(own.statusCode()).as(own.bodyAsString()).isEqualTo(200);
    assertThat(own.bodyAsJsonObject().getString("id")).isEqualTo(id);
  }

  /**
   * Not issued: the next number of the same counter, a number of the direct path's space (written to PostgreSQL
   * before its 202, so never queued), a day and a unit without a counter, the issued number zero-padded past four
   * digits. The same 404 as any unknown code.
   */
  @Test
  void shouldNotTellOfCodesTheHubNeverIssued() {
    HttpResponse<Buffer> accepted = post(bare, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(randomCitizenId()).encode());
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
    String code = accepted.bodyAsJsonObject().getString("code");
    DossierCode.Parts parts = DossierCode.parts(code).orElseThrow();
    String unit = parts.receivingUnit();
    List<String> neverIssued = List.of(unissuedCode(code, 1), unissuedCode(code, 1000),
        unit + "-" + parts.yymmdd() + "-9001", unit + "-" + parts.yymmdd() + "-90000",
        unit + "-000101-0001", "000.00.00.Z99-" + parts.yymmdd() + "-0001",
        // the issued number written wider than the code's four digits: no code the hub gave
        unit + "-" + parts.yymmdd() + "-0" + String.format("%04d", parts.sequence()));

    for (String other : neverIssued) {
      HttpResponse<Buffer> answer = get("/v1/dossiers?code=" + other, Map.of("X-Api-Key", MOBILE_KEY));
      assertProblem(answer, 404, "not-found");
    }
    assertThat(get("/v1/dossiers?code=" + code, Map.of("X-Api-Key", MOBILE_KEY)).statusCode()).isEqualTo(200);
  }

  /**
   * Redis not answering: PostgreSQL does not hold the code, and whether it is queued cannot be told, so a 503 with
   * Retry-After (the look-up by id's answer then), not a 404 that would send the citizen to file again.
   */
  @Test
  void shouldAnswer503WhenRedisCannotTellWhetherACodeIsQueued() throws Exception {
    try (TcpProxy proxy = SecurityTestSupport.proxyToTheTestRedis()) {
      try (GatewayFixture own = SecurityTestSupport.gatewayBehind(proxy)) {
        HttpResponse<Buffer> accepted = own.postUntilAccepted(GatewayFixture.birthRegistration().encode(),
            "queued-then-down");
        assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
        String code = accepted.bodyAsJsonObject().getString("code");
        assertThat(own.get("/v1/dossiers?code=" + code).statusCode()).isEqualTo(200);
        proxy.down();

        HttpResponse<Buffer> queued = own.get("/v1/dossiers?code=" + code);

        assertProblem(queued, 503, "upstream-unavailable");
        assertThat(queued.getHeader("Retry-After")).isEqualTo("2");
      }
    }
  }

  /** A code of the same unit and day {@code ahead} numbers past {@code code} on the Redis path's counter. */
  private static String unissuedCode(String code, long ahead) {
    DossierCode.Parts parts = DossierCode.parts(code).orElseThrow();
    long next = DossierCode.queueSequence(DossierCode.queueIndex(parts.sequence()) + ahead);
    return code.substring(0, code.lastIndexOf('-') + 1) + String.format("%04d", next);
  }

  private static long rowsWithCode(String code) {
    return TestServers.queryLong(gw.config.postgres().url(),
        "SELECT count(*) FROM dossier WHERE code = '" + code + "'");
  }
}
