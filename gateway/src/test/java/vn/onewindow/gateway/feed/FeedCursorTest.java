package vn.onewindow.gateway.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.dossier.DossierTable.NewDossier;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.GatewayFixture;

/**
 * The feed cursor guarantee on real PostgreSQL: a follower of {@code next} sees every committed row exactly once and
 * in order, even when transactions commit out of order. Rows are written with the intake's own INSERT
 * ({@link DossierTable}) on connections of the test's own, the feeds are read over HTTP from a real gateway.
 */
class FeedCursorTest {
  private static final Duration CATCH_UP = Duration.ofSeconds(20);
  private static GatewayFixture gw;
  private static WebClient agency;
  private static Pool pool;

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
    // every page is checked against the API contract, like the fixture's own client
    agency = ContractCheck.get().validating(WebClient.create(gw.vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port)));
    pool = PostgresClients.pool(gw.vertx, gw.config.postgres().withPoolSize(10), "feed-test");
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    gw.close();
  }

  /**
   * The classic trap: A is inserted first (smaller sequence) but commits after B. A cursor on the sequence would
   * hand out B, then resume after B and never see A. The feed withholds B while A's transaction is open.
   */
  @Test
  void shouldNeverSkipARowWhoseTransactionCommitsAfterALaterOne() {
    String agencyCode = "000.00.00.H92";
    SqlConnection a = pool.getConnection().await();
    try {
      Transaction open = a.begin().await();
      String rowA = insert(a, agencyCode);
      long seqA = a.query("SELECT feed_seq FROM dossier WHERE id = '" + rowA + "'").execute().await().iterator().next()
          .getLong(0);
      String rowB = insertCommitted(agencyCode);
      long seqB = TestServers.queryLong(url(), "SELECT feed_seq FROM dossier WHERE id = '" + rowB + "'");
      assertThat(seqA).as("A was inserted first").isLessThan(seqB);

      JsonObject first = page(agencyFeed(agencyCode), null);
      // what a cursor on the sequence would do: hand out B now, then "after B" never sees A
      assertThat(TestServers.queryLong(url(), "SELECT count(*) FROM dossier WHERE handling_agency = '" + agencyCode
          + "' AND feed_seq > " + seqB)).isZero();
      open.commit().await();
      JsonObject second = pageWith(agencyFeed(agencyCode), first.getString("next"), 2);
      JsonObject third = page(agencyFeed(agencyCode), second.getString("next"));

      assertThat(ids(first)).as("B waits while the older A is still open").isEmpty();
      assertThat(ids(second)).as("both, A first").containsExactly(rowA, rowB);
      assertThat(ids(third)).isEmpty();
      assertThat(third.getString("next")).isEqualTo(second.getString("next"));
      assertThat(TestServers.queryLong(url(), "SELECT count(*) FROM dossier WHERE handling_agency = '" + agencyCode
          + "'")).isEqualTo(2);
      System.out.printf("feed cursor: B (seq %d) withheld while A (seq %d) was open; after A's commit: A, B%n", seqB,
          seqA);
    } finally {
      a.close().await();
    }
  }

  /** The same guarantee on the frontends' change feed (status-history rows of the intake INSERT). */
  @Test
  void shouldNeverSkipAStatusChangeWhoseTransactionCommitsLate() {
    String start = caughtUp("/v1/changes", GatewayFixture.API_KEY);
    SqlConnection a = pool.getConnection().await();
    try {
      Transaction open = a.begin().await();
      String rowA = insert(a, "000.00.00.H96");
      String rowB = insertCommitted("000.00.00.H96");

      JsonObject first = page("/v1/changes", start, GatewayFixture.API_KEY);
      open.commit().await();
      JsonObject second = pageWith("/v1/changes", first.getString("next"), 2, GatewayFixture.API_KEY);

      assertThat(dossierIds(first)).isEmpty();
      assertThat(dossierIds(second)).containsExactly(rowA, rowB);
      assertThat(second.getJsonArray("items").getJsonObject(0).getJsonObject("status").getInteger("code"))
          .isEqualTo(1);
      assertThat(dossierIds(page("/v1/changes", second.getString("next"), GatewayFixture.API_KEY))).isEmpty();
    } finally {
      a.close().await();
    }
  }

  /** A rolled-back transaction holds the feed only while it is open, and its rows never appear. */
  @Test
  void shouldMovePastARolledBackTransaction() {
    String agencyCode = "000.00.00.H89";
    SqlConnection a = pool.getConnection().await();
    try {
      Transaction open = a.begin().await();
      insert(a, agencyCode);
      String rowB = insertCommitted(agencyCode);
      JsonObject first = page(agencyFeed(agencyCode), null);
      open.rollback().await();

      assertThat(ids(first)).isEmpty();
      assertThat(ids(pageWith(agencyFeed(agencyCode), first.getString("next"), 1))).containsExactly(rowB);
    } finally {
      a.close().await();
    }
  }

  /**
   * Many writers committing (and sometimes rolling back) in random order while a follower reads small pages: it
   * ends with exactly the committed rows, each once, in (xid, seq) order.
   */
  @Test
  void shouldDeliverEveryCommittedRowExactlyOnceUnderConcurrentWriters() {
    String agencyCode = "000.00.00.H46";
    List<String> committed = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Future<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      writers.add(writer(agencyCode, 25, committed));
    }
    Future.all(writers).onComplete(done -> writing.set(false));

    List<String> seen = new ArrayList<>();
    String next = null;
    int pages = 0;
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    // read while the writers write, then until every committed row arrived (a transaction elsewhere on the
    // cluster may hold the horizon a moment longer) or the deadline passed
    while (writing.get() || seen.size() < committed.size() && System.nanoTime() < deadline) {
      JsonObject page = page(agencyFeed(agencyCode) + "?limit=7", next);
      seen.addAll(ids(page));
      next = page.getString("next");
      pages++;
    }
    seen.addAll(ids(page(agencyFeed(agencyCode) + "?limit=7", next)));

    assertThat(Future.all(writers).succeeded()).isTrue();
    assertThat(seen).as("no duplicates").doesNotHaveDuplicates();
    assertThat(seen).as("every committed row, nothing rolled back").containsExactlyInAnyOrderElementsOf(committed);
    List<String> order = new ArrayList<>();
    pool.query("SELECT id::text FROM dossier WHERE handling_agency = '" + agencyCode + "' ORDER BY feed_xid, feed_seq")
        .execute().await().forEach(row -> order.add(row.getString(0)));
    assertThat(seen).as("in feed order").containsExactlyElementsOf(order);
    System.out.printf("feed cursor: %d rows committed by 8 writers (200 transactions, some rolled back), %d pages, "
        + "%d seen, 0 duplicated, 0 skipped%n", committed.size(), pages, seen.size());
  }

  /**
   * A cursor belongs to the feed that issued it: an agency system covering several agencies with one key that hands
   * one agency's stored cursor to another's feed would skip every row of that feed below the cursor, silently. Y's
   * row is older than X's end, so before cursors were bound this answered 200 with no items.
   */
  @Test
  void shouldRefuseACursorOfAnotherAgencysFeed() {
    String x = "000.00.00.H94";
    String y = "000.00.00.H93";
    String rowY = insertCommitted(y);
    String rowX = insertCommitted(x);
    String endOfX = pageWith(agencyFeed(x), null, 1).getString("next");

    HttpResponse<Buffer> mixedUp = get(agencyFeed(y), endOfX, "dev-agency-key");

    assertMalformedAfter(mixedUp);
    assertThat(ids(page(agencyFeed(x), null))).containsExactly(rowX);
    assertThat(ids(pageWith(agencyFeed(y), null, 1))).containsExactly(rowY);
  }

  /** The same on the change feed: a frontend's cursor is refused on another frontend's feed. */
  @Test
  void shouldRefuseAChangeFeedCursorOfAnotherClient() {
    insertCommitted("000.00.00.H83");
    String portalWeb = caughtUp("/v1/changes", GatewayFixture.API_KEY);

    assertMalformedAfter(get("/v1/changes", portalWeb, "dev-kiosk-key"));
    assertThat(get("/v1/changes", portalWeb, GatewayFixture.API_KEY).statusCode()).isEqualTo(200);
  }

  /**
   * Cursors issued before feeds were bound (base64url of {@code a:<xid>:<seq>}) are stored by every agency system:
   * they keep their position, unchecked, and the page read from one answers a bound cursor in its place.
   */
  @Test
  void shouldKeepAcceptingAnUnboundCursorAndReplaceItWithABoundOne() {
    String y = "000.00.00.H91";
    String first = insertCommitted(y);
    String second = insertCommitted(y);
    pageWith(agencyFeed(y), null, 2);
    String unboundAtFirst = unbound("a", "SELECT feed_xid::text || ':' || feed_seq FROM dossier WHERE id = '" + first
        + "'");
    String unboundAtSecond = unbound("a", "SELECT feed_xid::text || ':' || feed_seq FROM dossier WHERE id = '"
        + second + "'");

    JsonObject fromFirst = page(agencyFeed(y), unboundAtFirst);
    JsonObject fromSecond = page(agencyFeed(y), unboundAtSecond);
    String unboundOfChanges = unbound("c", "SELECT '0:0'");

    assertThat(ids(fromFirst)).as("the unbound cursor keeps its position").containsExactly(second);
    assertThat(ids(fromSecond)).isEmpty();
    assertThat(fromSecond.getString("next")).as("even an empty page binds the cursor").isNotEqualTo(unboundAtSecond);
    assertThat(ids(page(agencyFeed(y), fromSecond.getString("next")))).isEmpty();
    assertMalformedAfter(get(agencyFeed("000.00.00.H94"), fromSecond.getString("next"), "dev-agency-key"));
    assertMalformedAfter(get(agencyFeed("000.00.00.H94"), fromFirst.getString("next"), "dev-agency-key"));
    assertThat(get("/v1/changes", unboundOfChanges, GatewayFixture.API_KEY).statusCode()).isEqualTo(200);
  }

  /**
   * Each feed page is one range scan of its index: owner, then the cursor and the horizon as index conditions, rows
   * already in feed order (no sort). Sequential scans are switched off so that the tiny test tables cannot make the
   * planner prefer reading them whole.
   */
  @Test
  void shouldReadEachFeedPageAsOneIndexRangeScan() {
    for (String[] feed : new String[][] {
        {FeedQueries.AGENCY, "000.00.00.H92", "dossier_agency_feed_idx"},
        {FeedQueries.CHANGES, GatewayFixture.CLIENT_ID, "dossier_status_history_change_feed_idx"}}) {
      String plan = pool.withConnection(conn -> conn.query("SET enable_seqscan = off").execute()
              .compose(v -> conn.preparedQuery("EXPLAIN " + feed[0]).execute(io.vertx.sqlclient.Tuple.of(feed[1], "5",
                  3L, 100)))
              .compose(rows -> {
                StringBuilder text = new StringBuilder();
                rows.forEach(row -> text.append(row.getString(0)).append('\n'));
                return conn.query("RESET enable_seqscan").execute().map(v -> text.toString());
              }))
          .await();

      assertThat(plan).as(plan).contains("Index Scan using " + feed[2]).doesNotContain("Sort");
      assertThat(plan).as(plan).containsPattern("Index Cond: .*ROW\\(feed_xid, (feed_)?seq\\) > ROW.*"
          + "feed_xid < pg_snapshot_xmin\\(pg_current_snapshot\\(\\)\\)");
    }
  }

  /**
   * A page is bounded in bytes as well as in items. A submission may be up to http.body-limit-bytes (256 KiB), so a
   * page of limit=1000 could carry 256 MB: the gateway read it all into its heap (320 MB), answered 503 after the read
   * timeout, and a few such polls held the whole process in GC for minutes (QA: 400 dossiers of 240 KB, 12 polls of
   * limit=1000, OutOfMemoryError, liveness unanswered). A page stops once its submissions reach 4 MiB (the README's
   * figure; the first item always comes), and following next still delivers each dossier once, in order.
   */
  @Test
  void shouldBoundAPageOfLargeSubmissionsInBytesAndDeliverEachOnce() {
    String agencyCode = "000.00.00.H91";
    int budget = 4 * 1024 * 1024;
    String after = caughtUp(agencyFeed(agencyCode), "dev-agency-key");
    List<String> inserted = new ArrayList<>();
    for (int batch = 0; batch < 4; batch++) {
      List<NewDossier> rows = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        NewDossier row = row(agencyCode);
        JsonObject payload = new JsonObject(row.payload());
        for (int f = 0; f < 60; f++) {
          payload.getJsonObject("formData").put("remark" + f, "x".repeat(4000));
        }
        rows.add(NewDossier.of(row.dossierId(), row.code(), row.clientId(), row.receivedAt(), null, payload.encode(),
            row.streamEntryId(), null));
      }
      pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(rows)).await();
      rows.forEach(row -> inserted.add(row.dossierId()));
    }

    String path = agencyFeed(agencyCode) + "?limit=1000";
    pageWith(path, after, 1); // the horizon may be held by a transaction elsewhere on the shared server
    List<String> delivered = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    while (delivered.size() < inserted.size()) {
      HttpResponse<Buffer> response = get(path, after, "dev-agency-key");
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      JsonObject body = response.bodyAsJsonObject();
      long bytes = 0;
      long largest = 0;
      for (Object item : body.getJsonArray("items")) {
        long size = ((JsonObject) item).getJsonObject("submission").encode().length();
        bytes += size;
        largest = Math.max(largest, size);
        delivered.add(((JsonObject) item).getString("id"));
      }
      assertThat(bytes - largest).as("a page stops once its submissions reach the budget").isLessThan(budget);
      assertThat(response.body().length()).as("what one poll moves through the gateway").isLessThan(budget + 512 * 1024);
      assertThat(body.getJsonArray("items")).as("rows are delivered").isNotEmpty();
      pageSizes.add(body.getJsonArray("items").size());
      after = body.getString("next");
    }

    assertThat(delivered).as("each dossier once, in the feed's order").containsExactlyElementsOf(inserted);
    assertThat(ids(page(path, after))).isEmpty();
    assertThat(pageSizes).as("40 submissions of 240 KB take several pages of limit=1000").hasSizeGreaterThan(1);
    System.out.printf("feed page bytes: 40 submissions of 240 KB in pages of %s items%n", pageSizes);
  }

  /**
   * Sizing a page reads each stored submission once: 40 submissions of 240 KB under limit=1000 are read (detoasted)
   * once each to be sized, and those sent once more, not once per expression that names them. The first budgeted query
   * read every row up to the limit three times (its size twice, its text once) although only those within the budget
   * are sent: 3.4 times what is stored here, about 0.2 s of PostgreSQL's CPU for each poll of 400 x 240 KB.
   */
  @Test
  void shouldReadEachSubmissionOfAPageOnceToSizeIt() {
    String agencyCode = "000.00.00.H93";
    List<NewDossier> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      NewDossier row = row(agencyCode);
      JsonObject payload = new JsonObject(row.payload());
      for (int f = 0; f < 60; f++) {
        // hexadecimal digits of random numbers: stored as they are, so a read of one costs what it holds
        StringBuilder remark = new StringBuilder();
        while (remark.length() < 4000) {
          remark.append(Long.toHexString(ThreadLocalRandom.current().nextLong()));
        }
        payload.getJsonObject("formData").put("remark" + f, remark.substring(0, 4000));
      }
      rows.add(NewDossier.of(row.dossierId(), row.code(), row.clientId(), row.receivedAt(), null, payload.encode(),
          row.streamEntryId(), null));
    }
    pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(rows)).await();
    long stored = pool.preparedQuery("SELECT sum(pg_column_size(payload)) FROM dossier WHERE handling_agency = $1")
        .execute(io.vertx.sqlclient.Tuple.of(agencyCode)).await().iterator().next().getLong(0);

    JsonObject plan = new JsonArray(pool.preparedQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + FeedQueries.AGENCY)
        .execute(io.vertx.sqlclient.Tuple.of(agencyCode, "0", 0L, 1000)).await().iterator().next().getValue(0)
        .toString()).getJsonObject(0).getJsonObject("Plan");
    long blocks = plan.getLong("Shared Hit Blocks") + plan.getLong("Shared Read Blocks");

    // once to size every row, once more for those sent (under half of them here)
    assertThat(blocks * 8192).as("bytes read for %d bytes stored: %s", stored, plan.encode())
        .isLessThan(stored * 2);
  }

  private static Future<Void> writer(String agencyCode, int transactions, List<String> committed) {
    Future<Void> chain = Future.succeededFuture();
    for (int t = 0; t < transactions; t++) {
      chain = chain.compose(v -> {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        List<NewDossier> rows = new ArrayList<>();
        for (int i = 0, n = r.nextInt(1, 4); i < n; i++) {
          rows.add(row(agencyCode));
        }
        boolean rollback = r.nextInt(10) == 0;
        long hold = r.nextLong(0, 15);
        return pool.withTransaction(conn -> conn.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(rows))
                .compose(inserted -> gw.vertx.timer(hold + 1))
                .compose(held -> rollback ? Future.failedFuture("rolled back on purpose") : Future.succeededFuture()))
            .map(ok -> {
              rows.forEach(d -> committed.add(d.dossierId()));
              return (Void) null;
            })
            .otherwise((Void) null);
      });
    }
    return chain;
  }

  private static String insert(SqlConnection conn, String agencyCode) {
    NewDossier row = row(agencyCode);
    conn.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(row))).await();
    return row.dossierId();
  }

  private static String insertCommitted(String agencyCode) {
    NewDossier row = row(agencyCode);
    pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(row))).await();
    return row.dossierId();
  }

  private static NewDossier row(String agencyCode) {
    String id = UUID.randomUUID().toString();
    JsonObject payload = GatewayFixture.birthRegistration().put("handlingAgency", agencyCode);
    return NewDossier.of(id, agencyCode + "-" + id.substring(0, 13), GatewayFixture.CLIENT_ID,
        Instant.now().toString(), null, payload.encode(), "test-" + id, null);
  }

  /**
   * The next page holding at least {@code items} items: polls while the horizon is held by a transaction elsewhere on
   * the cluster (tests share one server), so a slow neighbour delays the test instead of failing it.
   */
  private static JsonObject pageWith(String path, String after, int items, String key) {
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    JsonObject page = page(path, after, key);
    while (page.getJsonArray("items").size() < items && System.nanoTime() < deadline) {
      gw.vertx.timer(20).await();
      page = page(path, after, key);
    }
    return page;
  }

  private static JsonObject pageWith(String path, String after, int items) {
    return pageWith(path, after, items, "dev-agency-key");
  }

  /** The cursor at the end of a feed. */
  private static String caughtUp(String path, String key) {
    JsonObject page = page(path, null, key);
    while (!page.getJsonArray("items").isEmpty()) {
      page = page(path, page.getString("next"), key);
    }
    return page.getString("next");
  }

  private static String agencyFeed(String agencyCode) {
    return "/v1/agencies/" + agencyCode + "/dossiers";
  }

  private static JsonObject page(String path, String after) {
    return page(path, after, "dev-agency-key");
  }

  private static JsonObject page(String path, String after, String key) {
    HttpResponse<Buffer> response = get(path, after, key);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> get(String path, String after, String key) {
    String url = after == null ? path : path + (path.contains("?") ? "&" : "?") + "after=" + after;
    return agency.get(url).putHeader("X-Api-Key", key).send().await();
  }

  private static void assertMalformedAfter(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("type")).endsWith("malformed-request");
    assertThat(response.bodyAsJsonObject().getString("detail")).startsWith("after must be a cursor this feed returned");
  }

  /** A cursor in the format issued before feeds were bound: base64url of {@code <feed letter>:<xid>:<seq>}. */
  private static String unbound(String feedLetter, String positionQuery) {
    String position = pool.query(positionQuery).execute().await().iterator().next().getString(0);
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((feedLetter + ":" + position).getBytes(StandardCharsets.US_ASCII));
  }

  private static List<String> ids(JsonObject page) {
    return values(page.getJsonArray("items"), "id");
  }

  private static List<String> dossierIds(JsonObject page) {
    return values(page.getJsonArray("items"), "dossierId");
  }

  private static List<String> values(JsonArray items, String field) {
    return items.stream().map(i -> ((JsonObject) i).getString(field)).toList();
  }

  private static String url() {
    return gw.config.postgres().url();
  }
}
