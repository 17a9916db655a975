package vn.onewindow.gateway.stats;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import vn.onewindow.common.agency.AgencyPattern;

/**
 * The timeliness figures of one agency pattern and period, in two aggregate statements (dossiers, ratings), each
 * reading the agency's dossiers received by the period's end through the index on
 * {@code (reverse(handling_agency), received_at)}; the dossiers statement reads the status history too, for the
 * dossiers that moved after the period's end. Calendar dates are taken in the agency zone.
 */
final class TimelinessQuery {
  /**
   * $1 agency, $2 from, $3 to, $4 as-of (the period's end, or today for a running period), $5 zone. Each dossier
   * counts where it stood at the period's end, with the appointment it had then (AGENCY.md sections 4-5: a published
   * period's figures never move when later events arrive):
   * <ul>
   *   <li>a dossier whose last event ({@code status_changed_at}) came before the end, or that has none, stood where
   *   its row stands now: the first branch, one pass through the agency index as before;</li>
   *   <li>one with an event after the end stood at its last status-history row before the end, which carries the
   *   appointment as that event left it (a supplement's re-dating after the end does not reach back). Only these
   *   dossiers are looked up, through the history's {@code (dossier_id, changed_at, seq)} index: for a past period,
   *   the few still moving at its end. Among rows of one dossier, the one recorded last ({@code seq}) wins: the
   *   event store takes an event up to a second older than the one before it, so times may be out of order.</li>
   * </ul>
   * The split is exact: an event recorded after one at or after the end lies at or after the end too (the store
   * refuses an event more than a second older than the last one, and the end is a whole second), so the history
   * rows before the end are exactly those of the events before it. Two branches rather than one lateral join on
   * every row: the planner then estimates the look-ups on the dossiers that need them, not on every dossier.
   * Then the CASE order of AGENCY.md section 4: processed (9, 10) in the period; open ({2, 4} at the end, which
   * includes the dossiers finished after it, and excludes those only accepted after it, still {1} at the end);
   * paused (5, 6 at the end, each overdue when its appointment is before as-of, as an open dossier is); a withdrawal
   * (7) and a stop (8) end a dossier and count in the period they happened, each overdue when its calendar date is
   * after the appointment it had then (none: not overdue, as a processed dossier without one); but a stop that
   * directly follows a supplement request (5 -> 8: the citizen never brought it) is judged by the calendar date of
   * that request ({@code request_on}), as the agency's clock stands while it waits for a supplement. The request is
   * the stop's previous history row ({@code seq}), looked up through the history index (a subquery under CASE runs
   * only for the rows that reach it) for the period's stops dated after their appointment alone: the store refuses an
   * event dated in an earlier second than the one before it, so a request is dated on its stop's day at the latest,
   * and a stop in time by its own date is in time by the request's. Only the first branch holds stops: 8 is final, so a
   * dossier stopped by the period's end has no event after it.
   * <p>{@code %9$s}: empty, or for the processed figures alone ({@link #processedByAgency}) {@link #PROCESSED_IN_PERIOD},
   * which reads only the dossiers whose processing ended in the period or later, through {@code dossier_processed_at_idx}.
   */
  private static final String DOSSIERS = """
      WITH at_end AS (
        SELECT %6$s AS grp, status, due_date, %2$s AS processed_on, %3$s AS ended_on,
               CASE WHEN status = 8 AND status_changed_at >= ($2::date::timestamp AT TIME ZONE $5)
                         AND %3$s > due_date THEN (
                 SELECT %5$s FROM (
                   SELECT p.status, p.changed_at
                   FROM dossier_status_history p
                   WHERE p.dossier_id = dossier.id
                   ORDER BY p.seq DESC
                   OFFSET 1 LIMIT 1
                 ) p
                 WHERE p.status = 5)
               END AS request_on
        FROM dossier
        WHERE %1$s%9$s AND received_at < (($3::date + 1)::timestamp AT TIME ZONE $5)
          AND (status_changed_at IS NULL OR status_changed_at < (($3::date + 1)::timestamp AT TIME ZONE $5))
        UNION ALL
        SELECT %6$s, h.status, h.due_date, %2$s, %4$s, NULL::date
        FROM dossier CROSS JOIN LATERAL (
          SELECT h.status, h.due_date, h.changed_at
          FROM dossier_status_history h
          WHERE h.dossier_id = dossier.id AND h.changed_at < (($3::date + 1)::timestamp AT TIME ZONE $5)
          ORDER BY h.seq DESC
          LIMIT 1
        ) h
        WHERE %1$s%9$s AND received_at < (($3::date + 1)::timestamp AT TIME ZONE $5)
          AND status_changed_at >= (($3::date + 1)::timestamp AT TIME ZONE $5)
      ), classified AS (
        SELECT grp, status, due_date, processed_on, ended_on, request_on,
               status IN (9, 10) AND processed_on BETWEEN $2 AND $3 AS processed,
               status IN (2, 4) AS open,
               status = 7 AND ended_on BETWEEN $2 AND $3 AS withdrawn,
               status = 8 AND ended_on BETWEEN $2 AND $3 AS stopped
        FROM at_end
      )
      SELECT %7$s
        count(*) FILTER (WHERE processed AND processed_on < due_date) AS before_deadline,
        count(*) FILTER (WHERE processed AND (due_date IS NULL OR processed_on = due_date)) AS on_time,
        count(*) FILTER (WHERE processed AND processed_on > due_date) AS overdue,
        count(*) FILTER (WHERE open AND (due_date IS NULL OR due_date >= $4)) AS open_in_time,
        count(*) FILTER (WHERE open AND due_date < $4) AS open_overdue,
        count(*) FILTER (WHERE open AND due_date BETWEEN $4 AND $4 + 1) AS open_due_soon,
        count(*) FILTER (WHERE status = 5) AS supplement,
        count(*) FILTER (WHERE status = 5 AND due_date < $4) AS supplement_overdue,
        count(*) FILTER (WHERE status = 6) AS payment,
        count(*) FILTER (WHERE status = 6 AND due_date < $4) AS payment_overdue,
        count(*) FILTER (WHERE stopped) AS stopped,
        count(*) FILTER (WHERE stopped AND COALESCE(request_on, ended_on) > due_date) AS stopped_overdue,
        count(*) FILTER (WHERE withdrawn) AS withdrawn,
        count(*) FILTER (WHERE withdrawn AND ended_on < due_date) AS withdrawn_before_deadline,
        count(*) FILTER (WHERE withdrawn AND (due_date IS NULL OR ended_on = due_date)) AS withdrawn_on_time,
        count(*) FILTER (WHERE withdrawn AND ended_on > due_date) AS withdrawn_overdue
      FROM classified%8$s""";
  /**
   * The dossiers that can count as processed in the period: processing ended ({@code processed_at}, kept by both
   * branches) on its first day or later. The processed counts are the same with it (a dossier processed before the
   * period, or never, counts in none of them); the other figures are not, so only the processed figures are read.
   */
  private static final String PROCESSED_IN_PERIOD =
      " AND dossier.processed_at >= ($2::date::timestamp AT TIME ZONE $5)";
  /** $1 milliseconds left: the statement's bound, for this transaction only; JIT off (see run). */
  private static final String BOUND = """
      SELECT set_config('statement_timeout', $1, true), set_config('jit', 'off', true)""";
  /** $1 agency, $2 from, $3 to, and the zone's parameter ($4 alone, $5 in the ranking). */
  private static final String RATINGS = """
      SELECT %3$s count(*) AS ratings, COALESCE(sum(cardinality(r.answers)), 0) AS answers,
             COALESCE(sum(r.satisfied), 0) AS satisfied
      FROM dossier_rating r JOIN dossier d ON d.id = r.dossier_id
      WHERE %1$s
        AND r.rated_at >= ($2::date::timestamp AT TIME ZONE %2$s) AND r.rated_at < (($3::date + 1)::timestamp AT TIME ZONE %2$s)%4$s""";
  /**
   * The ranking: both aggregates above per handling agency, in one statement (the dossiers' parameters). Every agency
   * with a rating of the period has a dossier received by its end, so it has a row among the counted ones.
   */
  private static final String BY_AGENCY = """
      WITH counted AS (
      %s
      ), rated AS (
      %s
      )
      SELECT counted.*, COALESCE(rated.ratings, 0) AS ratings, COALESCE(rated.answers, 0) AS answers,
             COALESCE(rated.satisfied, 0) AS satisfied
      FROM counted LEFT JOIN rated ON rated.grp = counted.handling_agency""";

  private final Pool pool;
  private final ZoneId zone;

  /**
   * The local calendar date of a timestamp column. Converting through the zone's rules costs about half of a large
   * aggregate; when the zone keeps one offset over the whole period (Vietnam: UTC+7 since 1975) a fixed interval is
   * added instead, with the same result.
   */
  String localDate(String column, LocalDate from, LocalDate to) {
    ZoneRules rules = zone.getRules();
    Instant start = from.minusYears(1).atStartOfDay(zone).toInstant();
    Instant end = to.plusYears(1).atStartOfDay(zone).toInstant();
    ZoneOffsetTransition change = rules.nextTransition(start);
    if (change == null || change.getInstant().isAfter(end)) {
      return "((" + column + " AT TIME ZONE 'UTC') + interval '" + rules.getOffset(start).getTotalSeconds()
          + " seconds')::date";
    }
    return "(" + column + " AT TIME ZONE $5)::date";
  }

  TimelinessQuery(Pool pool, ZoneId zone) {
    this.pool = pool;
    this.zone = zone;
  }

  /** The dossiers aggregate for this scope and period (its parameters: {@link #dossiersParams}). */
  String dossiersSql(AgencyScope scope, LocalDate from, LocalDate to) {
    return dossiersSql(scope, from, to, false, false);
  }

  /**
   * {@code perAgency}: one row per handling agency (its column {@code handling_agency}), else one row in all;
   * {@code processedOnly}: only the processed figures are right ({@link #PROCESSED_IN_PERIOD}).
   */
  private String dossiersSql(AgencyScope scope, LocalDate from, LocalDate to, boolean perAgency,
                             boolean processedOnly) {
    return DOSSIERS.formatted(scope.predicate(), localDate("dossier.processed_at", from, to),
        localDate("dossier.status_changed_at", from, to), localDate("h.changed_at", from, to),
        localDate("p.changed_at", from, to), perAgency ? "dossier.handling_agency" : "NULL::text",
        perAgency ? "grp AS handling_agency," : "", perAgency ? "\n      GROUP BY grp" : "",
        processedOnly ? PROCESSED_IN_PERIOD : "");
  }

  /**
   * The ranking statement: the figures of each handling agency of this scope and period, with its ratings;
   * {@code processedOnly}: the statement of {@link #processedByAgency}.
   */
  String byAgencySql(AgencyPattern agency, LocalDate from, LocalDate to, boolean processedOnly) {
    return BY_AGENCY.formatted(dossiersSql(AgencyScope.of(agency, "handling_agency", 1), from, to, true, processedOnly),
        RATINGS.formatted(AgencyScope.of(agency, "d.handling_agency", 1).predicate(), "$5", "d.handling_agency AS grp,",
            "\n      GROUP BY d.handling_agency"));
  }

  Tuple dossiersParams(AgencyScope scope, LocalDate from, LocalDate to, LocalDate asOf) {
    return Tuple.of(scope.parameter(), from, to, asOf, zone.getId());
  }

  /**
   * Both statements in one transaction on one connection, each bounded in PostgreSQL by what is left of
   * {@code timeout} when it starts ({@code statement_timeout}): a request answered 503 at its deadline leaves no
   * statement running behind it, and one that waited its whole budget for the connection runs none. Without the
   * bound, statistics the gateway had given up on went on holding their connections and a PostgreSQL core.
   */
  Future<Timeliness> run(AgencyPattern agency, LocalDate from, LocalDate to, LocalDate asOf, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    AgencyScope scope = AgencyScope.of(agency, "handling_agency", 1);
    String ratingsSql = RATINGS.formatted(AgencyScope.of(agency, "d.handling_agency", 1).predicate(), "$4", "", "");
    // Without JIT: the planner cannot know how few dossiers moved after the period's end (it takes "received before,
    // changed after" as independent), prices a history look-up for a fifth of the scope, and on a million dossiers
    // compiled the plan for longer than it ran (`*` over a quarter: 1.0 s of JIT in 1.1 s; without it 0.6 s).
    return pool.withTransaction(conn -> bound(conn, deadline)
        .compose(v -> conn.preparedQuery(dossiersSql(scope, from, to)).execute(dossiersParams(scope, from, to, asOf)))
        .map(rows -> rows.iterator().next())
        .compose(dossiers -> bound(conn, deadline)
            .compose(v -> conn.preparedQuery(ratingsSql).execute(Tuple.of(scope.parameter(), from, to, zone.getId())))
            .map(rows -> figures(agency.value(), from, to, asOf, dossiers, rows.iterator().next()))));
  }

  /**
   * The figures of each handling agency of the scope that received a dossier by the period's end, in ONE statement
   * ({@link #byAgencySql}) bounded as {@link #run} bounds its two: the ranking's counts are the same rules' counts.
   */
  Future<List<Timeliness>> byAgency(AgencyPattern agency, LocalDate from, LocalDate to, LocalDate asOf,
                                    Duration timeout) {
    return byAgency(agency, from, to, asOf, timeout, false);
  }

  /**
   * As {@link #byAgency}, the processed figures alone (the others are 0), for an agency that processed a dossier in the
   * period: the same statement reading only the dossiers processed in it ({@link #PROCESSED_IN_PERIOD}). The province
   * gauges: the whole statement reads every dossier the scope ever received (for the open ones), 0.85 s for 1 million
   * where this reads the window's (60 ms), and grows with the years until it no longer fits stats.timeout-ms.
   */
  Future<List<Timeliness>> processedByAgency(AgencyPattern agency, LocalDate from, LocalDate to, LocalDate asOf,
                                             Duration timeout) {
    return byAgency(agency, from, to, asOf, timeout, true)
        .map(each -> each.stream().map(Timeliness::processedOnly).toList());
  }

  private Future<List<Timeliness>> byAgency(AgencyPattern agency, LocalDate from, LocalDate to, LocalDate asOf,
                                            Duration timeout, boolean processedOnly) {
    long deadline = System.nanoTime() + timeout.toNanos();
    AgencyScope scope = AgencyScope.of(agency, "handling_agency", 1);
    return pool.withTransaction(conn -> bound(conn, deadline)
            .compose(v -> conn.preparedQuery(byAgencySql(agency, from, to, processedOnly))
                .execute(dossiersParams(scope, from, to, asOf))))
        .map(rows -> {
          List<Timeliness> each = new ArrayList<>(rows.size());
          rows.forEach(row -> each.add(figures(row.getString("handling_agency"), from, to, asOf, row, row)));
          return each;
        });
  }

  /** Bounds the transaction's next statement by what is left to {@code deadline} (System.nanoTime), JIT off. */
  static Future<Void> bound(SqlConnection conn, long deadline) {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left <= 0) {
      return Future.failedFuture(new TimeoutException("statistics: no time left when the connection was free"));
    }
    return conn.preparedQuery(BOUND).execute(Tuple.of(Long.toString(left))).mapEmpty();
  }

  private static Timeliness figures(String agency, LocalDate from, LocalDate to, LocalDate asOf, Row d, Row r) {
    return new Timeliness(agency, from, to, asOf,
        new Timeliness.Processed(d.getLong("before_deadline"), d.getLong("on_time"), d.getLong("overdue")),
        new Timeliness.Open(d.getLong("open_in_time"), d.getLong("open_overdue"), d.getLong("open_due_soon")),
        new Timeliness.Paused(d.getLong("supplement"), d.getLong("supplement_overdue"), d.getLong("payment"),
            d.getLong("payment_overdue"), d.getLong("stopped"), d.getLong("stopped_overdue")),
        d.getLong("withdrawn"),
        new Timeliness.Withdrawn(d.getLong("withdrawn_before_deadline"), d.getLong("withdrawn_on_time"),
            d.getLong("withdrawn_overdue")),
        new Timeliness.Satisfaction(r.getLong("ratings"), r.getLong("answers"), r.getLong("satisfied")));
  }
}
