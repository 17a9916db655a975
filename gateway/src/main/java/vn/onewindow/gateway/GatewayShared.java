package vn.onewindow.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Supplier;
import vn.onewindow.common.agency.AgencyDirectory;
import vn.onewindow.common.calendar.DueDates;
import vn.onewindow.common.health.HealthHandler;
import vn.onewindow.common.health.ReadinessGauges;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.ResilienceConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.BacklogMonitor;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.ThrottledLog;
import vn.onewindow.gateway.admission.Admission;
import vn.onewindow.gateway.admission.LocalRateLimiter;
import vn.onewindow.gateway.admission.RateLimiter;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.ApiContract;
import vn.onewindow.gateway.security.Authentication;
import vn.onewindow.gateway.security.CallerAddress;
import vn.onewindow.gateway.security.EdgeHandlers;
import vn.onewindow.gateway.stats.ProvinceTimeliness;
import vn.onewindow.gateway.stats.StatisticsCache;
import vn.onewindow.gateway.submit.CodeSequences;
import vn.onewindow.gateway.submit.RecentDirectWrites;
import vn.onewindow.gateway.validation.DossierValidator;
import vn.onewindow.gateway.warmup.Warmup;

/**
 * What every gateway verticle of one process shares: authentication (client registry, JWK cache), the edge
 * handlers, the agency directory, the validator, one circuit breaker per upstream, the rate limiter with its local
 * fallback, the bulkhead and drain flag, the backlog monitor, the Redis key layout and the direct-path watch. Built
 * once, before the verticles are deployed.
 */
public final class GatewayShared {
  /** How often the local (Redis-down) limiter forgets idle keys: bounds its memory, not its accuracy. */
  private static final long EVICT_INTERVAL_MS = 10_000;

  private final HubConfig config;
  private final AgencyDirectory directory;
  private final DossierValidator validator;
  private final PrometheusMeterRegistry registry;
  private final UpstreamBreakers breakers;
  private final LocalRateLimiter localLimiter;
  private final RateLimiter limiter;
  private final Admission admission;
  private final Authentication authentication;
  private final EdgeHandlers edge;
  private final DueDates dueDates;
  private final ApiContract contract = ApiContract.load(ApiContract.LOCATION);
  private final Warmup warmup;
  private final ReadinessGauges readiness;
  private final RedisKeys keys;
  private final RecentDirectWrites recentDirect;
  private final CodeSequences sequences;
  private final BacklogMonitor backlog;
  /** The statistics answers of the last stats.cache-ms, for every event loop's handler. */
  private final StatisticsCache statistics;
  /** One window per class of refusal for the whole process, not per event loop (README, Observability). */
  private final ThrottledLog refusalLog = ThrottledLog.everyTenSeconds();

  private GatewayShared(Vertx vertx, HubConfig config, GatewayFileContents files, PrometheusMeterRegistry registry,
                        BacklogMonitor backlog, RecentDirectWrites recentDirect) {
    this.config = config;
    this.keys = RedisKeys.of(config.redis(), config.stream());
    this.recentDirect = recentDirect;
    this.backlog = backlog;
    this.registry = registry;
    this.statistics = new StatisticsCache(config.stats().cache());
    this.directory = files.directory();
    this.validator = new DossierValidator(files.catalogue(), directory,
        config.dossier().attachmentUriPrefixes(),
        config.dossier().zone(), Clock.systemUTC());
    this.breakers = new UpstreamBreakers(config.resilience().breakers(),
        config.redis().cluster() ? Math.min(config.stream().partitions(), UpstreamBreakers.MAX_ENQUEUE_BREAKERS) : 1,
        registry);
    this.localLimiter = new LocalRateLimiter(Clock.systemUTC());
    this.limiter = new RateLimiter(config.resilience().rateLimits(), breakers, localLimiter, registry,
        (ms, task) -> vertx.setTimer(ms, id -> task.run()));
    this.admission = new Admission(config.resilience(), limiter, new CallerAddress(config.security().trustedProxies()),
        backlog, registry);
    // the primary's pool (the gateway's, shared): a replica may lag behind the codes just written. The query leaves
    // the enqueue's timeout room for the call after it
    Duration enqueueTimeout = config.resilience().breakers().redisEnqueueTimeout();
    Duration readTimeout = config.resilience().breakers().postgresReadTimeout();
    this.sequences = new CodeSequences(PostgresClients.pool(vertx, config.postgres(), "gateway"), keys, directory,
        config.dossier().zone(), Clock.systemUTC(), breakers,
        readTimeout.compareTo(enqueueTimeout.dividedBy(2)) < 0 ? readTimeout : enqueueTimeout.dividedBy(2),
        recentDirect, registry);
    this.readiness = new ReadinessGauges().bindTo(registry);
    this.warmup = new Warmup(config.warmup(), config.dossier().attachmentUriPrefixes());
    this.authentication = Authentication.create(vertx, config.security(), files.clients(), warmup);
    this.edge = new EdgeHandlers(config.security());
    this.dueDates = new DueDates(files.calendar(), config.dossier().zone());
    // lets operators see the calendar's end coming (alert HubCalendarEndingSoon): near it, due dates and so
    // submissions fail (503 calendar-not-loaded) until the next year's file is loaded
    Gauge.builder(MeterNames.CALENDAR_DAYS_LEFT, dueDates, d -> d.daysLeft(Clock.systemUTC().instant()))
        .description("Days from today to the last day of the loaded official calendar").register(registry);
  }

  /** As {@link #start(Vertx, HubConfig, Supplier, PrometheusMeterRegistry)}, reading the files itself. */
  public static Future<GatewayShared> start(Vertx vertx, HubConfig config, PrometheusMeterRegistry registry) {
    return start(vertx, config, () -> GatewayFileContents.load(config), registry);
  }

  /**
   * Creates the shared state once the backlog monitor and the direct-path watch have taken their first reading.
   * {@code files}: what the configured files hold, read by the caller (the hub reads them before it starts anything)
   * or here, off the event loop.
   */
  public static Future<GatewayShared> start(Vertx vertx, HubConfig config, Supplier<GatewayFileContents> files,
                                            PrometheusMeterRegistry registry) {
    Future<BacklogMonitor> backlog = BacklogMonitor.start(vertx, config, registry);
    Future<RecentDirectWrites> recentDirect = RecentDirectWrites.start(vertx,
        PostgresClients.pool(vertx, config.postgres(), "gateway"), config.dossier());
    return Future.all(backlog, recentDirect)
        // reading the catalogue, agencies, calendar, schemas and API contract blocked an event loop for 2.4 s on a
        // slow machine (Vert.x's blocked-thread warning at every start), stalling whatever else that loop serves
        .compose(started -> vertx.executeBlocking(
            () -> new GatewayShared(vertx, config, files.get(), registry, backlog.result(), recentDirect.result())))
        .map(shared -> {
          vertx.setPeriodic(EVICT_INTERVAL_MS, id -> shared.localLimiter.evictIdle());
          if (config.stats().refreshesProvinces()) {
            // lag-tolerant: a replica when postgres.read-url is set; the statistics' one connection, shared with
            // GET /v1/stats/timeliness (pools are shared by name)
            new ProvinceTimeliness(PostgresClients.pool(vertx,
                config.postgres().statistics(config.stats().poolWaiting()), "stats"),
                config.dossier().zone(), config.stats(), shared.directory::provinceOf, Clock.systemUTC(),
                registry).start(vertx);
          }
          return shared;
        });
  }

  /**
   * How long a gateway Redis connection may receive nothing before it is closed as dead (its peer gone without FIN or
   * RST, a server that stopped answering), so that the breakers' timeouts are not followed by a connection every
   * later command queues behind for good: {@link vn.onewindow.common.config.RedisConfig#silenceAbove} of the longest
   * the gateway awaits one reply, which its callers bound: the enqueue call (the WAIT for replicas inside it), the
   * limiter, a status look-up (timeout.postgres-read-ms bounds its Redis read too) and the readiness PING. The
   * gateway sends no blocking command.
   */
  public static Duration redisSilence(HubConfig config) {
    ResilienceConfig.Breakers breakers = config.resilience().breakers();
    // the readiness PING is the one gateway Redis call no knob bounds
    Duration longest = HealthHandler.CHECK_TIMEOUT;
    for (Duration bound : List.of(breakers.redisEnqueueTimeout(), config.resilience().rateLimits().redisTimeout(),
        breakers.postgresReadTimeout())) {
      longest = bound.compareTo(longest) > 0 ? bound : longest;
    }
    return config.redis().silenceAbove(longest);
  }

  public RedisKeys keys() {
    return keys;
  }

  /** The stream backlog and Redis memory sampler that load shedding reads. */
  public BacklogMonitor backlog() {
    return backlog;
  }

  public RecentDirectWrites recentDirect() {
    return recentDirect;
  }

  /** Seeds a partition's dossier counters from PostgreSQL when Redis lost them (single-flight per partition). */
  public CodeSequences sequences() {
    return sequences;
  }

  public HubConfig config() {
    return config;
  }

  /** The agency directory (config/agencies.json): submission validation and agency feeds. */
  public AgencyDirectory directory() {
    return directory;
  }

  public DossierValidator validator() {
    return validator;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public StatisticsCache statistics() {
    return statistics;
  }

  public UpstreamBreakers breakers() {
    return breakers;
  }

  public RateLimiter limiter() {
    return limiter;
  }

  public Admission admission() {
    return admission;
  }

  public Authentication authentication() {
    return authentication;
  }

  public EdgeHandlers edge() {
    return edge;
  }

  /**
   * The appointment date of a dossier of {@code procedureCode} accepted at {@code acceptedAt}: the same rule as the
   * receipt's and the due-date look-up's (statutory working days, and the procedure's cut-off: an acceptance after
   * it counts from the next working day), since acceptance is the valid receipt that starts the clock. Null for a
   * procedure no longer in the catalogue: the dossier keeps no computed date rather than a wrong one.
   *
   * @throws vn.onewindow.common.calendar.CalendarNotCoveredException when the loaded calendar does not reach it
   */
  public LocalDate acceptanceDue(String procedureCode, Instant acceptedAt) {
    return validator.catalogue().find(procedureCode)
        .map(p -> p.due(dueDates, acceptedAt).due())
        .orElse(null);
  }

  /** The process's hub_ready gauges, which every verticle's health handler sets (see {@link ReadinessGauges}). */
  public ReadinessGauges readiness() {
    return readiness;
  }

  /** The synthetic warm-up a new process runs before it turns ready (see {@link Warmup}). */
  public Warmup warmup() {
    return warmup;
  }

  /** The refusals' log throttle, shared by every verticle's {@code Problems}. */
  public ThrottledLog refusalLog() {
    return refusalLog;
  }

  /** The API contract served at GET /openapi.yaml, read once. */
  public ApiContract contract() {
    return contract;
  }

  /** Due dates on the official calendar, validated at start (a bad calendar file stops the process). */
  public DueDates dueDates() {
    return dueDates;
  }
}
