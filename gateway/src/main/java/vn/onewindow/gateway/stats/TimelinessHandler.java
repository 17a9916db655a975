package vn.onewindow.gateway.stats;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import vn.onewindow.common.agency.AgencyPattern;
import vn.onewindow.common.config.StatsConfig;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.JsonContent;

/**
 * GET /v1/stats/timeliness?agency=&from=&to=: how an agency (a code, or a tail such as {@code *.H48} for a whole
 * province, or {@code *}) handled its dossiers over a period. Aggregates only: no dossier, no person. Read-only, on
 * a pool of its own ({@code pool}: one connection, {@code stats.pool-waiting} queued), permitted by the read breaker
 * but not judged by it, within its own timeout ({@link UpstreamBreakers#permitted}).
 */
public final class TimelinessHandler {
  private static final LocalDate EARLIEST = LocalDate.of(1, 1, 1);
  private static final LocalDate LATEST = LocalDate.of(9999, 12, 31);

  private final TimelinessQuery query;
  private final UpstreamBreakers breakers;
  private final StatsConfig config;
  private final ZoneId zone;
  private final Clock clock;

  public TimelinessHandler(Pool pool, UpstreamBreakers breakers, StatsConfig config, ZoneId zone, Clock clock) {
    this.query = new TimelinessQuery(pool, zone);
    this.breakers = breakers;
    this.config = config;
    this.zone = zone;
    this.clock = clock;
  }

  public void timeliness(RoutingContext ctx) {
    AgencyPattern agency = agency(ctx.queryParam("agency"));
    LocalDate from = date("from", ctx.queryParam("from"));
    LocalDate to = date("to", ctx.queryParam("to"));
    if (to.isBefore(from)) {
      throw HttpFailure.malformed("to (" + to + ") is before from (" + from + ")");
    }
    if (ChronoUnit.DAYS.between(from, to) >= config.maxPeriodDays()) {
      throw HttpFailure.malformed("the period may cover at most " + config.maxPeriodDays() + " days (stats.max-period-days)");
    }
    // A running period is judged as of today: a due date later this month is not overdue yet. A period that has not
    // begun is judged as of today too, and nothing of it has happened yet: it counts nothing, without asking the
    // store (today's open, paused and withdrawn dossiers belong to the periods running now, not to this one).
    LocalDate today = LocalDate.now(clock.withZone(zone));
    LocalDate asOf = to.isAfter(today) ? today : to;
    Future<Timeliness> counted = from.isAfter(today)
        ? Future.succeededFuture(Timeliness.nothing(agency.value(), from, to, asOf))
        : breakers.permitted(Upstream.POSTGRES_READ, config.timeout(), "statistics (postgres)",
            () -> query.run(agency, from, to, asOf, config.timeout()));
    counted
        .onSuccess(figures -> {
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JsonContent.CONTENT_TYPE);
          HeadRequests.end(ctx, figures.toJson().encode());
        })
        .onFailure(ctx::fail);
  }

  private static AgencyPattern agency(List<String> values) {
    if (values.size() > 1) {
      throw HttpFailure.malformed("give agency once");
    }
    try {
      return new AgencyPattern(values.isEmpty() ? "*" : values.get(0));
    } catch (IllegalArgumentException e) {
      throw HttpFailure.malformed(e.getMessage());
    }
  }

  /**
   * A day with a four-digit year, as YYYY-MM-DD says. {@code LocalDate.parse} also takes signed years up to
   * +999999999, which the query's arithmetic (a year either side of the period) and PostgreSQL's timestamps cannot
   * hold.
   */
  private static LocalDate date(String name, List<String> values) {
    if (values.size() != 1) {
      throw HttpFailure.malformed(name + " is required once, as YYYY-MM-DD");
    }
    LocalDate date;
    try {
      date = LocalDate.parse(values.get(0));
    } catch (DateTimeParseException e) {
      throw HttpFailure.malformed(name + " must be a date as YYYY-MM-DD");
    }
    if (date.isBefore(EARLIEST) || date.isAfter(LATEST)) {
      throw HttpFailure.malformed(name + " (" + date + ") must be a date from " + EARLIEST + " to " + LATEST
          + ", as YYYY-MM-DD");
    }
    return date;
  }
}
