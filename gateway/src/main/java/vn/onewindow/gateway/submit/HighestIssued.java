package vn.onewindow.gateway.submit;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The highest number of the Redis path's space issued with each code prefix ({@code <unit>-YYMMDD-}), from the codes
 * PostgreSQL holds: what a partition's counters are seeded with once Redis lost them ({@link PartitionSeeder}). A seed
 * too low re-issues a code a dossier holds (that dossier's 202 then carries another's code, and it is dead-lettered);
 * one too high only skips numbers.
 *
 * <p>A counter issues its numbers in bands of one width ({@code DossierCode.queueSequence}): 0001-8999, then
 * 10000-89999, 100000-899999... Codes of one width sort as their numbers do, in any collation, so a band's highest is
 * the first code of its width met walking {@code dossier_code_key} down from the band's top. The walk passes only the
 * codes of other widths sorting above it: none on most days, the 4-digit codes above a busy day's 5-digit highest
 * (under 8,000), or a few written by hand. Reading every code of the days instead took 2.3-8.2 s over 1.2 million
 * dossiers, past the seeding's time: every submission of a busy partition was a 503 while Redis had lost its data.
 *
 * <p>One statement a band, for the prefixes still to look at: the 4-digit band for all, a wider one only for the
 * prefixes whose day reached it, as far as PostgreSQL shows: its highest, a dossier's or a dead letter's (a wider
 * band's included), within {@link #BAND_SLACK} numbers of the band's top, or the next band's first number held by a
 * dossier. Numbers come in order, so a wider band holds codes only once the one below was used up; the slack covers
 * numbers of the band's end that neither table holds (entries lost with Redis, dead letters of earlier releases that
 * kept no code).
 * Not covered: more than that many such numbers in a row at a band's end.
 *
 * <p>The dead letters (no index) by one scan joined on the prefix they carry, cut with split_part (a unit code has no
 * '-'): a regular expression per row took 560 ms over 200,000 dead letters. Codes no counter issues are not read: the
 * direct path's (a band's first digit 9), zeros, a leading zero past four digits (09000 would read as the direct
 * path's 9000), fewer than four digits.
 */
final class HighestIssued {
  /** How far below a band's top its highest may stop while the day may still have gone on into the next band. */
  static final long BAND_SLACK = 1_000;
  static final int FIRST_WIDTH = 4;
  /** The widest number a code may carry (a bigint holds 18 digits). */
  static final int LAST_WIDTH = 18;

  /**
   * Keeps the walk a walk: the planner takes the width and prefix checks for selective and would read the band's
   * whole range (a bitmap scan, then a sort) to find the top one; off for the seeding's transaction only.
   */
  static final String ORDERED_WALK = """
      SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true),
        set_config('enable_seqscan', 'off', true)""";

  /**
   * One band: per prefix ($1), its highest code of width $2 between $3 and $4 (the band's first and last numbers), and
   * whether the next band's first number ($5) is a dossier's code. The range alone bounds the index walk; the checks
   * skip the codes of other widths, another unit's codes a collation that skips punctuation may sort into the range,
   * and codes that are not digits.
   */
  static final String BAND = """
      SELECT p.prefix,
             (SELECT substr(d.code, length(p.prefix) + 1)::bigint FROM dossier d
              WHERE d.code >= p.prefix || $3 AND d.code <= p.prefix || $4
                AND length(d.code) = length(p.prefix) + $2 AND left(d.code, length(p.prefix)) = p.prefix
                AND substr(d.code, length(p.prefix) + 1) ~ '^[0-9]+$'
              ORDER BY d.code DESC LIMIT 1) AS last,
             EXISTS (SELECT 1 FROM dossier WHERE code = p.prefix || $5) AS next_started
      FROM unnest($1::text[]) AS p(prefix)""";

  /**
   * The time left to the seeding's deadline ($1) bounds the next statement, and the idle time after it: the lock is
   * held to that, not past, even when the gateway stalls between two statements.
   */
  static final String TIME_LEFT = """
      SELECT set_config('statement_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $1, true)""";

  /** The dead letters' highest number of the counters' space per prefix ($1). */
  static final String DEAD_LETTERS = """
      SELECT p.prefix, max(substr(l.code, length(p.prefix) + 1)::bigint) AS last
      FROM dead_letter l JOIN unnest($1::text[]) AS p(prefix)
        ON split_part(l.code, '-', 1) || '-' || split_part(l.code, '-', 2) || '-' = p.prefix
      WHERE substr(l.code, length(p.prefix) + 1) ~ '^([0-8][0-9]{3}|[1-8][0-9]{4,17})$'
        AND substr(l.code, length(p.prefix) + 1) <> '0000'
      GROUP BY p.prefix""";

  private HighestIssued() {
  }

  /**
   * The highest number per prefix; a prefix with none issued is absent. On {@code conn}, inside its transaction. No
   * statement starts past {@code deadline} ({@link System#nanoTime}), and each may run only the time left to it: a
   * statement timeout of the whole bound, set once, would let the last band hold the lock that long past it.
   */
  static Future<Map<String, Long>> read(SqlConnection conn, Collection<String> prefixes, long deadline) {
    String[] all = prefixes.toArray(String[]::new);
    Map<String, Long> highest = new HashMap<>();
    return conn.query(ORDERED_WALK).execute()
        .compose(set -> bounded(conn, deadline, "the dead letters"))
        .compose(set -> conn.preparedQuery(DEAD_LETTERS).execute(Tuple.of((Object) all)))
        .compose(rows -> {
          for (Row row : rows) {
            highest.put(row.getString("prefix"), row.getLong("last"));
          }
          return band(conn, List.of(all), FIRST_WIDTH, deadline, highest);
        })
        .map(done -> highest);
  }

  /** Reads band {@code width} of {@code prefixes}, then the next band of those whose day reached it. */
  private static Future<Void> band(SqlConnection conn, List<String> prefixes, int width, long deadline,
                                   Map<String, Long> highest) {
    if (prefixes.isEmpty() || width > LAST_WIDTH) {
      return Future.succeededFuture();
    }
    return bounded(conn, deadline, "band " + width).compose(set -> conn.preparedQuery(BAND)
        .execute(params(prefixes, width))).compose(rows -> {
      List<String> wider = new ArrayList<>();
      for (Row row : rows) {
        String prefix = row.getString("prefix");
        Long last = row.getLong("last");
        if (last != null) {
          highest.merge(prefix, last, Math::max);
        }
        // the highest either table holds: a dead letter's number in this band's end or in a wider one counts
        if (highest.getOrDefault(prefix, 0L) >= top(width) - BAND_SLACK || row.getBoolean("next_started")) {
          wider.add(prefix);
        }
      }
      return band(conn, wider, width + 1, deadline, highest);
    });
  }

  /** The milliseconds left to {@code deadline}; failed with a TimeoutException naming {@code next} if none are. */
  static Future<Long> timeLeft(long deadline, String next) {
    long left = Math.min((deadline - System.nanoTime()) / 1_000_000, Integer.MAX_VALUE);
    return left > 0 ? Future.succeededFuture(left)
        : Future.failedFuture(new TimeoutException("the seeding's time was spent before " + next));
  }

  /** The next statement bounded by the time left to {@code deadline} ({@link #TIME_LEFT}). */
  static Future<?> bounded(SqlConnection conn, long deadline, String next) {
    return timeLeft(deadline, next).compose(left -> conn.preparedQuery(TIME_LEFT).execute(Tuple.of(left + "ms")));
  }

  /** {@link #BAND}'s parameters for band {@code width}. */
  static Tuple params(List<String> prefixes, int width) {
    return Tuple.of(prefixes.toArray(String[]::new), width, width == FIRST_WIDTH ? "0001" : Long.toString(first(width)),
        Long.toString(top(width)), Long.toString(first(width + 1)));
  }

  /** The first number of band {@code width} past the 4-digit one: 1 followed by zeros. */
  static long first(int width) {
    return (long) Math.pow(10, width - 1);
  }

  /** The last number of band {@code width}: 8 followed by nines (9... is the direct path's). */
  static long top(int width) {
    return 9 * first(width) - 1;
  }
}
