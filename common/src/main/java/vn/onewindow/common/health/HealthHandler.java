package vn.onewindow.common.health;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.common.metrics.MeterNames.ReadinessCheck;


/**
 * Health and metrics of every role (gateway, intake): liveness (the process answers), readiness (both stores answer
 * within a second, PostgreSQL with the hub's tables, or for a gateway with {@code degraded.ready-with-one-store} the
 * one it can still accept with; migrations were applied before the gateway started; the process is not draining),
 * and the Prometheus scrape, whose {@code hub_ready} gauges carry the same verdict ({@link #readiness}).
 * The answer names each store's state either way.
 */
public final class HealthHandler {
  /**
   * PostgreSQL answering is not enough: it must hold the hub's tables, writable by this role. Migrations are checked
   * once at start; a server restored or failed over to without them, or a wrong database, answered {@code SELECT 1}
   * while every write failed. A catalogue look-up, not a read of the table: a SELECT takes a lock on dossier, and one
   * queued behind a migration's ALTER TABLE made every process unready at once. An unknown table is an error, and so
   * is a missing grant (a division by zero: the check counts only errors).
   */
  private static final String POSTGRES_PROBE = "SELECT 1 / has_table_privilege('dossier', 'INSERT')::int";
  /**
   * A store slower than this to answer is reported DOWN: a load balancer should route elsewhere. The gateway's Redis
   * connections are judged silent only past the longest reply it awaits, this one included (GatewayShared.redisSilence).
   */
  public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(1);

  private final Supplier<Future<?>> redisAnswers;
  private final Pool pool;
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier draining;
  private final BooleanSupplier warming;
  private final BiPredicate<Boolean, Boolean> readyWith;
  private final ReadinessGauges gauges;

  /**
   * {@code redisAnswers}: {@code RedisClients.answers} (in cluster mode, any master answering is UP); {@code warming}:
   * true while a new gateway drives its warm-up (readiness DOWN until it is warm); {@code readyWith}: whether the
   * stores' answers (Redis up, PostgreSQL up) make the process ready ({@code ResilienceConfig.gatewayReady} for a
   * gateway, both for an intake process); {@code gauges}: the process's {@code hub_ready}, set by every verdict.
   */
  public HealthHandler(Supplier<Future<?>> redisAnswers, Pool pool, PrometheusMeterRegistry registry,
                       BooleanSupplier draining, BooleanSupplier warming, BiPredicate<Boolean, Boolean> readyWith,
                       ReadinessGauges gauges) {
    this.readyWith = readyWith;
    this.redisAnswers = redisAnswers;
    this.pool = pool;
    this.registry = registry;
    this.draining = draining;
    this.warming = warming;
    this.gauges = gauges;
  }

  public void live(RoutingContext ctx) {
    json(ctx, 200, new JsonObject().put("status", "UP"));
  }

  public void ready(RoutingContext ctx) {
    readiness().onSuccess(verdict -> json(ctx, verdict.statusCode(), verdict.body()));
  }

  /**
   * The scrape, after a readiness verdict of its own (at most {@link #CHECK_TIMEOUT} while a store hangs, well within
   * Prometheus's scrape timeout): {@code hub_ready} is what /health/ready would answer now, not what it answered
   * whenever a balancer last asked. The scrape is written whatever the verdict.
   */
  public void metrics(RoutingContext ctx) {
    readiness().onComplete(decided -> {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
      HeadRequests.end(ctx, registry.scrape());
    });
  }

  /**
   * The one place readiness is decided, for the probe and the gauges alike: draining, then warming up, hold it DOWN
   * without asking the stores; otherwise both stores are asked at once and {@code readyWith} judges their answers.
   * Never fails (a store that errs or does not answer within {@link #CHECK_TIMEOUT} is DOWN).
   */
  Future<ReadinessVerdict> readiness() {
    ReadinessCheck holding = draining.getAsBoolean() ? ReadinessCheck.DRAINING
        : warming.getAsBoolean() ? ReadinessCheck.WARMING_UP : null;
    Future<ReadinessVerdict> verdict;
    if (holding != null) {
      verdict = Future.succeededFuture(ReadinessVerdict.holding(holding));
    } else {
      Future<Boolean> redisUp = check(redisAnswers.get());
      Future<Boolean> postgresUp = check(pool.query(POSTGRES_PROBE).execute());
      verdict = Future.join(redisUp, postgresUp).transform(ignored -> Future.succeededFuture(ReadinessVerdict.stores(
          readyWith.test(redisUp.result(), postgresUp.result()), redisUp.result(), postgresUp.result())));
    }
    return verdict.map(decided -> {
      gauges.record(decided);
      return decided;
    });
  }

  private static Future<Boolean> check(Future<?> probe) {
    return probe.timeout(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).map(ok -> true).otherwise(false);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    HeadRequests.end(ctx, body.encode());
  }
}
