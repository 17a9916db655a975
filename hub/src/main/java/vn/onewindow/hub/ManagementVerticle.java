package vn.onewindow.hub;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.util.function.BooleanSupplier;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.health.HealthHandler;
import vn.onewindow.common.health.ReadinessGauges;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.common.metrics.ThrottledLog;
import vn.onewindow.gateway.http.Http1Framing;
import vn.onewindow.gateway.http.Problems;
import vn.onewindow.gateway.http.RequestIds;
import vn.onewindow.gateway.http.ServerOptions;
import vn.onewindow.gateway.security.EdgeHandlers;

/**
 * Health and metrics of a process that runs no gateway (hub.role=intake), on http.port: the dashboards scrape
 * workers the same way as gateways.
 */
final class ManagementVerticle extends VerticleBase {
  private final HubConfig config;
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier draining;
  private final BooleanSupplier warming;
  private final ReadinessGauges readiness;
  private Redis redis;
  private Pool pool;
  private HttpServer server;

  /**
   * {@code warming}: true until the intake warmed up and its workers started (readiness DOWN meanwhile);
   * {@code readiness}: the process's hub_ready gauges, bound to {@code registry}.
   */
  ManagementVerticle(HubConfig config, PrometheusMeterRegistry registry, BooleanSupplier draining,
                     BooleanSupplier warming, ReadinessGauges readiness) {
    this.config = config;
    this.registry = registry;
    this.draining = draining;
    this.warming = warming;
    this.readiness = readiness;
  }

  @Override
  public Future<?> start() {
    // a ring, not the pooled client: in cluster mode a pooled send fails for every shard while a dead master is still
    // in the slot map (RedisClients.answers)
    redis = RedisClients.ring(vertx, config.redis().withPoolSize(2), "management", 1);
    pool = PostgresClients.pool(vertx, config.postgres().withPoolSize(2), "management");
    RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
    // a worker reads from Redis and writes to PostgreSQL: it needs both (degraded.ready-with-one-store is a gateway's)
    HealthHandler health = new HealthHandler(() -> RedisClients.answers(redis, config.redis(), keys), pool, registry,
        draining, warming, (redisUp, postgresUp) -> redisUp && postgresUp, readiness);
    Router router = Router.router(vertx);
    // the public port's request id and security headers (nosniff, DENY, no-referrer, CSP, no-store), so that a
    // scrape or a probe answer is as inert in a browser as an API answer, and its refusal of what HTTP/1 cannot read
    // as sent (another version, answered here and not by Vert.x's bare 501; a request the codec failed, which the
    // invalid-request handler passes to the router and which must not be answered as the path it names)
    EdgeHandlers edge = new EdgeHandlers(config.security());
    router.route().handler(RequestIds::assign).handler(edge::securityHeaders)
        .handler(Http1Framing::refuseUnsupportedVersion).handler(edge::requestLimits);
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    router.get("/metrics").handler(health::metrics);
    HeadRequests.onEveryGetRoute(router);
    // the gateway's refusals: an unknown path or method is a problem+json 404 or 405 (with Allow); a HEAD's answer
    // has the same status and headers, without the body
    new Problems(edge, ThrottledLog.everyTenSeconds()).answerEveryRefusal(router);
    // the public port's limits (idle timeout, header and line sizes, HTTP/2 streams), in plain HTTP for the scrapes
    return vertx.createHttpServer(ServerOptions.withoutTls(config.http(), config.security()))
        .connectionHandler(ServerOptions.connectionGuards(config.security()))
        .requestHandler(router)
        .invalidRequestHandler(EdgeHandlers.invalidRequestHandler(router))
        .listen().onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    return server.close().eventually(() -> Future.join(redis.close(), pool.close()));
  }

  int actualPort() {
    return server.actualPort();
  }
}
