package vn.onewindow.gateway.stats;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import vn.onewindow.common.agency.AgencyPattern;
import vn.onewindow.common.config.StatsConfig;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.JsonContent;
import vn.onewindow.gateway.http.QueryParams;
import vn.onewindow.gateway.http.Routes;
import vn.onewindow.gateway.stats.StatisticsCache.Shape;
import vn.onewindow.gateway.validation.CalendarDates;

/**
 * GET /v1/stats/timeliness?agency=&from=&to=: how an agency (a code, or a tail such as {@code *.H48} for a whole
 * province, or {@code *}) handled its dossiers over a period; GET /v1/stats/timeliness/ranking?...&by=&order=&limit=
 * &offset=: the same figures for each agency (or province) of the scope, ranked on time ({@link Ranking}), from one
 * statement, a page at a time. The ranking is counted whole and kept: the pages read within {@code stats.cache-ms} of
 * its count are slices of that one count, so they neither skip nor repeat an entry.
 * Aggregates only: no dossier, no person. Read-only, on a pool of its own ({@code pool}: one connection,
 * {@code stats.pool-waiting} queued), permitted by the read breaker but not judged by it, within its own timeout
 * ({@link UpstreamBreakers#permitted}); answers of the last {@code stats.cache-ms} are served again
 * ({@link StatisticsCache}).
 */
public final class TimelinessHandler {
  private static final LocalDate EARLIEST = LocalDate.of(1, 1, 1);
  private static final LocalDate LATEST = LocalDate.of(9999, 12, 31);
  /** The longest ranking page: a ministry ranks 34 provinces, a province its departments and communes. */
  static final int MAX_LIMIT = 1000;
  private static final int DEFAULT_LIMIT = 100;

  private final TimelinessQuery query;
  private final UpstreamBreakers breakers;
  private final StatsConfig config;
  private final StatisticsCache cache;
  private final UnaryOperator<String> provinceOf;
  private final ZoneId zone;
  private final Clock clock;

  /** {@code provinceOf}: the agency directory's bounded province label of an agency code (the ranking by province). */
  public TimelinessHandler(Pool pool, UpstreamBreakers breakers, StatsConfig config, StatisticsCache cache,
                           UnaryOperator<String> provinceOf, ZoneId zone, Clock clock) {
    this.query = new TimelinessQuery(pool, zone);
    this.breakers = breakers;
    this.config = config;
    this.cache = cache;
    this.provinceOf = provinceOf;
    this.zone = zone;
    this.clock = clock;
  }

  public void timeliness(RoutingContext ctx) {
    Period period = period(ctx);
    AgencyPattern agency = period.agency();
    cache.get(period.key(Shape.FIGURES), () -> period.notBegun()
            ? Future.succeededFuture(Timeliness.nothing(agency.value(), period.from(), period.to(), period.asOf()))
            : permitted(() -> query.run(agency, period.from(), period.to(), period.asOf(), config.timeout())))
        .onSuccess(answer -> send(ctx, answer, answer.value().toJson()))
        .onFailure(ctx::fail);
  }

  public void ranking(RoutingContext ctx) {
    Period period = period(ctx);
    Ranking.By by = by(QueryParams.single(ctx, "by"));
    Ranking.Order order = order(QueryParams.single(ctx, "order"));
    int limit = QueryParams.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT);
    int offset = QueryParams.offset(ctx);
    cache.<List<Timeliness>>get(period.key(Shape.PER_AGENCY), () -> period.notBegun()
            ? Future.succeededFuture(List.of())
            : permitted(() -> query.byAgency(period.agency(), period.from(), period.to(), period.asOf(),
                config.timeout())))
        .onSuccess(answer -> send(ctx, answer, Ranking.of(period.agency().value(), by, period.from(), period.to(),
            period.asOf(), answer.value(), provinceOf)
            .toJson(order, offset, limit, next -> link(period, by, order, limit, next))))
        .onFailure(ctx::fail);
  }

  /**
   * A ranking page's link, the path and its query (relative: the gateway does not know the address its clients reach
   * it by), every parameter spelled out, so a client follows it as is.
   */
  private static String link(Period period, Ranking.By by, Ranking.Order order, int limit, int offset) {
    return Routes.STATS_RANKING + "?agency=" + URLEncoder.encode(period.agency().value(), StandardCharsets.UTF_8)
        + "&from=" + period.from() + "&to=" + period.to() + "&by=" + by.tag() + "&order=" + order.tag()
        + "&limit=" + limit + "&offset=" + offset;
  }

  private <T> Future<T> permitted(Supplier<Future<T>> statement) {
    return breakers.permitted(Upstream.POSTGRES_READ, config.timeout(), "statistics (postgres)", statement);
  }

  /**
   * How old the figures are: {@code Age} (seconds since they were counted) and {@code private, max-age} (how long
   * they stand from their count: an HTTP cache subtracts Age itself); without a cache ({@code stats.cache-ms=0}) they were counted for this request ({@code no-store}).
   */
  private static void send(RoutingContext ctx, StatisticsCache.Answer<?> answer, JsonObject body) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JsonContent.CONTENT_TYPE);
    if (answer.cached()) {
      ctx.response()
          .putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=" + answer.maxAgeSeconds())
          .putHeader("Age", Long.toString(answer.ageSeconds()));
      if (!ctx.response().headers().contains(HttpHeaders.VARY)) {
        // a kept copy answered with (or without) Access-Control-Allow-Origin must not serve another origin
        ctx.response().putHeader(HttpHeaders.VARY, "Origin");
      }
    }
    HeadRequests.end(ctx, body.encode());
  }

  /**
   * The scope and period of a statistics request, and the day it is judged on. A running period is judged as of
   * today: a due date later this month is not overdue yet. A period that has not begun is judged as of today too, and
   * nothing of it has happened yet: it counts nothing, without asking the store (today's open, paused and withdrawn
   * dossiers belong to the periods running now, not to this one).
   */
  private record Period(AgencyPattern agency, LocalDate from, LocalDate to, LocalDate asOf, boolean notBegun) {
    StatisticsCache.Key key(Shape shape) {
      return new StatisticsCache.Key(shape, agency.value(), from, to, asOf);
    }
  }

  private Period period(RoutingContext ctx) {
    AgencyPattern agency = agency(ctx.queryParam("agency"));
    LocalDate from = date("from", ctx.queryParam("from"));
    LocalDate to = date("to", ctx.queryParam("to"));
    if (to.isBefore(from)) {
      throw HttpFailure.malformed("to (" + to + ") is before from (" + from + ")");
    }
    if (ChronoUnit.DAYS.between(from, to) >= config.maxPeriodDays()) {
      throw HttpFailure.malformed("the period may cover at most " + config.maxPeriodDays() + " days (stats.max-period-days)");
    }
    LocalDate today = LocalDate.now(clock.withZone(zone));
    return new Period(agency, from, to, to.isAfter(today) ? today : to, from.isAfter(today));
  }

  private static Ranking.By by(String value) {
    return switch (value == null ? "agency" : value) {
      case "agency" -> Ranking.By.AGENCY;
      case "province" -> Ranking.By.PROVINCE;
      default -> throw HttpFailure.malformed("by must be agency or province");
    };
  }

  private static Ranking.Order order(String value) {
    return switch (value == null ? "best" : value) {
      case "best" -> Ranking.Order.BEST;
      case "worst" -> Ranking.Order.WORST;
      default -> throw HttpFailure.malformed("order must be best or worst");
    };
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
      // of the right shape but naming no day (2026-02-29): which part is wrong, as every date field is told
      String problem = CalendarDates.problem(values.get(0));
      throw HttpFailure.malformed(name + " " + (problem == null || problem.equals(CalendarDates.SHAPE)
          ? "must be a date as YYYY-MM-DD" : problem));
    }
    if (date.isBefore(EARLIEST) || date.isAfter(LATEST)) {
      throw HttpFailure.malformed(name + " (" + date + ") must be a date from " + EARLIEST + " to " + LATEST
          + ", as YYYY-MM-DD");
    }
    return date;
  }
}
