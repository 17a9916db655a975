package vn.onewindow.gateway.stats;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.agency.AgencyPattern;
import vn.onewindow.common.config.StatsConfig;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.ThrottledLog;

/**
 * For the dashboards and the overdue alert: per province, the shares of the last {@value #WINDOW_DAYS} calendar days
 * up to today (in the agency zone) exactly as {@code GET /v1/stats/timeliness/ranking?by=province&from=<today-29>&to=
 * <today>} answers them, refreshed every {@code stats.province-refresh-ms}: the same statement
 * ({@link TimelinessQuery#processedByAgency}: the ranking's, reading only the window's processed dossiers) summed per
 * province by the same code ({@link Ranking}), so the national counting rules have one owner. {@code hub_timeliness_on_time_share} is {@code processed.shares.beforeDeadlineOrOnTime},
 * {@code hub_timeliness_overdue_share} is {@code processed.shares.overdue} (both of the dossiers processed, 9 or 10,
 * in the window by the calendar date processing ended, against the appointment; rounded to 4 decimals as the answer
 * is). A province that processed nothing in the window has no share, so no series. The province label comes from the
 * agency directory (a bounded set; unknown codes count as "other"), never an agency or a dossier.
 */
public final class ProvinceTimeliness {
  static final int WINDOW_DAYS = 30;
  private static final Logger LOG = LoggerFactory.getLogger(ProvinceTimeliness.class);
  private static final AgencyPattern EVERY_AGENCY = new AgencyPattern("*");

  private final TimelinessQuery query;
  private final ZoneId zone;
  private final StatsConfig config;
  private final UnaryOperator<String> provinceOf;
  private final Clock clock;
  private final MultiGauge onTime;
  private final MultiGauge overdue;
  private final ThrottledLog failures = ThrottledLog.everyTenSeconds();

  /** {@code provinceOf} maps an agency code to its bounded province label; {@code clock} says which day is today. */
  public ProvinceTimeliness(Pool pool, ZoneId zone, StatsConfig config, UnaryOperator<String> provinceOf, Clock clock,
                            MeterRegistry registry) {
    this.query = new TimelinessQuery(pool, zone);
    this.zone = zone;
    this.config = config;
    this.provinceOf = provinceOf;
    this.clock = clock;
    this.onTime = MultiGauge.builder(MeterNames.TIMELINESS_ON_TIME_SHARE)
        .description("Share of the dossiers processed in the last 30 calendar days up to today processed before or on "
            + "their appointment date, per province (the ranking's processed.shares.beforeDeadlineOrOnTime)")
        .register(registry);
    this.overdue = MultiGauge.builder(MeterNames.TIMELINESS_OVERDUE_SHARE)
        .description("Share of the dossiers processed in the last 30 calendar days up to today processed after "
            + "their appointment date, per province (the ranking's processed.shares.overdue)")
        .register(registry);
  }

  /** Samples now, then every refresh period; one process per deployment is enough (the others set 0). */
  public void start(Vertx vertx) {
    refresh();
    vertx.setPeriodic(config.provinceRefresh().toMillis(), id -> refresh());
  }

  Future<Void> refresh() {
    LocalDate today = LocalDate.now(clock.withZone(zone));
    LocalDate from = today.minusDays(WINDOW_DAYS - 1);
    // bounded in PostgreSQL as GET /v1/stats/timeliness is: they share one connection, which a statement left running
    // past its deadline (a lock, a slow replica) held from every statistics request behind it
    return query.processedByAgency(EVERY_AGENCY, from, today, today, config.timeout())
        .timeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .map(perAgency -> Ranking.of(EVERY_AGENCY.value(), Ranking.By.PROVINCE, from, today, today, perAgency,
            provinceOf))
        .onSuccess(this::publish)
        .onFailure(err -> {
          long suppressed = failures.tryAcquire("province-timeliness");
          if (suppressed >= 0) {
            LOG.warn("province timeliness not refreshed ({}); the gauges keep their last values",
                err.getClass().getSimpleName());
          }
        })
        .mapEmpty();
  }

  private void publish(Ranking provinces) {
    List<MultiGauge.Row<?>> inTimeRows = new ArrayList<>();
    List<MultiGauge.Row<?>> overdueRows = new ArrayList<>();
    for (Ranking.Entry province : provinces.ranked()) {
      Timeliness.Processed processed = province.figures().processed();
      if (processed.total() > 0) {
        Tags tags = Tags.of(MeterNames.TAG_PROVINCE, province.key());
        inTimeRows.add(MultiGauge.Row.of(tags, processed.inTimeShare()));
        overdueRows.add(MultiGauge.Row.of(tags, processed.overdueShare()));
      }
    }
    onTime.register(inTimeRows, true);
    overdue.register(overdueRows, true);
  }
}
