package vn.onewindow.gateway.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.testing.Await;
import vn.onewindow.gateway.GatewayFixture;

/**
 * Statistics that PostgreSQL is slow to answer never take the status look-ups' and feeds' connections, never count
 * against the postgres_read breaker, and stop in PostgreSQL at their deadline (README "Reads never slow intake"). A
 * reads tryout: 8 concurrent {@code agency=*} requests over five years (2.2 s each on a million dossiers, one agency
 * client, far within its rate limit) held all 4 read connections, every citizen's look-up by id waited out
 * timeout.postgres-read-ms and got a 503, and the slow statistics opened the postgres_read breaker for every read. A lock
 * on the ratings table stands in for the slow statement here: it holds the statistics exactly as long as the test says.
 */
class StatisticsIsolationTest {
  private static final int STATISTICS = 4;
  private static final String STATS = "/v1/stats/timeliness?agency=*&from=2026-01-01&to=2026-01-31";
  private static final String WAITING_ON_RATINGS = """
      SELECT count(*) FROM pg_stat_activity
      WHERE wait_event_type = 'Lock' AND query LIKE '%FROM dossier_rating r JOIN dossier d%'""";
  /**
   * The province gauges' statement: the ranking's, per handling agency (TimelinessQuery.byAgencySql), known by its
   * opening (pg_stat_activity keeps the first track_activity_query_size bytes of a statement only).
   */
  private static final String WAITING_ON_DOSSIERS = """
      SELECT count(*) FROM pg_stat_activity
      WHERE wait_event_type = 'Lock' AND query LIKE 'WITH counted AS (%'""";

  @Test
  void shouldServeLookUpsWhileStatisticsHangAndStopTheStatisticsAtTheirDeadline() {
    // look-ups may wait long for a read connection: before, they waited behind the statistics for all of it
    try (GatewayFixture gw = new GatewayFixture(Map.of("postgres.read-pool-size", "2", "stats.timeout-ms", "1500",
        "timeout.postgres-read-ms", "8000", "stats.province-refresh-ms", "0"))) {
      Pool database = PostgresClients.pool(gw.vertx, gw.config.postgres(), "test");
      SqlConnection locker = database.getConnection().await();
      try {
        String id = gw.keys.partitions().newDossierId(0);
        String code = gw.recordDossier(database, id, "000.00.53.H48-260115");
        long failedBefore = gw.readBreakerCalls("failed");
        locker.query("BEGIN").execute().await();
        locker.query("LOCK TABLE dossier_rating IN ACCESS EXCLUSIVE MODE").execute().await();

        Queue<HttpResponse<Buffer>> statistics = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < STATISTICS; i++) {
          gw.client.get(STATS).send().onSuccess(statistics::add);
        }
        Await.until(Duration.ofSeconds(30), "a statistics statement waiting on the ratings table",
            () -> waitingOnRatings(database) > 0);

        HttpResponse<Buffer> lookUp = gw.get("/v1/dossiers/" + id);
        assertThat(lookUp.statusCode()).as("a look-up while the statistics hang: " + lookUp.bodyAsString())
            .isEqualTo(200);
        assertThat(lookUp.bodyAsJsonObject().getString("code")).isEqualTo(code);

        Await.until(Duration.ofSeconds(30), "every statistics request answered", () -> statistics.size() == STATISTICS);
        for (HttpResponse<Buffer> refused : statistics) {
          assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
          assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
          assertThat(refused.getHeader("Retry-After")).isNotNull();
        }
        // PostgreSQL works for no statistics request past its deadline, while the lock is still held
        Await.until(Duration.ofSeconds(30), "no statistics statement left waiting after every answer",
            () -> waitingOnRatings(database) == 0);
        assertThat(gw.readBreakerCalls("failed")).as("postgres_read failures").isEqualTo(failedBefore);
        assertThat(slowCallsInWindow(gw)).as("postgres_read slow calls in its window").isZero();

        locker.query("COMMIT").execute().await();
        // the same request as the refused ones, within stats.cache-ms of them: a failed count is never kept
        HttpResponse<Buffer> after = gw.get(STATS);
        assertThat(after.statusCode()).as("statistics once PostgreSQL answers: " + after.bodyAsString()).isEqualTo(200);
        assertThat(after.bodyAsJsonObject().getString("agency")).isEqualTo("*");
      } finally {
        locker.close().await();
        database.close().await();
      }
    }
  }

  /**
   * The province gauges share the statistics' one connection (pool "stats"): their statement must stop in PostgreSQL
   * at stats.timeout-ms too. Without statement_timeout one that waited on a lock went on holding that connection past
   * its deadline, and every GET /v1/stats/timeliness behind it waited out its own deadline into a 503.
   */
  @Test
  void shouldStopTheProvinceGaugesStatementInPostgresAtItsDeadline() {
    // the fixture's own refresh off: the test starts the one it watches
    try (GatewayFixture gw = new GatewayFixture(Map.of("stats.timeout-ms", "1000", "stats.province-refresh-ms", "0"))) {
      Pool database = PostgresClients.pool(gw.vertx, gw.config.postgres(), "test");
      SqlConnection locker = database.getConnection().await();
      try {
        locker.query("BEGIN").execute().await();
        locker.query("LOCK TABLE dossier IN ACCESS EXCLUSIVE MODE").execute().await();
        ProvinceTimeliness gauges = new ProvinceTimeliness(PostgresClients.pool(gw.vertx,
            gw.config.postgres().statistics(gw.config.stats().poolWaiting()), "stats"), gw.config.dossier().zone(),
            gw.config.stats(), agency -> "other", Clock.systemUTC(), gw.registry);
        Future<Void> refresh = gauges.refresh();
        Await.until(Duration.ofSeconds(30), "the gauges' statement waiting on the dossier table",
            () -> waitingOnDossiers(database) > 0);
        Await.until(Duration.ofSeconds(30), "the refresh given up at its deadline", refresh::isComplete);
        // the lock is still held: only PostgreSQL's own bound ends the statement
        Await.until(Duration.ofSeconds(10), "no gauges' statement left waiting after its deadline",
            () -> waitingOnDossiers(database) == 0);
      } finally {
        locker.close().await();
        database.close().await();
      }
    }
  }

  private static long waitingOnDossiers(Pool database) {
    return database.query(WAITING_ON_DOSSIERS).execute().await().iterator().next().getLong(0);
  }

  private static long waitingOnRatings(Pool database) {
    return database.query(WAITING_ON_RATINGS).execute().await().iterator().next().getLong(0);
  }

  private static double slowCallsInWindow(GatewayFixture gw) {
    return gw.registry.get("resilience4j.circuitbreaker.slow.calls").tag("name", Upstream.POSTGRES_READ.tag())
        .gauges().stream().mapToDouble(g -> g.value()).sum();
  }
}
