package vn.onewindow.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.gateway.health.HealthHandler;
import vn.onewindow.gateway.http.Problems;
import vn.onewindow.gateway.http.RequestIds;
import vn.onewindow.gateway.http.SubmissionOutcomes;
import vn.onewindow.gateway.security.Security;
import vn.onewindow.gateway.status.DossierStatusReader;
import vn.onewindow.gateway.status.StatusHandler;
import vn.onewindow.gateway.submit.DossierQueue;
import vn.onewindow.gateway.submit.StatusLinks;
import vn.onewindow.gateway.submit.SubmitHandler;
import vn.onewindow.gateway.validation.DossierParser;
import vn.onewindow.gateway.validation.DossierValidator;

/** The HTTP edge: one instance per event loop, all sharing the listening port. */
public final class GatewayVerticle extends VerticleBase {
  private static final int[] ROUTER_STATUSES = {400, 404, 405, 406, 413, 415, 500};

  private final HubConfig config;
  private final DossierValidator validator;
  private final PrometheusMeterRegistry registry;
  private Redis redis;
  private Pool pool;
  private HttpServer server;

  public GatewayVerticle(HubConfig config, DossierValidator validator, PrometheusMeterRegistry registry) {
    this.config = config;
    this.validator = validator;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    redis = RedisClients.create(vertx, config.redis());
    pool = PostgresClients.pool(vertx, config.postgres(), "gateway");
    RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
    SubmissionOutcomes outcomes = new SubmissionOutcomes(registry);
    Problems problems = new Problems(outcomes);
    SubmitHandler submit = new SubmitHandler(new DossierParser(config.http().bodyLimitBytes()), validator,
        new DossierQueue(redis, keys, config.dossier(), registry), config.dossier(),
        new StatusLinks(config.http().publicBaseUrl()), outcomes, Clock.systemUTC());
    StatusHandler status = new StatusHandler(new DossierStatusReader(pool, redis, keys));
    HealthHandler health = new HealthHandler(redis, pool, registry);
    Security security = Security.create(vertx, config.security());

    Router router = Router.router(vertx);
    router.route().handler(RequestIds::assign);
    security.installEdgeHandlers(router);
    router.route("/v1/*").handler(security.authenticateClient()).handler(security.authenticateCitizen());
    router.post("/v1/dossiers")
        .consumes("application/json")
        .handler(BodyHandler.create(false).setBodyLimit(config.http().bodyLimitBytes()))
        .handler(submit::handle);
    router.get("/v1/dossiers/:id").handler(status::handle);
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    router.get("/metrics").handler(health::metrics);
    router.route().failureHandler(problems::handle);
    for (int code : ROUTER_STATUSES) {
      router.errorHandler(code, ctx -> problems.respondToStatus(ctx, code));
    }

    HttpServerOptions options = security.applyTo(new HttpServerOptions())
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setCompressionSupported(false)
        .setIdleTimeout(60);
    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    Future<Void> closing = server == null ? Future.succeededFuture() : server.shutdown();
    return closing.eventually(() -> Future.join(redis.close(), pool.close()));
  }

  /** The port actually bound (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
