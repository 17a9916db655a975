package vn.onewindow.gateway.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.testing.TestServers;

/**
 * {@link CodeSequences#HIGHEST_ISSUED} on real PostgreSQL: the highest number a unit's daily counter issued, from the
 * codes the dossiers and dead letters hold, and how much of the code index it reads to find it. A seeding runs while
 * Redis has lost its data, within half the enqueue's timeout and under a SHARE lock that holds the intake's inserts
 * back: reading every code of the partition's two days (a range scan per prefix, as before) took 5 to 8 s over 1.2
 * million dossiers, so on a busy day every seeding timed out and every submission of the partition was a 503.
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

    JsonObject plan = explain(prefixes);

    assertThat(highestIssued(prefixes).values()).hasSize(60).containsOnly(2500L);
    // what the scans of the dossiers read, summed over the plan: a few descents of the code index per prefix
    long blocks = sharedBlocks(plan.getJsonObject("Plan"));
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

  private static String insert(String code, String unit, String from) {
    return "INSERT INTO dossier (id, code, client_id, procedure_code, receiving_unit, handling_agency, channel,"
        + " applicant_type, payload, received_at, stream_entry_id) SELECT gen_random_uuid(), " + code + ", 'test',"
        + " 'p', '" + unit + "', '" + unit + "', 'online', 'citizen', '{}', now(), 'test' FROM " + from;
  }

  private Map<String, Long> highestIssued(List<String> prefixes) {
    Map<String, Long> highest = new TreeMap<>();
    query(CodeSequences.HIGHEST_ISSUED, prefixes, rs -> highest.put(rs.getString("prefix"), rs.getLong("last")));
    return highest;
  }

  private JsonObject explain(List<String> prefixes) {
    List<String> json = new ArrayList<>();
    query("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + CodeSequences.HIGHEST_ISSUED, prefixes,
        rs -> json.add(rs.getString(1)));
    return new JsonArray(json.get(0)).getJsonObject(0);
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

  private interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  private void query(String sql, List<String> prefixes, RowReader reader) {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(url));
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
         // JDBC's placeholder for the Vert.x client's $1
         PreparedStatement s = c.prepareStatement(sql.replace("$1", "?"))) {
      Array array = c.createArrayOf("text", prefixes.toArray());
      s.setArray(1, array);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
