package vn.onewindow.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.metrics.EventLoopProbe;
import vn.onewindow.gateway.admission.Admission;
import vn.onewindow.gateway.catalogue.ProcedureHandler;
import vn.onewindow.gateway.feedback.RatingHandler;
import vn.onewindow.gateway.events.EventHandler;
import vn.onewindow.gateway.feed.FeedHandler;
import vn.onewindow.common.health.HealthHandler;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.gateway.http.Http1Framing;
import vn.onewindow.gateway.http.JsonContent;
import vn.onewindow.gateway.http.Problems;
import vn.onewindow.gateway.http.RequestIds;
import vn.onewindow.gateway.http.Routes;
import vn.onewindow.gateway.http.ServerOptions;
import vn.onewindow.gateway.http.SubmissionOutcomes;
import vn.onewindow.gateway.security.Authentication;
import vn.onewindow.gateway.security.BrowserOrigins;
import vn.onewindow.gateway.security.ClientKinds;
import vn.onewindow.gateway.security.EdgeHandlers;
import vn.onewindow.gateway.stats.TimelinessHandler;
import vn.onewindow.gateway.status.DossierStatusReader;
import vn.onewindow.gateway.status.IssuedCodes;
import vn.onewindow.gateway.status.StatusHandler;
import vn.onewindow.gateway.submit.DirectWriter;
import vn.onewindow.gateway.submit.DossierIntake;
import vn.onewindow.gateway.submit.DossierQueue;
import vn.onewindow.gateway.submit.StatusLinks;
import vn.onewindow.gateway.submit.SubmitHandler;
import vn.onewindow.gateway.validation.DossierParser;

/**
 * The HTTP edge: one instance per event loop, all sharing the listening port and one {@link GatewayShared}. The
 * router below is the table of contents of every request: read it top to bottom.
 */
public final class GatewayVerticle extends VerticleBase {
  private final GatewayShared shared;
  private final HubConfig config;
  private Redis redis;
  private Pool pool;
  private Pool reads;
  private Pool events;
  private Pool statistics;
  private HttpServer server;

  public GatewayVerticle(GatewayShared shared) {
    this.shared = shared;
    this.config = shared.config();
  }

  @Override
  public Future<?> start() {
    EventLoopProbe.start(vertx, shared.registry());
    // a connection silent past the longest reply the gateway awaits is closed and replaced (GatewayShared)
    redis = RedisClients.ring(vertx, config.redis(), "gateway", GatewayShared.redisSilence(config));
    pool = PostgresClients.pool(vertx, config.postgres(), "gateway");
    // the agency side never queues behind submissions' direct writes: its own pools (reads: a replica when set)
    reads = PostgresClients.pool(vertx, config.postgres().reads(), "reads");
    events = PostgresClients.pool(vertx, config.postgres().events(), "events");
    // statistics never take the look-ups' and feeds' connections: one of their own, shared with the province gauges
    statistics = PostgresClients.pool(vertx, config.postgres().statistics(config.stats().poolWaiting()), "stats");
    RedisKeys keys = shared.keys();
    EdgeHandlers edge = shared.edge();
    BrowserOrigins origins = edge.origins();
    Authentication auth = shared.authentication();
    Admission admission = shared.admission();
    SubmissionOutcomes outcomes = new SubmissionOutcomes(shared.registry());
    Problems problems = new Problems(edge, outcomes, shared.refusalLog(), config.http().bodyLimitBytes());
    SubmitHandler submit = submitHandler(keys, outcomes);
    Duration readTimeout = config.resilience().breakers().postgresReadTimeout();
    // a look-up the replica cannot answer asks the primary before its 404 (the pool of the direct path, which that
    // path leaves idle while Redis answers, as it has just done)
    Pool lookupsAfterMiss = config.postgres().readUrl().isEmpty() ? reads : pool;
    StatusHandler status = new StatusHandler(new DossierStatusReader(reads, lookupsAfterMiss, redis, keys,
        shared.breakers(), readTimeout), new IssuedCodes(redis, keys, readTimeout));
    FeedHandler feeds = new FeedHandler(reads, events, shared.breakers(), readTimeout, shared.directory(),
        shared.registry(), shared.refusalLog());
    EventHandler progress = new EventHandler(new DossierParser(config.http().bodyLimitBytes(), "progress event"),
        events, shared.breakers(), config.resilience().breakers().postgresWriteTimeout(), config.dossier(),
        shared.dueDates(), shared::acceptanceDue, shared.registry(),
        Clock.systemUTC());
    ProcedureHandler procedures = new ProcedureHandler(shared.validator().catalogue(), shared.dueDates(),
        Clock.systemUTC());
    RatingHandler ratings = new RatingHandler(new DossierParser(config.http().bodyLimitBytes(), "rating"), pool,
        shared.breakers(),
        config.resilience().breakers().postgresWriteTimeout());
    TimelinessHandler stats = new TimelinessHandler(statistics, shared.breakers(), config.stats(), shared.statistics(),
        shared.directory()::provinceOf, config.dossier().zone(), Clock.systemUTC());
    HealthHandler health = new HealthHandler(() -> RedisClients.answers(redis, config.redis(), keys), pool,
        shared.registry(), admission::draining, shared.warmup()::warming, config.resilience()::gatewayReady,
        shared.readiness());

    Router router = Router.router(vertx);
    // Edge hygiene, every request: request id, security headers, HTTP version, header limits, browser origins,
    // deadline; while the process drains, answers close their connection.
    router.route()
        .handler(RequestIds::assign)
        .handler(edge::securityHeaders)
        .handler(admission::closeConnectionsWhileDraining)
        .handler(Http1Framing::refuseUnsupportedVersion)
        .handler(edge::requestLimits)
        .handler(origins::check)
        .handler(edge::deadline);
    // The API: a body read within its cap (an oversized Content-Length is refused unread), who is calling, and
    // the calling client's rate limit. The body is read first: read after the key and the limit, every refusal would
    // have to release a paused request, over HTTP/1 and HTTP/2 alike, or its connection hangs; a body is at most
    // http.body-limit-bytes and the request deadline bounds a slow one.
    // A form's Content-Type where JSON is taken: 415 before the BodyHandler would decode the body as form fields;
    // a compressed body: 415 too, unread
    for (String takesJson : List.of(Routes.DOSSIERS, Routes.EVENTS, Routes.DOSSIER_RATING)) {
      router.post(takesJson).handler(JsonContent::refuseForms).handler(JsonContent::refuseContentCodings);
    }
    router.route(Routes.API)
        .handler(BodyHandler.create(false).setBodyLimit(config.http().bodyLimitBytes()))
        .handler(auth::client)
        .handler(auth::citizen);
    // A submission the gateway cannot take now (draining, backlog, in-flight limit) is refused before the rate limit:
    // past its capacity most submissions are refused, and when each refusal made the limit's Redis call first, at
    // thousands of connections the refusals alone loaded Redis until its calls looked slow and the breakers opened
    router.post(Routes.DOSSIERS).handler(admission::shed);
    router.route(Routes.API).handler(admission.clientLimit(redis, keys));
    // Frontends submit and follow their own dossiers; agency systems read their feeds and report progress (403
    // client-kind-not-allowed for the other kind).
    router.post(Routes.DOSSIERS)
        .handler(JsonContent::require)
        .handler(ClientKinds::frontendOnly)
        .handler(submit::parse)
        .handler(submit::guardPayload)
        .handler(submit::validate)
        .handler(submit::checkApplicant)
        .handler(submit::enqueue);
    router.get(Routes.DOSSIER).handler(status::handle);
    router.get(Routes.DOSSIERS).handler(status::byCode);
    router.post(Routes.EVENTS)
        .handler(JsonContent::require)
        .handler(ClientKinds::agencyOnly)
        .handler(progress::parse)
        .handler(progress::validate)
        .handler(progress::record);
    router.get(Routes.AGENCY_FEED).handler(ClientKinds::agencyOnly).handler(feeds::agency);
    router.get(Routes.CHANGES).handler(ClientKinds::frontendOnly).handler(ClientKinds::secretKeyOnly)
        .handler(feeds::changes);
    router.post(Routes.DOSSIER_RATING)
        .handler(JsonContent::require)
        .handler(ClientKinds::frontendOnly)
        .handler(ratings::rate);
    router.get(Routes.PROCEDURES).handler(procedures::list);
    router.get(Routes.PROCEDURE).handler(procedures::one);
    router.get(Routes.PROCEDURE_DUE_DATE).handler(procedures::dueDate);
    router.get(Routes.STATS_TIMELINESS).handler(stats::timeliness);
    router.get(Routes.STATS_RANKING).handler(stats::ranking);
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    router.get("/metrics").handler(health::metrics);
    router.get("/openapi.yaml").handler(shared.contract()::serve);
    // RFC 9110 (9.1): every GET route above answers HEAD too, through the same handlers, without the body
    HeadRequests.onEveryGetRoute(router);
    // Every refusal, from a handler or from the router itself, becomes one problem+json answer; a 405 says Allow.
    problems.answerEveryRefusal(router);

    return vertx.createHttpServer(ServerOptions.of(config.http(), config.security()))
        // HTTP/1 framing Vert.x would answer itself (a 501 for an unknown version, a bad chunk's 400 dropped unsent);
        // HTTP/2's stream limit held before the client acknowledges it
        .connectionHandler(ServerOptions.connectionGuards(config.security()))
        .requestHandler(router)
        .invalidRequestHandler(EdgeHandlers.invalidRequestHandler(router))
        .listen()
        .onSuccess(s -> server = s);
  }

  private SubmitHandler submitHandler(RedisKeys keys, SubmissionOutcomes outcomes) {
    DossierIntake intake = new DossierIntake(
        new DossierQueue(redis, keys, config.dossier(), config.redis(),
            config.resilience().breakers().redisEnqueueTimeout(), shared.registry()),
        shared.sequences(), new DirectWriter(pool, config.dossier().idempotencyTtl()), shared.recentDirect(),
        shared.breakers(), shared.limiter(), shared.admission(), keys, config.resilience(), config.redis(),
        shared.registry());
    return new SubmitHandler(new DossierParser(config.http().bodyLimitBytes(), "dossier"), shared.validator(), intake,
        redis, config.dossier(), shared.dueDates(), keys.partitions(), new StatusLinks(config.http().publicBaseUrl()),
        outcomes, shared.registry(), Clock.systemUTC());
  }

  /**
   * Graceful: the listener stops taking connections and in-flight requests may finish within the drain bound
   * before the clients close.
   */
  @Override
  public Future<?> stop() {
    Future<Void> closing = server == null ? Future.succeededFuture()
        : server.shutdown(config.resilience().drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
    return closing.eventually(() -> Future.join(redis.close(), pool.close(), reads.close(), events.close(),
        statistics.close()));
  }

  /** The port actually bound (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
