package vn.onewindow.common.health;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import vn.onewindow.common.http.HeadRequests;


/**
 * Health and metrics of every role (gateway, intake): liveness (the process answers), readiness (both stores answer
 * within a second, PostgreSQL with the hub's tables, or for a gateway with {@code degraded.ready-with-one-store} the
 * one it can still accept with; migrations were applied before the gateway started; the process is not draining),
 * and the Prometheus scrape.
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

  /**
   * {@code redisAnswers}: {@code RedisClients.answers} (in cluster mode, any master answering is UP); {@code warming}:
   * true while a new gateway drives its warm-up (readiness DOWN until it is warm); {@code readyWith}: whether the
   * stores' answers (Redis up, PostgreSQL up) make the process ready ({@code ResilienceConfig.gatewayReady} for a
   * gateway, both for an intake process).
   */
  public HealthHandler(Supplier<Future<?>> redisAnswers, Pool pool, PrometheusMeterRegistry registry,
                       BooleanSupplier draining, BooleanSupplier warming, BiPredicate<Boolean, Boolean> readyWith) {
    this.readyWith = readyWith;
    this.redisAnswers = redisAnswers;
    this.pool = pool;
    this.registry = registry;
    this.draining = draining;
    this.warming = warming;
  }

  public void live(RoutingContext ctx) {
    json(ctx, 200, new JsonObject().put("status", "UP"));
  }

  public void ready(RoutingContext ctx) {
    String holding = draining.getAsBoolean() ? "draining" : warming.getAsBoolean() ? "warming-up" : null;
    if (holding != null) {
      json(ctx, 503, new JsonObject().put("status", "DOWN")
          .put("checks", new JsonArray().add(new JsonObject().put("id", holding).put("status", "DOWN"))));
      return;
    }
    Future<Boolean> redisUp = check(redisAnswers.get());
    Future<Boolean> postgresUp = check(pool.query(POSTGRES_PROBE).execute());
    Future.join(redisUp, postgresUp).onComplete(ignored -> {
      boolean up = readyWith.test(redisUp.result(), postgresUp.result());
      json(ctx, up ? 200 : 503, new JsonObject()
          .put("status", up ? "UP" : "DOWN")
          .put("checks", new JsonArray()
              .add(new JsonObject().put("id", "redis").put("status", redisUp.result() ? "UP" : "DOWN"))
              .add(new JsonObject().put("id", "postgres").put("status", postgresUp.result() ? "UP" : "DOWN"))));
    });
  }

  public void metrics(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    HeadRequests.end(ctx, registry.scrape());
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
