package vn.onewindow.gateway.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.testing.TestServers;

/**
 * {@link HighestIssued} on real PostgreSQL: the highest number a unit's daily counter issued, from the codes the
 * dossiers and dead letters hold, and how much of the code index it reads to find it. A seeding runs while Redis has
 * lost its data, within half the enqueue's timeout and under a SHARE lock that holds the intake's inserts back:
 * reading every code of the partition's two days (a range scan per prefix, as before) took 5 to 8 s over 1.2 million
 * dossiers, so on a busy day every seeding timed out and every submission of the partition was a 503.
 */
class HighestIssuedTest {
  private static final String DAY = "261206";

  private String url;

  @BeforeEach
  void setUp() {
    url = TestServers.get().newDatabase();
    Migrations.apply(PostgresConfig.of(url));
  }

  @Test
  void shouldFindTheHighestNumberOfEachPrefixWhateverElseTheDayHolds() {
    // a day within the 4-digit band, with the direct path's numbers (9xxx) above it
    codes("000.00.01.H48", 1, 120);
    code("000.00.01.H48", "9000");
    code("000.00.01.H48", "9001");
    // a full 4-digit band and the counter's next numbers (10000...), the last of the 4-digit band lost with Redis
    codes("000.00.02.H48", 1, 8998);
    codes("000.00.02.H48", 10000, 10042);
    // a code written by hand far above the counter, and codes no counter issues: zeros, a leading zero past four
    // digits, letters, too few digits
    codes("000.00.03.H48", 1, 7);
    code("000.00.03.H48", "7000");
    code("000.00.03.H48", "0000");
    code("000.00.03.H48", "08000");
    code("000.00.03.H48", "8000x");
    code("000.00.03.H48", "123");
    // a unit whose only numbers are the direct path's, and one whose highest number is a dead letter's
    code("000.00.04.H48", "9000");
    codes("000.00.05.H48", 1, 3);
    TestServers.execute(url, "INSERT INTO dead_letter (stream, stream_entry_id, payload, error, deliveries, code)"
        + " VALUES ('s', '1-0', '{}', 'rejected', 1, '000.00.05.H48-" + DAY + "-0004')");
    // a unit that sorts inside another's range in a collation that skips punctuation: not that unit's code
    code("000.00.0.1H48", "8999");

    Map<String, Long> highest = highestIssued(List.of(prefix("000.00.01.H48"), prefix("000.00.02.H48"),
        prefix("000.00.03.H48"), prefix("000.00.04.H48"), prefix("000.00.05.H48"), prefix("000.00.06.H48")));

    assertThat(highest).containsExactlyInAnyOrderEntriesOf(Map.of(
        prefix("000.00.01.H48"), 120L,
        prefix("000.00.02.H48"), 10042L,
        prefix("000.00.03.H48"), 7000L,
        prefix("000.00.05.H48"), 4L));
  }

  @Test
  void shouldReadAWiderBandWhoseFirstNumbersNoDossierHolds() {
    // an incident dead-lettered the last number of the 4-digit band and the first of the next; the day went on
    codes("000.00.01.H48", 1, 8998);
    deadLetter("000.00.01.H48", "8999");
    deadLetter("000.00.01.H48", "10000");
    codes("000.00.01.H48", 10001, 10042);
    // numbers that left no trace across the boundary (entries lost, or dead letters that carried no code)
    codes("000.00.02.H48", 1, 8990);
    codes("000.00.02.H48", 10011, 10042);
    // a burst of dead letters inside a busy band: the dossiers above it count
    codes("000.00.03.H48", 1, 8999);
    codes("000.00.03.H48", 10000, 14999);
    TestServers.execute(url, "INSERT INTO dead_letter (stream, stream_entry_id, payload, error, deliveries, code)"
        + " SELECT 'burst', g || '-0', '{}', 'rejected', 1, '" + prefix("000.00.03.H48") + "' || g"
        + " FROM generate_series(15000, 15999) g");
    codes("000.00.03.H48", 16000, 30000);

    Map<String, Long> highest = highestIssued(List.of(prefix("000.00.01.H48"), prefix("000.00.02.H48"),
        prefix("000.00.03.H48")));

    assertThat(highest).containsExactlyInAnyOrderEntriesOf(Map.of(
        prefix("000.00.01.H48"), 10042L, prefix("000.00.02.H48"), 10042L, prefix("000.00.03.H48"), 30000L));
  }

  @Test
  void shouldReadAWiderBandWhenTheBandsEndIsDeadLettered() {
    // PostgreSQL rejected every entry of the band's last 1,499 numbers (dead letters), and the next band's first
    // number left no trace (a dead letter of an earlier release, which kept no code): the day went on past 10000
    codes("000.00.01.H48", 1, 7500);
    TestServers.execute(url, "INSERT INTO dead_letter (stream, stream_entry_id, payload, error, deliveries, code)"
        + " SELECT 'burst', g || '-0', '{}', 'rejected', 1, '" + prefix("000.00.01.H48") + "' || g"
        + " FROM generate_series(7501, 8999) g");
    codes("000.00.01.H48", 10001, 10042);

    Map<String, Long> highest = highestIssued(List.of(prefix("000.00.01.H48")));

    // 8999 would have the counter issue 10000 then 10001, a dossier's code
    assertThat(highest).containsExactlyEntriesOf(Map.of(prefix("000.00.01.H48"), 10042L));
  }

  /**
   * Each statement of the read runs at most the time left to the seeding's deadline: a statement timeout of the whole
   * bound, set once, let a band started just before the deadline hold the SHARE lock that long past it.
   */
  @Test
  void shouldBoundEveryStatementByTheTimeLeftToTheDeadline() {
    codes("000.00.01.H48", 1, 3);

    long timeoutMs = withTransaction(conn -> HighestIssued.read(conn, List.of(prefix("000.00.01.H48")),
            System.nanoTime() + Duration.ofSeconds(30).toNanos())
        .compose(highest -> conn.query("SELECT setting::bigint FROM pg_settings WHERE name = 'statement_timeout'")
            .execute())
        .map(rows -> rows.iterator().next().getLong(0))).await();

    assertThat(timeoutMs).as("the statement timeout the read left set").isPositive().isLessThanOrEqualTo(30_000);
  }

  @Test
  void shouldReadNoFurtherBandOnceTheSeedingsTimeIsSpent() {
    // the caller gave up (its 503 is out) but the transaction went on, a statement a band, each bounded alone by the
    // statement timeout, its SHARE lock holding the intake's inserts back all along
    codes("000.00.01.H48", 1, 8999);
    codes("000.00.01.H48", 10000, 10042);

    Future<Map<String, Long>> read = withTransaction(conn -> HighestIssued.read(conn,
        List.of(prefix("000.00.01.H48")), System.nanoTime()));

    assertThat(read.failed()).as("the read once its deadline passed").isTrue();
    assertThat(read.cause()).isInstanceOf(TimeoutException.class);
  }

  @Test
  void shouldNeverAnswerANumberNoCounterIssues() {
    // dead letters carrying codes no counter issues: a leading zero past four digits, the direct path's behind it
    codes("000.00.01.H48", 1, 7);
    deadLetter("000.00.01.H48", "09000");
    deadLetter("000.00.01.H48", "08000");

    Map<String, Long> highest = highestIssued(List.of(prefix("000.00.01.H48")));

    // the seeding turns each into the counter's value: a number of the direct path failed every seeding
    assertThat(highest).containsExactlyEntriesOf(Map.of(prefix("000.00.01.H48"), 7L));
    highest.values().forEach(DossierCode::queueIndex);
  }

  @Test
  void shouldReadAFewIndexPagesABusyDayPastItsFourDigitNumbers() {
    List<String> prefixes = new ArrayList<>();
    for (int unit = 10; unit < 14; unit++) {
      prefixes.add(prefix("000.00." + unit + ".H48"));
    }
    // 20,000 dossiers each, arriving interleaved as a day's do: the 5-digit numbers sort among the 4-digit ones
    TestServers.execute(url, insert("u.unit || '-" + DAY + "-' || lpad(g::text, greatest(length(g::text), 4), '0')", "000.00.10.H48",
        "(SELECT '000.00.' || i || '.H48' AS unit FROM generate_series(10, 13) i) u,"
        + " (SELECT g FROM generate_series(1, 8999) g UNION ALL SELECT g FROM generate_series(10000, 21000) g) n"
        + " ORDER BY random()"));
    TestServers.execute(url, "ANALYZE dossier");

    assertThat(highestIssued(prefixes).values()).hasSize(4).containsOnly(21000L);
    // the 4-digit band's top at once; the 5-digit band's walk passes the 4-digit codes sorting above 21000 (2101 to
    // 8999), not the day's 20,000 codes, which are as many heap visits (no visibility map under the day's inserts)
    long fourDigits = sharedBlocks(explainBand(prefixes, 4).getJsonObject("Plan"));
    long fiveDigits = sharedBlocks(explainBand(prefixes, 5).getJsonObject("Plan"));
    assertThat(fourDigits).as("buffers read for the 4-digit band of 4 busy prefixes").isLessThan(4 * 12);
    assertThat(fiveDigits).as("buffers read for the 5-digit band of 4 busy prefixes").isLessThan(4 * 8_000);
  }

  @Test
  void shouldReadAFewIndexPagesAPrefixNotEveryCodeOfTheDay() {
    List<String> prefixes = new ArrayList<>();
    for (int unit = 10; unit < 70; unit++) {
      String code = "000.00." + unit + ".H48";
      prefixes.add(prefix(code));
      // 2,500 dossiers each: 150,000 codes in all
      codes(code, 1, 2500);
    }
    // no VACUUM: under the day's inserts the visibility map is not set, and every index entry read is a heap visit
    TestServers.execute(url, "ANALYZE dossier");

    assertThat(highestIssued(prefixes).values()).hasSize(60).containsOnly(2500L);
    // what the scans of the dossiers read, summed over the plan: a few descents of the code index per prefix; no day
    // came near the band's top, so no wider band is read
    long blocks = sharedBlocks(explainBand(prefixes, 4).getJsonObject("Plan"));
    assertThat(blocks).as("buffers read for 60 prefixes over 150,000 codes").isLessThan(60 * 12);
  }

  private static String prefix(String unit) {
    return unit + "-" + DAY + "-";
  }

  private void code(String unit, String number) {
    TestServers.execute(url, insert("'" + prefix(unit) + number + "'", unit, "(VALUES (1)) one"));
  }

  private void codes(String unit, int from, int to) {
    TestServers.execute(url, insert("'" + prefix(unit) + "' || lpad(g::text, greatest(length(g::text), 4), '0')", unit,
        "generate_series(" + from + ", " + to + ") g"));
  }

  private int deadLetters;

  private void deadLetter(String unit, String number) {
    TestServers.execute(url, "INSERT INTO dead_letter (stream, stream_entry_id, payload, error, deliveries, code)"
        + " VALUES ('s', '" + ++deadLetters + "-0', '{}', 'rejected', 1, '" + prefix(unit) + number + "')");
  }

  private static String insert(String code, String unit, String from) {
    return "INSERT INTO dossier (id, code, client_id, procedure_code, receiving_unit, handling_agency, channel,"
        + " applicant_type, payload, received_at, stream_entry_id) SELECT gen_random_uuid(), " + code + ", 'test',"
        + " 'p', '" + unit + "', '" + unit + "', 'online', 'citizen', '{}', now(), 'test' FROM " + from;
  }

  private Map<String, Long> highestIssued(List<String> prefixes) {
    return new TreeMap<>(withTransaction(conn -> HighestIssued.read(conn, prefixes, System.nanoTime()
        + Duration.ofSeconds(30).toNanos())).await());
  }

  /** {@code work}'s outcome once its transaction ended (completed, off any Vert.x instance). */
  private <T> Future<T> withTransaction(Function<SqlConnection, Future<T>> work) {
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = PostgresClients.pool(vertx, PostgresConfig.of(url), "test-highest");
      Future<T> done = pool.withTransaction(work::apply);
      done.transform(ended -> Future.succeededFuture()).await();
      return done.succeeded() ? Future.succeededFuture(done.result()) : Future.failedFuture(done.cause());
    } finally {
      vertx.close().await();
    }
  }

  /** EXPLAIN ANALYZE of one band's statement, as the seeding runs it (after {@link HighestIssued#ORDERED_WALK}). */
  private JsonObject explainBand(List<String> prefixes, int width) {
    Tuple params = HighestIssued.params(prefixes, width);
    String array = "{" + String.join(",", prefixes) + "}";
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(url));
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
         Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute(HighestIssued.ORDERED_WALK);
      s.execute("PREPARE band(text[], int, text, text, text) AS " + HighestIssued.BAND);
      try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE band('" + array + "', "
          + width + ", '" + params.getString(2) + "', '" + params.getString(3) + "', '" + params.getString(4) + "')")) {
        rs.next();
        return new JsonArray(rs.getString(1)).getJsonObject(0);
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Shared buffers the plan's scans of dossier read (hit or read from disk): its work on the code index. */
  private static long sharedBlocks(JsonObject node) {
    long own = "dossier".equals(node.getString("Relation Name"))
        ? node.getLong("Shared Hit Blocks", 0L) + node.getLong("Shared Read Blocks", 0L) : 0;
    JsonArray children = node.getJsonArray("Plans", new JsonArray());
    for (int i = 0; i < children.size(); i++) {
      own += sharedBlocks(children.getJsonObject(i));
    }
    return own;
  }
}
