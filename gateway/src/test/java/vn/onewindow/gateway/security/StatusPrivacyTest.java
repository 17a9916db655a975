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

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.gateway.GatewayFixture;

/**
 * Who reads what of a dossier's status (README "Security"). Receipt codes are sequential and a frontend's key is
 * public (the portal's ships in every browser), so a code alone opens only the public progress view, to any frontend;
 * a citizen token narrows a frontend, its submitter included, to the citizen's own dossiers; the id, which only the
 * submitter's 202 gave, opens the submitter's full view. Every answer is checked against the contract.
 */
class StatusPrivacyTest extends ReadersGatewayPerClass {
  private static final String AGENCY_KEY = "dev-agency-key";
  private static final String OFFICER = "Phạm Thị Cán Bộ Thử";
  private static final String NOTE = "Ghi chú riêng cho người nộp: bổ sung bản sao sổ hộ khẩu";
  private static final String RESULT_URI = "https://docs.example.vn/ket-qua-bi-mat-7781";
  /** Exactly what the public progress view holds (README "What the citizen sees"). */
  private static final List<String> PUBLIC_FIELDS = List.of("code", "procedureCode", "handlingAgency", "status",
      "receivedAt", "dueDate", "expectedResultBy", "statusChangedAt", "persisted");
  private static WebClient agency;

  @BeforeAll
  static void agencyClient() {
    agency = SecurityTestSupport.bareClient(gw.vertx, gw.port);
  }

  @Test
  void shouldShowOnlyPublicProgressByCodeWithoutACitizenToken() {
    String citizen = randomCitizenId();
    Recorded dossier = recordedAndReturned(citizen);
    String byCode = "/v1/dossiers?code=" + dossier.code;
    JsonObject full = get("/v1/dossiers/" + dossier.id, Map.of("X-Api-Key", PORTAL_KEY)).bodyAsJsonObject();

    // the submitting frontend itself, any other frontend: the code alone proves nothing about the caller
    for (String key : List.of(PORTAL_KEY, MOBILE_KEY, KIOSK_KEY)) {
      HttpResponse<Buffer> response = get(byCode, Map.of("X-Api-Key", key));

      assertThat(response.statusCode()).as("%s: %s", key, response.bodyAsString()).isEqualTo(200);
      assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
      assertSecurityHeaders(response);
      JsonObject view = response.bodyAsJsonObject();
      assertThat(view.fieldNames()).as(key).containsExactlyInAnyOrderElementsOf(PUBLIC_FIELDS);
      assertThat(view.getString("code")).isEqualTo(dossier.code);
      assertThat(view.getJsonObject("status")).isEqualTo(new JsonObject().put("code", 10).put("name", "Đã trả kết quả"));
      assertThat(view.getString("procedureCode")).isEqualTo(full.getString("procedureCode"));
      assertThat(view.getString("handlingAgency")).isEqualTo(full.getString("handlingAgency"));
      assertThat(view.getString("receivedAt")).isEqualTo(full.getString("receivedAt"));
      assertThat(view.getString("statusChangedAt")).isEqualTo(full.getString("statusChangedAt"));
      assertThat(view.getString("dueDate")).isEqualTo(dossier.dueDate).isEqualTo(full.getString("dueDate"));
      assertThat(view.getBoolean("persisted")).isTrue();
      // nothing personal or sensitive, and not the id, which would open the full view
      assertThat(response.bodyAsString()).as(key)
          .doesNotContain(dossier.id).doesNotContain(citizen).doesNotContain("Nguyễn").doesNotContain("0900000001")
          .doesNotContain("example.com").doesNotContain("Thành phố Giả Định").doesNotContain(NOTE)
          .doesNotContain(OFFICER).doesNotContain(RESULT_URI).doesNotContain("storageUri")
          .doesNotContain(GatewayFixture.CLIENT_ID);
    }
    // the id, which only the submitter's 202 named, still opens the submitter's full view (a capability URL)
    assertThat(full.getJsonArray("history").encode()).contains(NOTE);
    assertThat(full.getJsonArray("results").encode()).contains(RESULT_URI);
    assertThat(full.encode()).doesNotContain(OFFICER).doesNotContain(citizen);
    // an agency covering it keeps its own view by code
    HttpResponse<Buffer> agencyView = get(byCode, Map.of("X-Api-Key", AGENCY_KEY));
    assertThat(agencyView.statusCode()).as(agencyView.bodyAsString()).isEqualTo(200);
    assertThat(agencyView.bodyAsJsonObject().getString("id")).isEqualTo(dossier.id);
    assertThat(agencyView.bodyAsJsonObject().getJsonArray("events").encode()).contains(OFFICER);
  }

  @Test
  void shouldAnswerHeadByCodeWithThePublicViewsHeadersOnly() {
    Recorded dossier = recordedAndReturned(randomCitizenId());

    HttpResponse<Buffer> head = send(bare, HttpMethod.HEAD, "/v1/dossiers?code=" + dossier.code,
        Map.of("X-Api-Key", MOBILE_KEY), null);

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isNull();
    assertThat(Integer.parseInt(head.getHeader("Content-Length"))).isEqualTo(
        get("/v1/dossiers?code=" + dossier.code, Map.of("X-Api-Key", MOBILE_KEY)).body().length());
  }

  @Test
  void shouldNarrowAFrontendWithACitizenTokenToThatCitizensDossiers() {
    String citizen = randomCitizenId();
    String other = randomCitizenId();
    Recorded recorded = recordedAndReturned(citizen);
    String queued = post(bare, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(citizen).encode()).bodyAsJsonObject()
        .getString("id");
    String byCode = "/v1/dossiers?code=" + recorded.code;
    String unknownDetail = assertProblem(get("/v1/dossiers?code=000.00.53.H48-991231-0001",
        Map.of("X-Api-Key", PORTAL_KEY)), 404, "not-found").getString("detail");
    String unknownIdDetail = assertProblem(get("/v1/dossiers/" + UUID.randomUUID(), Map.of("X-Api-Key", PORTAL_KEY)),
        404, "not-found").getString("detail");

    // another citizen's token, through the submitting client or any other: as if the dossier did not exist
    for (String key : List.of(PORTAL_KEY, MOBILE_KEY)) {
      Map<String, String> otherCitizen = Map.of("X-Api-Key", key, "Authorization", "Bearer " + TOKENS.rs256(other));
      assertThat(assertProblem(get(byCode, otherCitizen), 404, "not-found").getString("detail"))
          .as(key).isEqualTo(unknownDetail);
      for (String id : List.of(recorded.id, queued)) {
        assertThat(assertProblem(get("/v1/dossiers/" + id, otherCitizen), 404, "not-found").getString("detail"))
            .as("%s %s", key, id).isEqualTo(unknownIdDetail);
      }
    }
    // the applicant's own token, through any client: the citizen's view, by code and by id
    for (String key : List.of(PORTAL_KEY, MOBILE_KEY)) {
      Map<String, String> applicant = Map.of("X-Api-Key", key, "Authorization", "Bearer " + TOKENS.es256(citizen));
      HttpResponse<Buffer> found = get(byCode, applicant);
      assertThat(found.statusCode()).as("%s: %s", key, found.bodyAsString()).isEqualTo(200);
      assertThat(found.bodyAsJsonObject().getString("id")).isEqualTo(recorded.id);
      assertThat(found.bodyAsJsonObject().getJsonArray("history").encode()).contains(NOTE);
      assertThat(found.bodyAsString()).doesNotContain(OFFICER).doesNotContain(citizen);
      assertThat(get("/v1/dossiers/" + recorded.id, applicant).bodyAsJsonObject()).isEqualTo(found.bodyAsJsonObject());
      HttpResponse<Buffer> queuedView = get("/v1/dossiers/" + queued, applicant);
      assertThat(queuedView.statusCode()).as("%s: %s", key, queuedView.bodyAsString()).isEqualTo(200);
      assertThat(queuedView.bodyAsJsonObject().getString("id")).isEqualTo(queued);
    }
    // an agency's coverage decides, whatever token comes with its key
    HttpResponse<Buffer> agencyWithToken = get(byCode,
        Map.of("X-Api-Key", AGENCY_KEY, "Authorization", "Bearer " + TOKENS.rs256(other)));
    assertThat(agencyWithToken.statusCode()).as(agencyWithToken.bodyAsString()).isEqualTo(200);
    assertThat(agencyWithToken.bodyAsJsonObject().containsKey("events")).isTrue();
  }

  @Test
  void shouldLetACitizenFollowACompanysDossierTheyFiledByItsIdButNotByItsCode() {
    // a signed-in citizen files for a company (no citizenId in it): the receipt's link must work in the same session
    String citizen = randomCitizenId();
    Map<String, String> signedIn = Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.es256(citizen));
    HttpResponse<Buffer> accepted = post(bare, signedIn, GatewayFixture.example("business-registration.json"));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
    String id = accepted.bodyAsJsonObject().getString("id");
    String code = accepted.bodyAsJsonObject().getString("code");

    HttpResponse<Buffer> followed = get("/v1/dossiers/" + id, signedIn);
    assertThat(followed.statusCode()).as(followed.bodyAsString()).isEqualTo(200);
    assertThat(followed.bodyAsJsonObject().getString("id")).isEqualTo(id);
    assertThat(followed.bodyAsJsonObject().getString("code")).isEqualTo(code);
    // the code proves nothing, and the company's dossier is no citizen's: as if it did not exist
    assertProblem(get("/v1/dossiers?code=" + code, signedIn), 404, "not-found");
    // nor does the id open it to another frontend, token or not
    assertProblem(get("/v1/dossiers/" + id, Map.of("X-Api-Key", MOBILE_KEY, "Authorization",
        "Bearer " + TOKENS.es256(citizen))), 404, "not-found");
    assertProblem(get("/v1/dossiers/" + id, Map.of("X-Api-Key", MOBILE_KEY)), 404, "not-found");
  }

  @Test
  void shouldLetOnlyTheApplicantRateWithACitizenToken() {
    String citizen = randomCitizenId();
    Recorded dossier = recordedAndReturned(citizen);
    String rating = "{\"answers\":[5,4],\"channel\":\"online\"}";
    Map<String, String> otherCitizen = Map.of("X-Api-Key", PORTAL_KEY, "Content-Type", "application/json",
        "Authorization", "Bearer " + TOKENS.rs256(randomCitizenId()));

    // the submitting frontend, but signed in as someone else: the dossier is not theirs to rate
    HttpResponse<Buffer> refused = send(bare, HttpMethod.POST, "/v1/dossiers/" + dossier.id + "/rating",
        otherCitizen, rating);
    assertProblem(refused, 404, "not-found");
    assertThat(pool.preparedQuery("SELECT 1 FROM dossier_rating WHERE dossier_id = $1")
        .execute(Tuple.of(UUID.fromString(dossier.id))).await().size()).isZero();

    HttpResponse<Buffer> rated = send(bare, HttpMethod.POST, "/v1/dossiers/" + dossier.id + "/rating",
        Map.of("X-Api-Key", MOBILE_KEY, "Content-Type", "application/json",
            "Authorization", "Bearer " + TOKENS.es256(citizen)), rating);
    assertThat(rated.statusCode()).as(rated.bodyAsString()).isEqualTo(201);
  }

  private record Recorded(String id, String code, String dueDate) {
  }

  /**
   * A dossier of the portal in {@code citizen}'s name, recorded as intake writes it, then accepted (with an officer
   * and a note for the applicant), processed and returned with a result document, by the development agency system.
   */
  private static Recorded recordedAndReturned(String citizen) {
    String id = gw.keys.partitions().newDossierId(0);
    String code = "000.00.53.H48-261206-" + ThreadLocalRandom.current().nextInt(100_000_000, 1_000_000_000);
    Instant received = Instant.now().minus(2, ChronoUnit.HOURS);
    pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(DossierTable.NewDossier.of(id, code,
        GatewayFixture.CLIENT_ID, received.toString(), null, dossierOf(citizen).encode(), "1-0", null)))).await();
    // no dueDate: the hub gives the statutory one (an agency's own must be a working day, not later than it)
    String dueDate = event(id, new JsonObject().put("status", 2).put("officer", OFFICER).put("note", NOTE),
        received.plus(10, ChronoUnit.MINUTES)).getString("dueDate");
    event(id, new JsonObject().put("status", 4), received.plus(20, ChronoUnit.MINUTES));
    event(id, new JsonObject().put("status", 9).put("officer", OFFICER).put("result", new JsonArray().add(
        new JsonObject().put("name", "Giấy khai sinh").put("documentId", "KS-7781").put("uri", RESULT_URI))),
        received.plus(30, ChronoUnit.MINUTES));
    event(id, new JsonObject().put("status", 10), received.plus(40, ChronoUnit.MINUTES));
    return new Recorded(id, code, dueDate);
  }

  /** The dossier's state after the event, as its 201 gives it. */
  private static JsonObject event(String id, JsonObject event, Instant at) {
    HttpResponse<Buffer> recorded = send(agency, HttpMethod.POST, "/v1/dossiers/" + id + "/events",
        Map.of("X-Api-Key", AGENCY_KEY, "Content-Type", "application/json"),
        event.put("eventId", "privacy-" + UUID.randomUUID()).put("at", at.toString()).encode());
    assertThat(recorded.statusCode()).as(recorded.bodyAsString()).isEqualTo(201);
    return recorded.bodyAsJsonObject();
  }
}
