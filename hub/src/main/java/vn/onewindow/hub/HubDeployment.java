package vn.onewindow.hub;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.health.Draining;
import vn.onewindow.common.health.ReadinessGauges;
import vn.onewindow.common.http.ListenerGuards;
import vn.onewindow.common.infra.BacklogMonitor;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.infra.SchemaCompatibility;
import vn.onewindow.common.metrics.ThrottledLog;
import vn.onewindow.gateway.GatewayFileContents;
import vn.onewindow.gateway.GatewayShared;
import vn.onewindow.gateway.GatewayVerticle;
import vn.onewindow.intake.IntakeVerticle;
import vn.onewindow.intake.IntakeWarmup;

/**
 * The verticles a hub process deploys for its role, once its servers are up and migrated: health and metrics of a
 * worker-only process, the intake's warm-up and workers, the gateway's shared state and verticles, and the seeding of
 * missing dossier counters before readiness. Holds what the drain ({@link HubDrain}) and the close then stop.
 */
final class HubDeployment {
  private static final Logger LOG = LoggerFactory.getLogger(HubDeployment.class);
  private static final AtomicInteger CONSUMER_SEQ = new AtomicInteger();
  /** How long a failed start waits for the intake's (the warm-up ends by warmup.ready-within-ms, 13 s). */
  private static final long INTAKE_START_BOUND_S = 15;
  /** The longest the seeding of missing counters may hold readiness back, within the warm-up's budget. */
  private static final Duration PRESEED_CAP = Duration.ofSeconds(10);
  /** How often a re-check that still cannot read PostgreSQL says so (WARN). */
  private static final long FLOOR_WAIT_LOG_MS = 60_000;

  private final HubConfig config;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  /** What the gateway's files hold, read before anything started; null in a worker-only process. */
  private final GatewayFileContents files;
  /** False when PostgreSQL could not be read at start: the intake consumes only once the check passed. */
  private final boolean floorChecked;
  /** The re-checks' WARN lines while PostgreSQL stays unreadable, one a minute. */
  private final ThrottledLog floorWaits = new ThrottledLog(FLOOR_WAIT_LOG_MS, System::nanoTime);
  private final List<GatewayVerticle> gateways = new CopyOnWriteArrayList<>();
  private GatewayShared shared;
  /** The start-up seeding's Redis client (seedMissingCounters). */
  private volatile Redis seedingRedis;
  private String gatewayDeployment;
  /** The process's backlog monitor (the gateway's when it runs one): stopped before vert.x closes its client. */
  private volatile BacklogMonitor backlog;
  private int managementPort = -1;
  /** Readiness of a worker-only process's management port; its gateway's admission has its own in other roles. */
  private final Draining draining = new Draining();
  /** The intake workers' deployment, once they consume: a worker-only process stops them first when it drains. */
  private volatile String intakeDeployment;
  /** The intake workers' PostgreSQL pool, closed by the drain after them. */
  private volatile Pool intakePool;

  HubDeployment(HubConfig config, Vertx vertx, PrometheusMeterRegistry registry, GatewayFileContents files,
                boolean floorChecked) {
    this.config = config;
    this.vertx = vertx;
    this.registry = registry;
    this.files = files;
    this.floorChecked = floorChecked;
  }

  /**
   * The intake warms up and then consumes ({@link #warmUpIntake}, {@link #startWorkers}); meanwhile readiness answers
   * 503: on the management port, which listens first, in an intake-only process; on the gateway's port in an `all`
   * process, whose gateway warms up at the same time (in turn, the two would take longer than the 15 s a process has
   * to turn ready). When the floor could not be checked at start, the start and the gateway wait for the warm-up
   * only: the workers deploy once a re-check passed (an intake below the intake floor must never write), and an
   * intake-only process stays unready until then, or for good when the floor refuses it.
   */
  void deploy() {
    AtomicBoolean intakeStarting = new AtomicBoolean(config.runsIntake());
    if (!config.runsGateway()) {
      draining.bindTo(registry); // a gateway's admission exports hub_draining otherwise, its GatewayShared hub_ready
      ManagementVerticle management = new ManagementVerticle(config, registry, draining, intakeStarting::get,
          new ReadinessGauges().bindTo(registry));
      listening("health and metrics (hub.role=intake)", vertx.deployVerticle(management));
      managementPort = management.actualPort();
      LOG.info("health and metrics on {}:{}", config.http().host(), managementPort);
    }
    Future<Void> warmedUp = config.runsIntake() ? warmUpIntake() : Future.succeededFuture();
    Future<Void> consuming = config.runsIntake()
        ? warmedUp.compose(v -> floorPassed()).compose(v -> startWorkers()).onSuccess(v -> intakeStarting.set(false))
        : Future.succeededFuture();
    if (!floorChecked) {
      consuming.onFailure(e -> {
        if (!(e instanceof SchemaCompatibility.Refused)) { // said by SchemaCompatibility, in the start refusal's words
          LOG.error("intake not started: {}", e.toString());
        }
      });
    }
    Future<Void> intake = floorChecked ? consuming : warmedUp;
    if (config.runsGateway()) {
      try {
        startGateway(intake);
      } catch (Exception e) {
        // let the intake's start end first (its warm-up is bounded): Vert.x closed under a verticle still starting
        // logs "Promise already completed" over the real cause (e.g. the HTTP port taken)
        try {
          intake.otherwiseEmpty().await(INTAKE_START_BOUND_S, TimeUnit.SECONDS);
        } catch (TimeoutException ignored) {
          // closed anyway
        }
        throw e;
      }
    }
    intake.await();
    if (!config.runsGateway()) {
      backlog = BacklogMonitor.start(vertx, config, registry).await();
    }
  }

  private void startGateway(Future<Void> intake) {
    shared = GatewayShared.start(vertx, config, () -> files, registry).await();
    backlog = shared.backlog();
    shared.warmup().begin();
    Future<Integer> seeding = seedMissingCounters();
    shared.warmup().holdUntil(Future.all(intake, seeding));
    gatewayDeployment = listening("the gateway", vertx.deployVerticle(() -> {
      GatewayVerticle gateway = new GatewayVerticle(shared);
      gateways.add(gateway);
      return gateway;
    }, new DeploymentOptions().setInstances(config.http().instances())));
    LOG.info("gateway listening on {}:{} ({} event loops, {} transport, catalogue of {} procedures)",
        config.http().host(), httpPort(), config.http().instances(),
        ListenerGuards.transportName(vertx), shared.validator().catalogue().size());
    shared.warmup().run(vertx, httpPort(), config.security().tls().enabled()).await();
    // bounded: none starts past the warm-up's budget, nor holds it longer than a request's wait past it; so that a
    // started hub is a ready one
    seeding.await();
  }

  /** A listening verticle's deployment, awaited: a bind failure as a {@link StartRefused}. */
  private String listening(String listener, Future<String> deployment) {
    try {
      return deployment.await();
    } catch (Exception e) {
      StartRefused refused = StartRefused.ofBindFailure(listener, config.http(), e);
      if (refused != null) {
        throw refused;
      }
      throw e; // not only RuntimeException: Future.await() rethrows a checked exception as it is
    }
  }

  /**
   * Before readiness, the dossier counters of the partitions a fresh or emptied Redis lacks, one partition after the
   * other ({@link vn.onewindow.gateway.submit.CodeSequences#seedMissing}), starting none past the warm-up's budget
   * ({@code warmup.ready-within-ms} after the JVM started). Never fails. Says how many it seeded (no personal data).
   */
  private Future<Integer> seedMissingCounters() {
    // open until the hub closes: a seeding still running at the deadline goes on through it (the first submissions
    // join it); a connection that stops answering is closed as the gateway's are
    seedingRedis = RedisClients.create(vertx, config.redis(), "seeding", GatewayShared.redisSilence(config));
    return shared.sequences().seedMissing(seedingRedis, config.warmup().deadlineNanos(PRESEED_CAP))
        .onSuccess(seeded -> LOG.info("dossier counters: {} of {} partitions seeded from PostgreSQL before readiness "
            + "(the others had their epoch marker in Redis, or are seeded by their first submission)", seeded,
            config.stream().partitions()));
  }

  /** The intake's warm-up ({@link IntakeWarmup}; it never fails). */
  private Future<Void> warmUpIntake() {
    return vertx.deployVerticle(new IntakeWarmup(config)).compose(vertx::undeploy);
  }

  /**
   * Once the floor check PostgreSQL could not answer at start passed: retried every
   * {@link SchemaCompatibility#RECHECK_INTERVAL} (JDBC, on a worker thread); failed with
   * {@link SchemaCompatibility.Refused} when the floor is above this release's level.
   */
  private Future<Void> floorPassed() {
    if (floorChecked) {
      return Future.succeededFuture();
    }
    Promise<Void> passed = Promise.promise();
    recheckFloor(passed);
    return passed.future();
  }

  private void recheckFloor(Promise<Void> passed) {
    vertx.executeBlocking(() -> SchemaCompatibility.recheck(config.postgres(), floorWaits), false)
        .onFailure(passed::fail)
        .onSuccess(checked -> {
          if (checked) {
            passed.complete();
          } else {
            vertx.setTimer(SchemaCompatibility.RECHECK_INTERVAL.toMillis(), t -> recheckFloor(passed));
          }
        });
  }

  /**
   * The intake's workers, on one PostgreSQL pool of the process (made here, on no verticle's context; the drain closes
   * it once every worker has stopped, since vert.x's own close would close it before it stops the workers).
   */
  private Future<Void> startWorkers() {
    String consumerBase = hostName() + "-" + ProcessHandle.current().pid();
    Pool pool = PostgresClients.pool(vertx, config.postgres(), "intake");
    intakePool = pool;
    return vertx.deployVerticle(() -> new IntakeVerticle(config,
            consumerBase + "-" + CONSUMER_SEQ.incrementAndGet(), pool, registry),
            new DeploymentOptions().setInstances(config.intake().workers()))
        .onSuccess(id -> intakeDeployment = id)
        .onSuccess(id -> LOG.info("intake: {} worker(s) consuming {}", config.intake().workers(),
            config.stream().name()))
        .mapEmpty();
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return ManagementFactory.getRuntimeMXBean().getName();
    }
  }

  /** The port of the public API, or of health and metrics when this process runs no gateway. */
  int httpPort() {
    return gateways.isEmpty() ? managementPort : gateways.get(0).actualPort();
  }

  /** Null when this process runs no gateway (or before it started). */
  GatewayShared gateway() {
    return shared;
  }

  /** Readiness of a worker-only process's management port. */
  Draining draining() {
    return draining;
  }

  /** Null until the gateway verticles listen. */
  String gatewayDeployment() {
    return gatewayDeployment;
  }

  /** Null until the intake workers consume. */
  String intakeDeployment() {
    return intakeDeployment;
  }

  Pool intakePool() {
    return intakePool;
  }

  /** Stops the backlog sampling, before vert.x closes the monitor's client. */
  void stopSampling() {
    BacklogMonitor monitor = backlog;
    if (monitor != null) {
      monitor.stop();
    }
  }

  /** Before vert.x closes, when a start failed or the hub closes: the sampling, then the seeding's Redis client. */
  void stopClients() {
    stopSampling();
    if (seedingRedis != null) {
      seedingRedis.close();
    }
  }
}
