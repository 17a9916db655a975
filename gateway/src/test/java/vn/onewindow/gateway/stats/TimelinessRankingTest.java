package vn.onewindow.gateway.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * A ministry ranking its provinces and a province ranking its agencies, in one request each, against dossiers of
 * February 2026 counted by hand; and a dashboard's identical requests arriving together counted once.
 */
class TimelinessRankingTest extends OneGatewayPerClass {
  private static final String RANKING = "/v1/stats/timeliness/ranking?";
  private static final String FEBRUARY = "from=2026-02-01&to=2026-02-28";
  private static final String A = "000.00.11.H48";
  private static final String B = "000.00.12.H48";
  private static final String C = "000.00.13.H48";
  private static final String D = "000.00.14.H48";
  private static final String E = "000.00.15.H48";
  private static final String HANOI = "000.00.00.H26";
  private static Pool pool;

  @BeforeAll
  static void start() {
    // the province gauges off: the statistics pool then lends its connection to requests only (counted below)
    gw = new GatewayFixture(Map.of("stats.province-refresh-ms", "0", "stats.cache-ms", "60000"));
    pool = PostgresClients.pool(gw.vertx, gw.config.postgres(), "test");
    // A: 2 before, 1 on time, 1 overdue (3/4 in time)
    processed(A, "2026-02-10", "2026-02-12");
    processed(A, "2026-02-11", "2026-02-12");
    processed(A, "2026-02-12", "2026-02-12");
    processed(A, "2026-02-13", "2026-02-12");
    // B: 1 before, 1 overdue (1/2)
    processed(B, "2026-02-10", "2026-02-12");
    processed(B, "2026-02-20", "2026-02-12");
    // C: 3 on time, one without an appointment (3/3)
    processed(C, "2026-02-12", "2026-02-12");
    processed(C, "2026-02-14", "2026-02-14");
    processed(C, "2026-02-15", null);
    // D: 3 in time, 3 overdue (3/6: B's share, with more dossiers)
    for (int i = 0; i < 3; i++) {
      processed(D, "2026-02-10", "2026-02-11");
      processed(D, "2026-02-25", "2026-02-11");
    }
    // E: nothing processed, one open
    dossier(E, 4, null, "2026-03-10");
    // Hà Nội: 1 overdue (0/1)
    processed(HANOI, "2026-02-20", "2026-02-19");
  }

  @AfterAll
  static void closePool() {
    pool.close().await();
  }

  @Test
  void shouldRankAProvincesAgenciesOnTimeWithTiesSharingARank() {
    JsonObject ranking = ranking("agency=*.H48&" + FEBRUARY + "&by=agency");

    assertThat(ranking.getString("by")).isEqualTo("agency");
    assertThat(ranking.getString("rankedBy")).isEqualTo("processed.shares.beforeDeadlineOrOnTime");
    assertThat(ranking.getInteger("total")).isEqualTo(5);
    JsonArray items = ranking.getJsonArray("items");
    assertThat(keys(items)).as("D before B: the same share over more dossiers").containsExactly(C, A, D, B, E);
    assertThat(ranks(items)).containsExactly(1, 2, 3, 3, null);
    assertThat(share(items.getJsonObject(1))).isEqualTo(0.75);
    assertThat(items.getJsonObject(4).getJsonObject("timeliness").getJsonObject("open").getLong("total"))
        .isEqualTo(1);
    // each agency's figures are the figures GET /v1/stats/timeliness gives it: the same counting rules
    for (Object item : items) {
      JsonObject entry = (JsonObject) item;
      JsonObject alone = ok(gw.get("/v1/stats/timeliness?agency=" + entry.getString("key") + "&" + FEBRUARY));
      assertThat(entry.getJsonObject("timeliness")).as(entry.getString("key")).isEqualTo(alone);
    }

    JsonObject page = ranking("agency=*.H48&" + FEBRUARY + "&limit=2");
    assertThat(page.getInteger("total")).isEqualTo(5);
    assertThat(keys(page.getJsonArray("items"))).containsExactly(C, A);
  }

  @Test
  void shouldRankProvincesOnTheSumsOfTheirAgencies() {
    JsonObject ranking = ranking("agency=*&" + FEBRUARY + "&by=province");

    JsonArray items = ranking.getJsonArray("items");
    assertThat(keys(items)).containsExactly("H48", "H26");
    assertThat(ranks(items)).containsExactly(1, 2);
    JsonObject h48 = items.getJsonObject(0).getJsonObject("timeliness");
    assertThat(h48.getString("agency")).isEqualTo("*.H48");
    assertThat(h48.getJsonObject("processed").getLong("total")).isEqualTo(15);
    assertThat(share(items.getJsonObject(0))).as("10 of 15").isEqualTo(0.6667);
    assertThat(h48).isEqualTo(ok(gw.get("/v1/stats/timeliness?agency=%2A.H48&" + FEBRUARY)));
    assertThat(share(items.getJsonObject(1))).isEqualTo(0.0);
  }

  /**
   * A scope narrower than a province (a unit and everything under it, one agency) ranked by province: its one entry
   * holds the scope's figures, so it is named after the scope, not after the whole province it lies in. It was named
   * {@code *.H48} with A's figures alone, where GET /v1/stats/timeliness?agency=*.H48 answers all five agencies'.
   */
  @Test
  void shouldNameANarrowerScopesProvinceEntryAfterTheScope() {
    for (String scope : List.of(A, "*.11.H48")) {
      JsonArray items = ranking("agency=" + scope + "&" + FEBRUARY + "&by=province").getJsonArray("items");

      assertThat(keys(items)).as(scope).containsExactly("H48");
      assertThat(items.getJsonObject(0).getJsonObject("timeliness")).as(scope)
          .isEqualTo(ok(gw.get("/v1/stats/timeliness?agency=" + scope.replace("*", "%2A") + "&" + FEBRUARY)));
    }
  }

  /**
   * Statistics are aggregates any registered client may read, as GET /v1/stats/timeliness is: an agency key covering
   * Hà Nội only reads Đà Nẵng's ranking as the portal does (its coverage narrows dossiers and feeds, not aggregates);
   * no key is a 401.
   */
  @Test
  void shouldShowAnAgencyKeyWhatTheTimelinessEndpointShowsIt() {
    String path = RANKING + "agency=%2A.H48&" + FEBRUARY;
    WebClient plain = WebClient.create(gw.vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(gw.port));
    WebClient hanoi = ContractCheck.get().validating(WebClientSession.create(plain)
        .addHeader("X-Api-Key", "dev-agency-hanoi-key"));
    assertThat(ok(hanoi.get(path).send().await())).isEqualTo(ranking("agency=*.H48&" + FEBRUARY));
    assertThat(ok(hanoi.get("/v1/stats/timeliness?agency=%2A.H48&" + FEBRUARY).send().await())).as("as today")
        .isEqualTo(ok(gw.get("/v1/stats/timeliness?agency=%2A.H48&" + FEBRUARY)));

    assertProblem(ContractCheck.get().answersOnly(plain).get(path).send().await(), 401, "unauthorized");
  }

  @Test
  void shouldRefuseABadParameterWith400() {
    // "+5" and an Arabic-Indic five (Integer.parseInt takes both) are refused as the agency feed refuses them
    for (String bad : List.of("by=commune", "limit=0", "limit=1001", "limit=ten", "limit=%2B5", "limit=%D9%A5",
        "by=agency&by=province",
        "agency=H48", "from=2026-03-01&to=2026-02-01")) {
      String query = bad.contains("from=") ? bad : FEBRUARY + "&" + bad;
      assertProblem(gw.getRaw(RANKING + query), 400, "malformed-request");
    }
  }

  /**
   * 34 dashboard tiles opening at once: identical requests that arrive while the first is counted wait for its count,
   * and the statistics pool lends its one connection once (Vert.x's pool meter; the gauges are off). A lock on the
   * ratings table holds the first count until every request has arrived.
   */
  @Test
  void shouldCountIdenticalConcurrentRequestsOnce() {
    for (String path : List.of(RANKING + "agency=%2A.H48&from=2026-01-01&to=2026-01-31&by=province",
        "/v1/stats/timeliness?agency=%2A.H48&from=2026-01-01&to=2026-01-31")) {
      int requests = 8;
      double lentBefore = RankedDossiers.statisticsPoolLent(gw);
      SqlConnection locker = pool.getConnection().await();
      Queue<HttpResponse<Buffer>> answers = new ConcurrentLinkedQueue<>();
      try {
        locker.query("BEGIN").execute().await();
        locker.query("LOCK TABLE dossier_rating IN ACCESS EXCLUSIVE MODE").execute().await();
        for (int i = 0; i < requests; i++) {
          gw.client.get(path).send().onSuccess(answers::add);
        }
        Await.until(Duration.ofSeconds(30), "every request arrived, one statement waiting on the ratings table",
            () -> activeRequests() >= requests && waitingOnLock() == 1);
        locker.query("COMMIT").execute().await();
      } finally {
        locker.close().await();
      }
      Await.until(Duration.ofSeconds(30), "every request answered", () -> answers.size() == requests);
      assertThat(RankedDossiers.statisticsPoolLent(gw) - lentBefore).as(path).isEqualTo(1.0);
      for (HttpResponse<Buffer> answer : answers) {
        ok(answer);
        assertThat(answer.getHeader("Cache-Control")).matches("private, max-age=\\d+");
        assertThat(answer.getHeader("Age")).matches("\\d+");
        assertThat(answer.bodyAsString()).isEqualTo(answers.peek().bodyAsString());
      }
    }
  }

  private static JsonObject ranking(String query) {
    return ok(gw.get(RANKING + query.replace("*", "%2A")));
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static List<String> keys(JsonArray items) {
    return items.stream().map(item -> ((JsonObject) item).getString("key")).toList();
  }

  private static List<Integer> ranks(JsonArray items) {
    return items.stream().map(item -> ((JsonObject) item).getInteger("rank")).toList();
  }

  private static Double share(JsonObject item) {
    return item.getJsonObject("timeliness").getJsonObject("processed").getJsonObject("shares")
        .getDouble("beforeDeadlineOrOnTime");
  }

  private static double activeRequests() {
    return gw.registry.find("vertx.http.server.active.requests").gauges().stream().mapToDouble(g -> g.value()).sum();
  }

  /** Statements of this test's database waiting for a lock (the text of the ranking's is cut before its ratings). */
  private static long waitingOnLock() {
    return pool.query("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        + "AND datname = current_database()").execute().await().iterator().next().getLong(0);
  }

  /** A dossier processed (9) on {@code processedOn} at noon in Vietnam, received a week before. */
  private static void processed(String agency, String processedOn, String dueDate) {
    dossier(agency, 9, processedOn, dueDate);
  }

  /** A dossier of {@code agency} at {@code status}, as its last event (at noon on its day) left it. */
  private static void dossier(String agency, int status, String processedOn, String dueDate) {
    RankedDossiers.dossier(gw, pool, agency, status, processedOn == null ? "2026-02-20" : processedOn, dueDate);
  }
}
