package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.testing.ContractCheck;

/**
 * Values only a client chose (a year beyond four digits, a cursor one past the largest xid8) are that client's 400
 * with a detail saying what is wrong, and never reach the store: sent again and again, they make no
 * {@code postgres_read} call at all (its calls meter counts the failures the breaker ignores too), so every other
 * client's status look-ups, feeds and statistics keep answering. What the breaker does with a value PostgreSQL itself
 * refuses (SQLSTATE class 22: not counted, answered 400) is {@code UpstreamBreakersTest}'s, against real PostgreSQL:
 * the handlers validate first, so no request over HTTP takes such a value that far.
 */
class BadReadValuesTest extends OneGatewayPerClass {
  private static final int MINIMUM_CALLS = 5;
  private static final String HANOI_AGENCY = "000.00.00.H26";
  /** base64url of {@code a:18446744073709551616:0}: an agency-feed cursor one past the largest xid8 (2^64 - 1). */
  private static final String AGENCY_CURSOR_PAST_XID8 = "YToxODQ0Njc0NDA3MzcwOTU1MTYxNjow";
  private static final String CODE_DETAIL = "code must be at most 64 characters long: give the dossier's code "
      + "exactly as on the receipt";
  private static final String CURSOR_DETAIL = "after must be a cursor this feed returned as \"next\" (or absent to start)";
  private static WebClient hanoi;

  @BeforeAll
  static void start() {
    // the breaker judges after a handful of calls in a long window: every bad request below would count in it
    gw = new GatewayFixture(Map.of("breaker.minimum-calls", Integer.toString(MINIMUM_CALLS),
        "breaker.window-seconds", "120"));
    // answers checked against the contract; the requests break it on purpose
    hanoi = ContractCheck.get().answersOnly(WebClientSession.create(WebClient.create(gw.vertx,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port), new PoolOptions()))
        .addHeader("X-Api-Key", "dev-agency-hanoi-key"));
  }

  @AfterAll
  static void closeClient() {
    hanoi.close();
  }

  @Test
  void shouldRefuseAPeriodBeyondFourDigitYearsWith400SayingWhichDate() {
    HttpResponse<Buffer> far = gw.getRaw("/v1/stats/timeliness?from=%2B999999999-01-01&to=%2B999999999-12-31");

    JsonObject problem = assertProblem(far, 400, "malformed-request");
    assertThat(problem.getString("detail"))
        .isEqualTo("from (+999999999-01-01) must be a date from 0001-01-01 to 9999-12-31, as YYYY-MM-DD");
    assertThat(far.getHeader("Retry-After")).isNull();

    assertThat(badRequestDetail("/v1/stats/timeliness?from=2026-01-01&to=%2B10000-01-01"))
        .isEqualTo("to (+10000-01-01) must be a date from 0001-01-01 to 9999-12-31, as YYYY-MM-DD");
    assertThat(badRequestDetail("/v1/stats/timeliness?from=-0001-12-31&to=0001-01-01"))
        .isEqualTo("from (-0001-12-31) must be a date from 0001-01-01 to 9999-12-31, as YYYY-MM-DD");
  }

  /**
   * A period's day of the right shape that names no day is told so (an agency tryout: from=2026-02-29 was told
   * "from must be a date as YYYY-MM-DD", which it is), in the words a formData date gets; another shape keeps its words.
   */
  @Test
  void shouldSayWhichDayOfAPeriodDoesNotExist() {
    assertThat(badRequestDetail("/v1/stats/timeliness?from=2026-02-29&to=2026-03-31"))
        .isEqualTo("from must be a real calendar date: 2026-02 has days 01 to 28");
    assertThat(badRequestDetail("/v1/stats/timeliness/ranking?from=2026-04-01&to=2026-04-31"))
        .isEqualTo("to must be a real calendar date: 2026-04 has days 01 to 30");
    assertThat(badRequestDetail("/v1/stats/timeliness?from=2026-13-01&to=2026-12-31"))
        .isEqualTo("from must be a real calendar date: months run from 01 to 12");
    assertThat(badRequestDetail("/v1/stats/timeliness?from=2026-2-1&to=2026-12-31"))
        .isEqualTo("from must be a date as YYYY-MM-DD");
  }

  /** The detail of the 400 malformed-request a read answers. */
  private static String badRequestDetail(String path) {
    return assertProblem(gw.getRaw(path), 400, "malformed-request").getString("detail");
  }

  @Test
  void shouldRefuseACursorPastTheLargestXid8With400OnBothFeeds() {
    HttpResponse<Buffer> agencyFeed = agencyFeed(AGENCY_CURSOR_PAST_XID8);
    assertThat(assertProblem(agencyFeed, 400, "malformed-request").getString("detail")).isEqualTo(CURSOR_DETAIL);
    assertThat(agencyFeed.getHeader("Retry-After")).isNull();

    HttpResponse<Buffer> changes = changes(cursor("c:18446744073709551616:0"));
    assertThat(assertProblem(changes, 400, "malformed-request").getString("detail")).isEqualTo(CURSOR_DETAIL);

    // the largest xid8 is no cursor either: no database hands out an id of 2^63 or more
    assertThat(assertProblem(changes(cursor("c:18446744073709551615:0")), 400, "malformed-request")
        .getString("detail")).isEqualTo(CURSOR_DETAIL);
    // one below is a cursor, past every id this database has issued (FeedCursorAheadTest)
    assertProblem(changes(cursor("c:9223372036854775807:0")), 409, "cursor-ahead-of-database");
  }

  /**
   * The contract gives the code of GET /v1/dossiers?code= a maxLength of 64: a longer one is a request the contract
   * calls invalid, so a 400 naming the parameter, as a bad limit or date is, not the 404 of a code never recorded
   * (which a kiosk shows as "no such dossier"). Over HEAD too; within 64 characters, a code never recorded stays a 404.
   */
  @Test
  void shouldRefuseACodeLongerThanTheContractAllowsWith400NamingIt() {
    String shaped = "000.00.53.H48-261123-" + "0".repeat(44);
    for (String code : List.of(shaped, "x".repeat(65), "000.00.53.H48-261123-0001" + "-".repeat(40))) {
      assertThat(code).hasSize(65);
      HttpResponse<Buffer> tooLong = gw.getRaw("/v1/dossiers?code=" + code);

      assertThat(assertProblem(tooLong, 400, "malformed-request").getString("detail")).as(code)
          .isEqualTo(CODE_DETAIL);
      assertThat(gw.rawClient.head("/v1/dossiers?code=" + code).send().await().statusCode()).isEqualTo(400);
      assertThat(assertProblem(hanoi.get("/v1/dossiers?code=" + code).send().await(), 400, "malformed-request")
          .getString("detail")).isEqualTo(CODE_DETAIL);
    }
    // 64 characters are within the contract: a code never recorded
    assertProblem(gw.get("/v1/dossiers?code=" + shaped.substring(1)), 404, "not-found");
    assertProblem(gw.get("/v1/dossiers?code=" + "x".repeat(64)), 404, "not-found");
  }

  @Test
  void shouldAnswerBadValuesWithoutCallingTheStoreAndKeepEveryonesReadsAnswering() {
    String dossierId = persistedDossier();
    long storeCalls = postgresReadCalls();
    int bad = 0;
    for (int i = 0; i < 4 * MINIMUM_CALLS; i++) {
      assertProblem(gw.getRaw("/v1/stats/timeliness?from=%2B999999999-01-01&to=%2B999999999-12-31"), 400,
          "malformed-request");
      assertProblem(agencyFeed(AGENCY_CURSOR_PAST_XID8), 400, "malformed-request");
      assertProblem(changes(cursor("c:18446744073709551616:0")), 400, "malformed-request");
      assertProblem(gw.getRaw("/v1/dossiers?code=" + "9".repeat(65)), 400, "malformed-request");
      bad += 4;
    }
    assertThat(postgresReadCalls()).as("postgres_read calls during %d bad requests", bad).isEqualTo(storeCalls);

    // a citizen's status look-up that must reach PostgreSQL (the row is not queued in Redis)
    HttpResponse<Buffer> status = gw.get("/v1/dossiers/" + dossierId);
    assertThat(status.statusCode()).as("after %d bad requests: %s", bad, status.bodyAsString()).isEqualTo(200);
    assertThat(status.bodyAsJsonObject().getBoolean("persisted")).isTrue();
    assertThat(gw.get("/v1/stats/timeliness?from=2026-01-01&to=2026-01-31").statusCode()).isEqualTo(200);
    assertThat(agencyFeed(null).statusCode()).isEqualTo(200);
    assertThat(changes(null).statusCode()).isEqualTo(200);
    assertThat(postgresReadCalls()).as("the good reads, counted by the same meter").isGreaterThan(storeCalls);
  }

  /** Every call the postgres_read breaker saw: successful, failed and ignored. */
  private static long postgresReadCalls() {
    return gw.registry.find("resilience4j.circuitbreaker.calls").tag("name", Upstream.POSTGRES_READ.tag()).timers()
        .stream().mapToLong(Timer::count).sum();
  }

  private static HttpResponse<Buffer> agencyFeed(String after) {
    return hanoi.get("/v1/agencies/" + HANOI_AGENCY + "/dossiers" + (after == null ? "" : "?after=" + after)).send()
        .await();
  }

  private static HttpResponse<Buffer> changes(String after) {
    return gw.getRaw("/v1/changes" + (after == null ? "" : "?after=" + after));
  }

  private static String cursor(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** A dossier of the fixture's client written straight to PostgreSQL, as intake leaves it: nothing in Redis. */
  private static String persistedDossier() {
    String id = UUID.randomUUID().toString();
    Pool pool = PostgresClients.pool(gw.vertx, gw.config.postgres(), "test");
    try {
      pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(DossierTable.NewDossier.of(id,
          "000.00.53.H48-261203-" + Math.abs(id.hashCode()), GatewayFixture.CLIENT_ID, Instant.now().toString(), null,
          GatewayFixture.birthRegistration().encode(), "1-0", null)))).await();
    } finally {
      pool.close().await();
    }
    return id;
  }
}
