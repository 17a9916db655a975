package vn.onewindow.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.ResilienceConfig.RateLimits;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.metrics.EventLoopProbe;
import vn.onewindow.gateway.admission.Admission;
import vn.onewindow.gateway.health.HealthHandler;
import vn.onewindow.gateway.http.ApiContract;
import vn.onewindow.gateway.http.Problems;
import vn.onewindow.gateway.http.RequestIds;
import vn.onewindow.gateway.http.SubmissionOutcomes;
import vn.onewindow.gateway.security.Security;
import vn.onewindow.gateway.status.DossierStatusReader;
import vn.onewindow.gateway.status.StatusHandler;
import vn.onewindow.gateway.submit.DirectWriter;
import vn.onewindow.gateway.submit.DossierIntake;
import vn.onewindow.gateway.submit.DossierQueue;
import vn.onewindow.gateway.submit.StatusLinks;
import vn.onewindow.gateway.submit.SubmitHandler;
import vn.onewindow.gateway.validation.DossierParser;

/** The HTTP edge: one instance per event loop, all sharing the listening port and one {@link GatewayShared}. */
public final class GatewayVerticle extends VerticleBase {
  private static final int[] ROUTER_STATUSES = {400, 404, 405, 406, 413, 415, 500};

  private final GatewayShared shared;
  private final HubConfig config;
  private Redis redis;
  private Pool pool;
  private HttpServer server;

  public GatewayVerticle(GatewayShared shared) {
    this.shared = shared;
    this.config = shared.config();
  }

  @Override
  public Future<?> start() {
    EventLoopProbe.start(vertx, shared.registry());
    redis = RedisClients.create(vertx, config.redis(), "gateway");
    pool = PostgresClients.pool(vertx, config.postgres(), "gateway");
    RedisKeys keys = shared.keys();
    RateLimits limits = config.resilience().rateLimits();
    Admission admission = shared.admission();
    SubmissionOutcomes outcomes = new SubmissionOutcomes(shared.registry());
    Problems problems = new Problems(outcomes);
    DossierIntake intake = new DossierIntake(
        new DossierQueue(keys, config.dossier(), limits.enabled() ? limits.applicant() : null, shared.registry()),
        new DirectWriter(pool, config.dossier().idempotencyTtl()),
        shared.breakers(), shared.limiter(), shared.localLimiter(), config.resilience());
    SubmitHandler submit = new SubmitHandler(new DossierParser(config.http().bodyLimitBytes()), shared.validator(),
        intake, redis, config.dossier(), new StatusLinks(config.http().publicBaseUrl()), outcomes,
        shared.registry(), Clock.systemUTC());
    StatusHandler status = new StatusHandler(new DossierStatusReader(pool, redis, keys, shared.breakers(),
        config.resilience().breakers().postgresReadTimeout()));
    HealthHandler health = new HealthHandler(redis, pool, shared.registry(), admission::draining);
    Security security = Security.create(vertx, config.security());
    ApiContract contract = ApiContract.load(ApiContract.LOCATION);

    Router router = Router.router(vertx);
    router.route().handler(RequestIds::assign);
    security.installEdgeHandlers(router);
    // The body (capped; an oversized Content-Length is refused unread) is read before the asynchronous checks.
    router.route("/v1/*")
        .handler(BodyHandler.create(false).setBodyLimit(config.http().bodyLimitBytes()))
        .handler(security.authenticateClient())
        .handler(security.authenticateCitizen())
        .handler(ctx -> admission.limitClient(ctx, redis, keys.prefix()));
    router.post("/v1/dossiers")
        .consumes("application/json")
        .handler(admission::shed)
        .handler(submit::handle);
    router.get("/v1/dossiers/:id").handler(status::handle);
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    router.get("/metrics").handler(health::metrics);
    router.get("/openapi.yaml").handler(contract::serve);
    router.route().failureHandler(problems::handle);
    for (int code : ROUTER_STATUSES) {
      router.errorHandler(code, ctx -> problems.respondToStatus(ctx, code));
    }

    HttpServerOptions options = security.applyTo(new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setCompressionSupported(false));
    return vertx.createHttpServer(options)
        .requestHandler(router)
        .invalidRequestHandler(security.invalidRequestHandler(router))
        .listen()
        .onSuccess(s -> server = s);
  }

  /**
   * Graceful: the listener stops taking connections and in-flight requests may finish within the drain bound
   * before the clients close.
   */
  @Override
  public Future<?> stop() {
    Future<Void> closing = server == null ? Future.succeededFuture()
        : server.shutdown(config.resilience().drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
    return closing.eventually(() -> Future.join(redis.close(), pool.close()));
  }

  /** The port actually bound (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
