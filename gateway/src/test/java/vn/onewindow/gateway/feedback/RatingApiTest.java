package vn.onewindow.gateway.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/** The applicant's satisfaction survey: once the result was returned, once per dossier, by its own frontend. */
class RatingApiTest extends OneGatewayPerClass {
  private static final String RATING = "{\"answers\":[5,4,3,5,2],\"channel\":\"online\"}";
  /** Codes of the dossiers stored here: unique, wider than a real day's so they never meet the gateway's. */
  private static final AtomicLong CODES = new AtomicLong(System.nanoTime() % 1_000_000_000L + 1_000_000_000L);
  private static Pool pool;

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
    pool = PostgresClients.pool(gw.vertx, gw.config.postgres(), "test");
  }

  @AfterAll
  static void closePool() {
    pool.close().await();
  }

  @Test
  void shouldRecordOneRatingOnceTheResultWasReturned() {
    String id = storedDossier(GatewayFixture.CLIENT_ID);
    assertProblem(rate(gw.client, id, RATING), 409, "rating-not-open");
    setStatus(id, 10);

    HttpResponse<Buffer> rated = rate(gw.client, id, RATING);

    assertThat(rated.statusCode()).as(rated.bodyAsString()).isEqualTo(201);
    assertThat(rated.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject body = rated.bodyAsJsonObject();
    assertThat(body.getString("dossierId")).isEqualTo(id);
    assertThat(body.getJsonArray("answers")).isEqualTo(new JsonArray(List.of(5, 4, 3, 5, 2)));
    assertThat(body.getInteger("satisfied")).isEqualTo(3);
    Row row = rows("SELECT client_id, channel, answers, satisfied FROM dossier_rating WHERE dossier_id = $1", id)
        .iterator().next();
    assertThat(row.getString("client_id")).isEqualTo(GatewayFixture.CLIENT_ID);
    assertThat(row.getString("channel")).isEqualTo("online");
    assertThat(row.getArrayOfShorts("answers")).containsExactly((short) 5, (short) 4, (short) 3, (short) 5, (short) 2);
    assertThat(row.getShort("satisfied")).isEqualTo((short) 3);

    JsonObject again = assertProblem(rate(gw.client, id, "{\"answers\":[1],\"channel\":\"counter\"}"), 409,
        "already-rated");
    assertThat(again.getString("detail")).contains("once");
    assertThat(rows("SELECT 1 FROM dossier_rating WHERE dossier_id = $1", id).size()).isEqualTo(1);
  }

  @Test
  void shouldAnswerTheSameRatingSentAgainAsAReplay() {
    String id = storedDossier(GatewayFixture.CLIENT_ID);
    setStatus(id, 10);
    HttpResponse<Buffer> first = rate(gw.client, id, RATING);
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
    assertThat(first.getHeader("Idempotent-Replayed")).isEqualTo("false");

    // the 201 was lost on the way: the frontend sends the same answers again (members in another order)
    HttpResponse<Buffer> retry = rate(gw.client, id, "{\"channel\":\"online\",\"answers\":[5,4,3,5,2]}");

    assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(200);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(retry.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    assertThat(rows("SELECT 1 FROM dossier_rating WHERE dossier_id = $1", id).size()).isEqualTo(1);
    // the time the hub recorded, to the millisecond as every time of the API, though now() has microseconds
    rows("UPDATE dossier_rating SET rated_at = '2026-03-11 13:44:01.123456+00' WHERE dossier_id = $1", id);
    assertThat(rate(gw.client, id, RATING).bodyAsJsonObject().getString("ratedAt"))
        .isEqualTo("2026-03-11T13:44:01.123Z");
    // other answers are not a retry: the first rating stands
    assertProblem(rate(gw.client, id, "{\"answers\":[5,4,3,5],\"channel\":\"online\"}"), 409, "already-rated");
    assertProblem(rate(gw.client, id, "{\"answers\":[5,4,3,5,2],\"channel\":\"counter\"}"), 409, "already-rated");
  }

  /**
   * A statement PostgreSQL cannot run as written (a table or grant the release expects is missing: SQLSTATE class
   * 42) is a defect of the installation, not the store's health nor the request's fault: a 500, never a 503 that tells
   * clients to retry shortly, and never counted by a breaker, which would then refuse every healthy call sharing it.
   */
  @Test
  void shouldAnswer500WithoutOpeningTheBreakerWhenAStatementCannotRun() {
    String id = storedDossier(GatewayFixture.CLIENT_ID);
    setStatus(id, 10);

    pool.query("ALTER TABLE dossier_rating RENAME TO dossier_rating_moved").execute().await();
    try {
      // more calls than the breaker needs to judge (breaker.minimum-calls), every one failing the same way
      for (int i = 0; i < 25; i++) {
        HttpResponse<Buffer> refused = rate(gw.client, id, RATING);
        assertProblem(refused, 500, "internal-error");
        assertThat(refused.getHeader("Retry-After")).isNull();
        assertThat(refused.bodyAsString()).doesNotContain("dossier_rating").doesNotContain("42P01");
      }
    } finally {
      pool.query("ALTER TABLE dossier_rating_moved RENAME TO dossier_rating").execute().await();
    }

    // the write breaker stayed closed: the same call goes through at once once the table is back
    HttpResponse<Buffer> rated = rate(gw.client, id, RATING);
    assertThat(rated.statusCode()).as(rated.bodyAsString()).isEqualTo(201);
  }

  @Test
  void shouldNameTheCurrentStatusWhenTheResultIsNotReturnedYet() {
    String id = storedDossier(GatewayFixture.CLIENT_ID);
    setStatus(id, 4);

    JsonObject problem = assertProblem(rate(gw.client, id, RATING), 409, "rating-not-open");

    assertThat(problem.getJsonObject("currentStatus").getInteger("code")).isEqualTo(4);
    assertThat(rows("SELECT 1 FROM dossier_rating WHERE dossier_id = $1", id).size()).isZero();
  }

  @Test
  void shouldHideAnotherClientsDossierAndUnknownIds() {
    String othersDossier = storedDossier("mobile-app");
    setStatus(othersDossier, 10);

    assertProblem(rate(gw.client, othersDossier, RATING), 404, "not-found");
    assertProblem(rate(gw.client, UUID.randomUUID().toString(), RATING), 404, "not-found");
    assertThat(rows("SELECT 1 FROM dossier_rating WHERE dossier_id = $1", othersDossier).size()).isZero();
  }

  @Test
  void shouldNameEveryInvalidAnswer() {
    String id = storedDossier(GatewayFixture.CLIENT_ID);
    setStatus(id, 10);

    JsonObject problem = assertProblem(rate(gw.rawClient, id,
        "{\"answers\":[5,6,0,2.5],\"channel\":\"fax\",\"comment\":\"x\"}"), 422, "invalid-rating");

    assertThat(problem.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("pointer")).toList())
        .containsExactlyInAnyOrder("/answers/1", "/answers/2", "/answers/3", "/channel", "/comment");
    assertProblem(rate(gw.rawClient, id, "{\"answers\":[],\"channel\":\"online\"}"), 422, "invalid-rating");
    assertProblem(rate(gw.rawClient, id, "{\"answers\":[1,1,1,1,1,1,1,1,1,1,1,1],\"channel\":\"online\"}"), 422,
        "invalid-rating");
    assertThat(problem.getJsonArray("errors")).contains(new JsonObject().put("pointer", "/channel")
        .put("detail", "must be one of online, counter, postal"));
    assertProblem(rate(gw.rawClient, id, "not json"), 400, "malformed-request");
    assertThat(assertProblem(rate(gw.rawClient, id, ""), 400, "malformed-request").getString("detail"))
        .isEqualTo("the request body is empty; send the rating as a JSON object");
    // read as strictly as a dossier: duplicate names are malformed, JSON that is not an object is the whole body's 422
    assertProblem(rate(gw.rawClient, id, "{\"channel\":\"online\",\"channel\":\"postal\",\"answers\":[5]}"), 400,
        "malformed-request");
    for (String notAnObject : List.of("null", "[]", "5")) {
      assertThat(assertProblem(rate(gw.rawClient, id, notAnObject), 422, "invalid-rating").getJsonArray("errors"))
          .as(notAnObject).containsExactly(new JsonObject().put("pointer", "")
              .put("detail", (notAnObject.equals("5") ? "number" : notAnObject.equals("[]") ? "array" : "null")
                  + " found, object expected"));
    }
    assertThat(rows("SELECT 1 FROM dossier_rating WHERE dossier_id = $1", id).size()).isZero();
  }

  private static HttpResponse<Buffer> rate(WebClient client, String id, String body) {
    return client.post("/v1/dossiers/" + id + "/rating").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)).await();
  }

  /** A dossier as intake stores it, through the one dossier INSERT. */
  private static String storedDossier(String clientId) {
    String id = UUID.randomUUID().toString();
    pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(DossierTable.NewDossier.of(id,
        "000.00.53.H48-261201-" + CODES.incrementAndGet(), clientId, Instant.now().toString(), null,
        GatewayFixture.birthRegistration().encode(), "1-0", null)))).await();
    return id;
  }

  private static void setStatus(String id, int status) {
    pool.preparedQuery("UPDATE dossier SET status = $2 WHERE id = $1").execute(Tuple.of(UUID.fromString(id),
        (short) status)).await();
  }

  private static RowSet<Row> rows(String sql, String id) {
    return pool.preparedQuery(sql).execute(Tuple.of(UUID.fromString(id))).await();
  }
}
