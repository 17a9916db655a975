package vn.onewindow.gateway.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.dossier.DossierTable.NewDossier;
import vn.onewindow.common.infra.EmbeddedServers;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.GatewayFixture;

/**
 * A PostgreSQL that went back in time (README "The limit: a PostgreSQL that goes back in time"): a point-in-time
 * restore, or a failover to an asynchronous replica that had not received the last transactions, hands out
 * transaction ids again, so a reader whose cursor was issued past them would silently skip every row written after the
 * switch below its cursor. Simulated with a PostgreSQL cluster of the test's own, freshly made, whose transaction ids
 * lie far below those of the test run's server: cursors are issued by a gateway over the test run's database (before
 * the restore) and presented to a gateway over the fresh cluster (after it). The hub must say so (409
 * {@code cursor-ahead-of-database}) instead of answering an empty page with the same cursor, which a reader cannot
 * tell from "nothing new".
 */
class FeedCursorAheadTest {
  private static final String AGENCY = "000.00.00.H92";
  private static final String AGENCY_KEY = "dev-agency-key";
  private static final String FEED = "/v1/agencies/" + AGENCY + "/dossiers";
  private static final Duration CATCH_UP = Duration.ofSeconds(20);

  private static final EmbeddedServers RESTORED_SERVER = new EmbeddedServers();
  private static String restoredUrl;
  /** Over the test run's database: where readers got their cursors. */
  private static GatewayFixture before;
  /** Over the fresh cluster: the database after the restore or failover. */
  private static GatewayFixture after;
  private static String agencyCursor;
  private static String changesCursor;

  @BeforeAll
  static void start() throws Exception {
    Path data = Files.createTempDirectory("feed-cursor-ahead");
    restoredUrl = RESTORED_SERVER.startPostgres(data, TestServers.freePort(), false);
    after = new GatewayFixture(Map.of("postgres.url", restoredUrl));
    before = new GatewayFixture(Map.of());
    NewDossier row = row();
    Pool pool = PostgresClients.pool(before.vertx, before.config.postgres().withPoolSize(1), "feed-ahead-test");
    try {
      // the cursors must lie past every id the fresh cluster handed out: the test run's server is far ahead already,
      // unless it is as fresh itself; each statement outside a transaction takes an id of its own
      long restoredNext = TestServers.queryLong(restoredUrl,
          "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint");
      String takeOne = "SELECT pg_current_xact_id()::text::bigint";
      while (pool.query(takeOne).execute().await().iterator().next().getLong(0) < restoredNext + 100) {
        // taken
      }
      pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(row))).await();
    } finally {
      pool.close().await();
    }
    agencyCursor = caughtUp(before, FEED, AGENCY_KEY, row.dossierId(), "id");
    changesCursor = caughtUp(before, "/v1/changes", GatewayFixture.API_KEY, row.dossierId(), "dossierId");
  }

  @AfterAll
  static void stop() {
    before.close();
    after.close();
    RESTORED_SERVER.close();
  }

  /** Both feeds: a cursor past every transaction the database has issued is a 409 telling the reader what to do. */
  @Test
  void shouldRefuseACursorAheadOfTheDatabase() {
    assertAhead(get(after, FEED, agencyCursor, AGENCY_KEY), FEED);
    assertAhead(get(after, "/v1/changes", changesCursor, GatewayFixture.API_KEY), "/v1/changes");
    assertAhead(get(after, FEED, agencyCursor, AGENCY_KEY), FEED);

    assertThat(after.registry.get(MeterNames.FEED_CURSORS_AHEAD).tag(MeterNames.TAG_FEED, "agency").counter().count())
        .isEqualTo(2);
    assertThat(after.registry.get(MeterNames.FEED_CURSORS_AHEAD).tag(MeterNames.TAG_FEED, "changes").counter()
        .count()).isEqualTo(1);
  }

  /** A cursor at the head of its feed, on the database that issued it, still gets an empty 200 and itself again. */
  @Test
  void shouldStillAnswerAnEmptyPageAtTheHead() {
    for (String[] feed : new String[][] {{FEED, agencyCursor, AGENCY_KEY},
        {"/v1/changes", changesCursor, GatewayFixture.API_KEY}}) {
      HttpResponse<Buffer> again = get(before, feed[0], feed[1], feed[2]);

      assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(200);
      assertThat(again.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(again.bodyAsJsonObject().getJsonArray("items")).isEmpty();
      assertThat(again.bodyAsJsonObject().getString("next")).isEqualTo(feed[1]);
    }
  }

  /**
   * A cursor just past the database's next transaction id is refused on the database that issued the feed too, while
   * one of an id no PostgreSQL hands out (2^63 and above: 292,000 years at a million transactions a second) is a
   * forgery, a 400 like any cursor this feed did not return.
   */
  @Test
  void shouldTellACursorJustAheadFromAForgedOne() {
    long next = TestServers.queryLong(before.config.postgres().url(),
        "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint");

    assertAhead(get(before, FEED, withXid(agencyCursor, next + 1000), AGENCY_KEY), FEED);
    HttpResponse<Buffer> forged = get(before, FEED, withXid(agencyCursor, Long.MIN_VALUE), AGENCY_KEY);
    assertThat(forged.statusCode()).as(forged.bodyAsString()).isEqualTo(400);
    assertThat(forged.bodyAsJsonObject().getString("type")).endsWith("/problems/malformed-request");
  }

  /**
   * A read replica behind the primary is no database gone back in time: a cursor issued from the primary (or from a
   * replica further on) that lies ahead of the replica's ids is answered with an empty page, as before, once the
   * primary confirms the cursor is behind its own. Here the reads go to the fresh cluster, the writes to the test
   * run's server.
   */
  @Test
  void shouldAnswerAnEmptyPageWhenOnlyTheReadReplicaIsBehind() {
    try (GatewayFixture lagging = new GatewayFixture(Map.of("postgres.url", before.config.postgres().url(),
        "postgres.read-url", restoredUrl))) {
      HttpResponse<Buffer> page = get(lagging, FEED, agencyCursor, AGENCY_KEY);

      assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
      assertThat(page.bodyAsJsonObject().getJsonArray("items")).isEmpty();
      assertThat(page.bodyAsJsonObject().getString("next")).isEqualTo(agencyCursor);
    }
  }

  private static void assertAhead(HttpResponse<Buffer> response, String path) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(409);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("type")).isEqualTo("https://hub.onewindow.gov.vn/problems/cursor-ahead-of-database");
    assertThat(problem.getInteger("status")).isEqualTo(409);
    assertThat(problem.getString("title")).isEqualTo("Cursor ahead of the database");
    assertThat(problem.getString("instance")).isEqualTo(path);
    assertThat(problem.getString("detail"))
        .startsWith("after lies past every transaction the database has issued")
        .contains("re-read from a cursor saved before the restore or failover");
  }

  /** The feed's cursor once the item {@code id} (when given) has arrived and the feed is read to its end. */
  private static String caughtUp(GatewayFixture gw, String path, String key, String id, String idField) {
    String[] cursor = {null};
    Await.until(CATCH_UP, "the feed " + path + " read to its end", () -> {
      JsonObject page = page(gw, path, cursor[0], key);
      boolean arrived = id == null || page.getJsonArray("items").stream()
          .anyMatch(item -> id.equals(((JsonObject) item).getString(idField)));
      cursor[0] = page.getString("next");
      while (!page.getJsonArray("items").isEmpty()) {
        page = page(gw, path, cursor[0], key);
        arrived |= id == null || page.getJsonArray("items").stream()
            .anyMatch(item -> id.equals(((JsonObject) item).getString(idField)));
        cursor[0] = page.getString("next");
      }
      return arrived;
    });
    return cursor[0];
  }

  private static JsonObject page(GatewayFixture gw, String path, String after, String key) {
    HttpResponse<Buffer> response = get(gw, path, after, key);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> get(GatewayFixture gw, String path, String after, String key) {
    WebClient client = ContractCheck.get().validating(WebClient.create(gw.vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port)));
    try {
      String url = after == null ? path : path + "?after=" + after;
      return client.get(url).putHeader("X-Api-Key", key).send().await();
    } finally {
      client.close();
    }
  }

  /** {@code cursor} (the bound format) with another transaction id: what a database gone back in time meets. */
  private static String withXid(String cursor, long xid) {
    byte[] bytes = Base64.getUrlDecoder().decode(cursor);
    ByteBuffer.wrap(bytes).putLong(1, xid);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static NewDossier row() {
    String id = UUID.randomUUID().toString();
    JsonObject payload = GatewayFixture.birthRegistration().put("handlingAgency", AGENCY);
    return NewDossier.of(id, AGENCY + "-" + id.substring(0, 13), GatewayFixture.CLIENT_ID, Instant.now().toString(),
        null, payload.encode(), "test-" + id, null);
  }
}
