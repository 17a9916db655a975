package vn.onewindow.gateway.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * A ministry reading a ranking longer than one page: page by page through {@code next} (each entry keeping its rank in
 * the whole ranking, every page from the one cached count), the worst first, and the refused paging values. Unit 97 of
 * Đà Nẵng in July 2024, which no other test writes, counted by hand.
 */
class TimelinessRankingPagesTest extends OneGatewayPerClass {
  private static final String RANKING = "/v1/stats/timeliness/ranking?";
  private static final String SCOPE = "agency=%2A.97.H48&from=2024-07-01&to=2024-07-31";
  private static final String P1 = "000.01.97.H48";
  private static final String P2 = "000.02.97.H48";
  private static final String P3 = "000.03.97.H48";
  private static final String P4 = "000.04.97.H48";
  private static final String P5 = "000.05.97.H48";
  private static final String P6 = "000.06.97.H48";
  private static final String P7 = "000.07.97.H48";
  private static Pool pool;

  @BeforeAll
  static void start() {
    // the province gauges off: the statistics pool lends its connection to requests only (counted below)
    gw = new GatewayFixture(Map.of("stats.province-refresh-ms", "0", "stats.cache-ms", "60000"));
    pool = PostgresClients.pool(gw.vertx, gw.config.postgres(), "test");
    processed(P1, "2024-07-10", "2024-07-12", 2);   // 2/2
    processed(P2, "2024-07-10", "2024-07-12", 1);   // 1/1: P1's share, fewer dossiers
    processed(P3, "2024-07-10", "2024-07-12", 2);   // 2/3
    processed(P3, "2024-07-20", "2024-07-12", 1);
    processed(P4, "2024-07-10", "2024-07-12", 1);   // 1/2
    processed(P4, "2024-07-20", "2024-07-12", 1);
    processed(P5, "2024-07-10", "2024-07-12", 2);   // 2/4: P4's share, more dossiers
    processed(P5, "2024-07-20", "2024-07-12", 2);
    processed(P6, "2024-07-20", "2024-07-12", 1);   // 0/1
    dossier(P7, 4, "2024-07-20", "2024-08-30");             // nothing processed: no rank
  }

  @AfterAll
  static void closePool() {
    pool.close().await();
  }

  /**
   * Pages of 4 through 7 entries: the tie P5/P4 (rank 4) straddles the pages and P4 keeps rank 4 on the second; the
   * last page has no {@code next}. The pages together are the whole ranking, all read from one count.
   */
  @Test
  void shouldPageThroughTheWholeRankingWithEachEntryKeepingItsRank() {
    JsonObject whole = ok(gw.get(RANKING + SCOPE));
    assertThat(keys(whole)).containsExactly(P1, P2, P3, P5, P4, P6, P7);
    assertThat(ranks(whole)).containsExactly(1, 1, 3, 4, 4, 6, null);
    assertThat(whole.getInteger("offset")).isZero();
    assertThat(whole.containsKey("next")).as("one page holds it all").isFalse();
    double lentBefore = RankedDossiers.statisticsPoolLent(gw);

    HttpResponse<Buffer> first = gw.get(RANKING + SCOPE + "&limit=4");
    JsonObject page = ok(first);
    assertThat(first.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(first.getHeader("Cache-Control")).matches("private, max-age=60");
    assertThat(first.getHeader("Age")).matches("\\d+");
    assertThat(page.getInteger("total")).isEqualTo(7);
    assertThat(page.getInteger("offset")).isZero();
    assertThat(keys(page)).containsExactly(P1, P2, P3, P5);
    assertThat(ranks(page)).containsExactly(1, 1, 3, 4);
    assertThat(page.getString("next")).isEqualTo("/v1/stats/timeliness/ranking?agency=*.97.H48&from=2024-07-01"
        + "&to=2024-07-31&by=agency&order=best&limit=4&offset=4");

    JsonObject second = ok(gw.get(page.getString("next")));
    assertThat(second.getInteger("offset")).isEqualTo(4);
    assertThat(second.getInteger("total")).isEqualTo(7);
    assertThat(keys(second)).containsExactly(P4, P6, P7);
    assertThat(ranks(second)).as("ranks in the whole ranking, the tie across pages kept").containsExactly(4, 6, null);
    assertThat(second.containsKey("next")).as("the last page").isFalse();

    List<Object> joined = new ArrayList<>(page.getJsonArray("items").getList());
    joined.addAll(second.getJsonArray("items").getList());
    assertThat(new JsonArray(joined)).isEqualTo(whole.getJsonArray("items"));
    assertThat(RankedDossiers.statisticsPoolLent(gw) - lentBefore).as("every page from the cached count").isZero();
  }

  /** Past the end is an empty page, not an error: a ranking that shrank between two counts ends its reader there. */
  @Test
  void shouldAnswerAnEmptyPagePastTheEnd() {
    for (String offset : List.of("7", "8", "999999999")) {
      JsonObject page = ok(gw.get(RANKING + SCOPE + "&offset=" + offset));
      assertThat(page.getInteger("total")).isEqualTo(7);
      assertThat(page.getInteger("offset")).isEqualTo(Integer.parseInt(offset));
      assertThat(page.getJsonArray("items")).isEmpty();
      assertThat(page.containsKey("next")).isFalse();
    }
    JsonObject last = ok(gw.get(RANKING + SCOPE + "&offset=6&limit=1"));
    assertThat(keys(last)).containsExactly(P7);
    assertThat(last.containsKey("next")).isFalse();
  }

  /**
   * The worst first: the ranked entries from the lowest share up, each with its rank (counting down), equal shares in
   * the default order's tie order (most processed first); entries without a share still last, as they are not worst.
   */
  @Test
  void shouldListTheWorstFirstKeepingRanksAndTheUnrankedLast() {
    JsonObject worst = ok(gw.get(RANKING + SCOPE + "&order=worst"));
    assertThat(worst.getString("order")).isEqualTo("worst");
    assertThat(keys(worst)).containsExactly(P6, P5, P4, P3, P1, P2, P7);
    assertThat(ranks(worst)).containsExactly(6, 4, 4, 3, 1, 1, null);

    JsonObject page = ok(gw.get(RANKING + SCOPE + "&order=worst&limit=2&offset=2"));
    assertThat(keys(page)).containsExactly(P4, P3);
    assertThat(page.getString("next")).endsWith("&order=worst&limit=2&offset=4");
    assertThat(keys(ok(gw.get(page.getString("next"))))).containsExactly(P1, P2);

    assertThat(ok(gw.get(RANKING + SCOPE + "&order=best")).getJsonArray("items"))
        .isEqualTo(ok(gw.get(RANKING + SCOPE)).getJsonArray("items"));
  }

  @Test
  void shouldRefuseABadOffsetOrOrderWith400NamingIt() {
    for (String bad : List.of("offset=-1", "offset=ten", "offset=", "offset=%2B5", "offset=%D9%A5", "offset=01",
        "offset=1000000000", "offset=1&offset=2", "offset=1.5")) {
      JsonObject problem = assertProblem(gw.getRaw(RANKING + SCOPE + "&" + bad), 400, "malformed-request");
      assertThat(problem.getString("detail")).as(bad).contains("offset");
    }
    for (String bad : List.of("order=asc", "order=desc", "order=", "order=WORST", "order=worst&order=best")) {
      JsonObject problem = assertProblem(gw.getRaw(RANKING + SCOPE + "&" + bad), 400, "malformed-request");
      assertThat(problem.getString("detail")).as(bad).contains("order");
    }
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static List<String> keys(JsonObject page) {
    return page.getJsonArray("items").stream().map(item -> ((JsonObject) item).getString("key")).toList();
  }

  private static List<Integer> ranks(JsonObject page) {
    return page.getJsonArray("items").stream().map(item -> ((JsonObject) item).getInteger("rank")).toList();
  }

  /** {@code count} dossiers of {@code agency} processed (9) on {@code processedOn}. */
  private static void processed(String agency, String processedOn, String dueDate, int count) {
    for (int i = 0; i < count; i++) {
      dossier(agency, 9, processedOn, dueDate);
    }
  }

  /** A dossier of {@code agency} at {@code status}, as its last event (at noon on its day) left it. */
  private static void dossier(String agency, int status, String day, String dueDate) {
    RankedDossiers.dossier(gw, pool, agency, status, day, dueDate);
  }
}
