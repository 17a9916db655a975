package vn.onewindow.gateway.stats;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import vn.onewindow.common.agency.AgencyPattern;

/**
 * The timeliness figures of one agency pattern and period, in two aggregate statements (dossiers, ratings), each
 * one pass over the agency's dossiers received by the period's end, through the index on
 * {@code (reverse(handling_agency), received_at)}. Calendar dates are taken in the agency zone.
 */
final class TimelinessQuery {
  /**
   * $1 agency, $2 from, $3 to, $4 as-of (the period's end, or today for a running period), $5 zone. The same CASE
   * order as AGENCY.md section 4: a dossier finished after the period counts as open at its end. A withdrawal (7) and
   * a stop (8) end a dossier too: each counts in the period it happened (its last event, {@code status_changed_at}),
   * not in every later period of the agency.
   */
  private static final String DOSSIERS = """
      WITH scope AS (
        SELECT status, due_date, %s AS processed_on, %s AS ended_on
        FROM dossier
        WHERE %s AND received_at < (($3::date + 1)::timestamp AT TIME ZONE $5)
      ), classified AS (
        SELECT status, due_date, processed_on, ended_on,
               status IN (9, 10) AND processed_on BETWEEN $2 AND $3 AS processed,
               status IN (2, 4) OR status IN (9, 10) AND processed_on > $3 AS open
        FROM scope
      )
      SELECT
        count(*) FILTER (WHERE processed AND processed_on < due_date) AS before_deadline,
        count(*) FILTER (WHERE processed AND (due_date IS NULL OR processed_on = due_date)) AS on_time,
        count(*) FILTER (WHERE processed AND processed_on > due_date) AS overdue,
        count(*) FILTER (WHERE open AND (due_date IS NULL OR due_date >= $4)) AS open_in_time,
        count(*) FILTER (WHERE open AND due_date < $4) AS open_overdue,
        count(*) FILTER (WHERE open AND due_date BETWEEN $4 AND $4 + 1) AS open_due_soon,
        count(*) FILTER (WHERE status = 5) AS supplement,
        count(*) FILTER (WHERE status = 5 AND due_date < $4) AS supplement_overdue,
        count(*) FILTER (WHERE status = 6) AS payment,
        count(*) FILTER (WHERE status = 8 AND ended_on BETWEEN $2 AND $3) AS stopped,
        count(*) FILTER (WHERE status = 7 AND ended_on BETWEEN $2 AND $3) AS withdrawn
      FROM classified""";
  /** $1 agency, $2 from, $3 to, $4 zone. */
  private static final String RATINGS = """
      SELECT count(*) AS ratings, COALESCE(sum(cardinality(r.answers)), 0) AS answers,
             COALESCE(sum(r.satisfied), 0) AS satisfied
      FROM dossier_rating r JOIN dossier d ON d.id = r.dossier_id
      WHERE %s
        AND r.rated_at >= ($2::date::timestamp AT TIME ZONE $4) AND r.rated_at < (($3::date + 1)::timestamp AT TIME ZONE $4)""";

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
    return DOSSIERS.formatted(localDate("processed_at", from, to), localDate("status_changed_at", from, to),
        scope.predicate());
  }

  Tuple dossiersParams(AgencyScope scope, LocalDate from, LocalDate to, LocalDate asOf) {
    return Tuple.of(scope.parameter(), from, to, asOf, zone.getId());
  }

  Future<Timeliness> run(AgencyPattern agency, LocalDate from, LocalDate to, LocalDate asOf) {
    AgencyScope scope = AgencyScope.of(agency, "handling_agency", 1);
    Future<Row> dossiers = pool.preparedQuery(dossiersSql(scope, from, to))
        .execute(dossiersParams(scope, from, to, asOf))
        .map(rows -> rows.iterator().next());
    Future<Row> ratings = pool.preparedQuery(RATINGS.formatted(AgencyScope.of(agency, "d.handling_agency", 1)
        .predicate()))
        .execute(Tuple.of(scope.parameter(), from, to, zone.getId()))
        .map(rows -> rows.iterator().next());
    return Future.all(dossiers, ratings).map(both -> {
      Row d = dossiers.result();
      Row r = ratings.result();
      return new Timeliness(agency.value(), from, to, asOf,
          new Timeliness.Processed(d.getLong("before_deadline"), d.getLong("on_time"), d.getLong("overdue")),
          new Timeliness.Open(d.getLong("open_in_time"), d.getLong("open_overdue"), d.getLong("open_due_soon")),
          new Timeliness.Paused(d.getLong("supplement"), d.getLong("supplement_overdue"), d.getLong("payment"),
              d.getLong("stopped")),
          d.getLong("withdrawn"),
          new Timeliness.Satisfaction(r.getLong("ratings"), r.getLong("answers"), r.getLong("satisfied")));
    });
  }
}
