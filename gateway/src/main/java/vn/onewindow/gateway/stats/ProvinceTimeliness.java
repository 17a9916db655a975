package vn.onewindow.gateway.stats;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.StatsConfig;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.ThrottledLog;

/**
 * For the dashboards and the overdue alert: per province, the share of dossiers processed in the last 30 days
 * before or on their due date, and the overdue share, refreshed every {@code stats.province-refresh-ms}. The
 * province label comes from the agency directory (a bounded set; unknown codes count as "other"), never an agency
 * or a dossier.
 */
public final class ProvinceTimeliness {
  static final int WINDOW_DAYS = 30;
  private static final Logger LOG = LoggerFactory.getLogger(ProvinceTimeliness.class);
  private static final String BY_AGENCY = """
      SELECT handling_agency,
             count(*) FILTER (WHERE due_date IS NULL OR (processed_at AT TIME ZONE $1)::date <= due_date) AS in_time,
             count(*) FILTER (WHERE (processed_at AT TIME ZONE $1)::date > due_date) AS overdue
      FROM dossier
      WHERE processed_at >= now() - make_interval(days => $2) AND status IN (9, 10)
      GROUP BY handling_agency""";

  private final Pool pool;
  private final ZoneId zone;
  private final StatsConfig config;
  private final UnaryOperator<String> provinceOf;
  private final MultiGauge onTime;
  private final MultiGauge overdue;
  private final ThrottledLog failures = ThrottledLog.everyTenSeconds();

  /** {@code provinceOf} maps an agency code to its bounded province label. */
  public ProvinceTimeliness(Pool pool, ZoneId zone, StatsConfig config, UnaryOperator<String> provinceOf,
                            MeterRegistry registry) {
    this.pool = pool;
    this.zone = zone;
    this.config = config;
    this.provinceOf = provinceOf;
    this.onTime = MultiGauge.builder(MeterNames.TIMELINESS_ON_TIME_SHARE)
        .description("Share of dossiers processed in the last 30 days before or on their due date, per province")
        .register(registry);
    this.overdue = MultiGauge.builder(MeterNames.TIMELINESS_OVERDUE_SHARE)
        .description("Share of dossiers processed in the last 30 days after their due date, per province")
        .register(registry);
  }

  /** Samples now, then every refresh period; one process per deployment is enough (the others set 0). */
  public void start(Vertx vertx) {
    refresh();
    vertx.setPeriodic(config.provinceRefresh().toMillis(), id -> refresh());
  }

  Future<Void> refresh() {
    // bounded in PostgreSQL as GET /v1/stats/timeliness is: they share one connection, which a statement left running
    // past its deadline (a lock, a slow replica) held from every statistics request behind it
    long deadline = System.nanoTime() + config.timeout().toNanos();
    return pool.withTransaction(conn -> TimelinessQuery.bound(conn, deadline)
            .compose(v -> conn.preparedQuery(BY_AGENCY).execute(Tuple.of(zone.getId(), WINDOW_DAYS))))
        .timeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .onSuccess(rows -> {
          Map<String, long[]> byProvince = new HashMap<>();
          for (Row row : rows) {
            long[] counts = byProvince.computeIfAbsent(provinceOf.apply(row.getString("handling_agency")),
                p -> new long[2]);
            counts[0] += row.getLong("in_time");
            counts[1] += row.getLong("overdue");
          }
          List<MultiGauge.Row<?>> inTimeRows = new ArrayList<>();
          List<MultiGauge.Row<?>> overdueRows = new ArrayList<>();
          byProvince.forEach((province, counts) -> {
            double total = counts[0] + counts[1];
            Tags tags = Tags.of(MeterNames.TAG_PROVINCE, province);
            inTimeRows.add(MultiGauge.Row.of(tags, counts[0] / total));
            overdueRows.add(MultiGauge.Row.of(tags, counts[1] / total));
          });
          onTime.register(inTimeRows, true);
          overdue.register(overdueRows, true);
        })
        .onFailure(err -> {
          long suppressed = failures.tryAcquire("province-timeliness");
          if (suppressed >= 0) {
            LOG.warn("province timeliness not refreshed ({}); the gauges keep their last values",
                err.getClass().getSimpleName());
          }
        })
        .mapEmpty();
  }
}
