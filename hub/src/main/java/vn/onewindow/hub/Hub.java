package vn.onewindow.hub;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.time.Duration;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.health.Draining;
import vn.onewindow.common.infra.BacklogMonitor;
import vn.onewindow.common.infra.EmbeddedServers;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.metrics.Observability;
import vn.onewindow.gateway.GatewayFileContents;
import vn.onewindow.gateway.GatewayShared;
import vn.onewindow.gateway.GatewayVerticle;
import vn.onewindow.intake.IntakeVerticle;
import vn.onewindow.intake.IntakeWarmup;

/**
 * One running hub process: embedded servers when no URLs are configured, migrations, then the gateway and intake
 * verticles its role asks for. Started and stopped from a plain thread (blocking), by {@link HubMain} and by tests.
 */
public final class Hub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Hub.class);
  private static final AtomicInteger CONSUMER_SEQ = new AtomicInteger();
  /** How long a failed start waits for the intake's (the warm-up ends by warmup.ready-within-ms, 13 s). */
  private static final long INTAKE_START_BOUND_S = 15;
  /** The longest the seeding of missing counters may hold readiness back, within the warm-up's budget. */
  private static final Duration PRESEED_CAP = Duration.ofSeconds(10);

  private final HubConfig config;
  private final EmbeddedServers embedded;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
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
  private final GatewayFileContents files;

  /** {@code files}: what the gateway's files hold, null in a worker-only process. */
  private Hub(HubConfig config, EmbeddedServers embedded, GatewayFileContents files) {
    this.files = files;
    this.config = config;
    this.embedded = embedded;
    this.registry = Observability.registry();
    this.vertx = Observability.vertx(registry);
  }

  public static Hub start(HubConfig requested) {
    EmbeddedServers embedded = new EmbeddedServers();
    HubConfig config = requested;
    if (config.isLocalRun()) {
      config = config.asLocalRun();
    }
    // read before anything is started, migrated or warmed: a file this gateway would refuse stops the start at once,
    // before an embedded PostgreSQL's initdb and start, which take seconds
    GatewayFileContents files = config.runsGateway() ? GatewayFileContents.load(config) : null;
    if (config.postgres().embedded()) {
      String url = embedded.startPostgres(config.embedded().dataDir(), config.embedded().postgresPort(), true);
      config = config.withPostgres(config.postgres().withUrl(url));
    }
    if (config.redis().embedded()) {
      String url = embedded.startRedis(config.embedded().dataDir(), config.embedded().redisPort(), true);
      config = config.withRedis(config.redis().withUrl(url));
    }
    if (config.postgres().migrate()) {
      Migrations.apply(config.postgres());
    }
    Hub hub = new Hub(config, embedded, files);
    try {
      hub.deploy();
    } catch (Exception e) {
      // not only RuntimeException: Future.await() rethrows a bind failure's checked exception as it is
      hub.close();
      throw e;
    }
    return hub;
  }

  /**
   * The intake warms up and then consumes ({@link #startIntake}); meanwhile readiness answers 503: on the management
   * port, which listens first, in an intake-only process; on the gateway's port in an `all` process, whose gateway
   * warms up at the same time (in turn, the two would take longer than the 15 s a process has to turn ready).
   */
  private void deploy() {
    AtomicBoolean intakeStarting = new AtomicBoolean(config.runsIntake());
    if (!config.runsGateway()) {
      draining.bindTo(registry); // a gateway's admission exports hub_draining otherwise
      ManagementVerticle management = new ManagementVerticle(config, registry, draining, intakeStarting::get);
      listening("health and metrics (hub.role=intake)", vertx.deployVerticle(management));
      managementPort = management.actualPort();
      LOG.info("health and metrics on {}:{}", config.http().host(), managementPort);
    }
    Future<Void> intake = config.runsIntake()
        ? startIntake().onComplete(ar -> intakeStarting.set(false))
        : Future.succeededFuture();
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
        vertx.isNativeTransportEnabled() ? "native epoll" : "NIO", shared.validator().catalogue().size());
    shared.warmup().run(vertx, httpPort(), config.security().tls().enabled()).await();
    // bounded: none starts past the warm-up's budget, nor holds it longer than a request's wait past it; so that a
    // started hub is a ready one
    seeding.await();
  }

  /** A listening verticle's deployment, awaited: a bind failure as a {@link StartRefused} ({@link #bindRefusal}). */
  private String listening(String listener, Future<String> deployment) {
    try {
      return deployment.await();
    } catch (Exception e) {
      StartRefused refused = bindRefusal(listener, e);
      if (refused != null) {
        throw refused;
      }
      throw e; // not only RuntimeException: Future.await() rethrows a checked exception as it is
    }
  }

  /**
   * A listener that could not bind, as a {@link StartRefused} naming the address and its knobs; the bare "bind(..)
   * failed with error(-98): Address already in use" named neither (ops QA); null for any other failure.
   */
  private StartRefused bindRefusal(String listener, Exception failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      // NIO's java.net.BindException; epoll's NativeIoException, "bind(..) failed with error(-98): Address..."
      if (t instanceof BindException || t instanceof IOException && message.startsWith("bind(")) {
        String why = message.replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
        // a port in use is the port's; an address the machine lacks, or a port it forbids, may be either knob's
        String knobs = why.contains("already in use") ? Settings.knob("http.port")
            : "http.host and http.port, env " + Settings.envName("http.host") + ", " + Settings.envName("http.port");
        return new StartRefused(listener + " cannot listen on " + config.http().host() + ":" + config.http().port()
            + " (" + knobs + "): " + why);
      }
    }
    return null;
  }

  /** A start that cannot go on, said in one line (the message) that names the cause and the knob to look at. */
  public static final class StartRefused extends RuntimeException {
    StartRefused(String message) {
      super(message);
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

  /**
   * The intake's warm-up ({@link IntakeWarmup}; it never fails), then its workers, on one PostgreSQL pool of the
   * process (made here, on no verticle's context; the drain closes it once every worker has stopped, since vert.x's
   * own close would close it before it stops the workers).
   */
  private Future<Void> startIntake() {
    String consumerBase = hostName() + "-" + ProcessHandle.current().pid();
    Pool pool = PostgresClients.pool(vertx, config.postgres(), "intake");
    intakePool = pool;
    return vertx.deployVerticle(new IntakeWarmup(config))
        .compose(vertx::undeploy)
        .compose(v -> vertx.deployVerticle(() -> new IntakeVerticle(config,
            consumerBase + "-" + CONSUMER_SEQ.incrementAndGet(), pool, registry),
            new DeploymentOptions().setInstances(config.intake().workers())))
        .onSuccess(id -> intakeDeployment = id)
        .onSuccess(id -> LOG.info("intake: {} worker(s) consuming {}", config.intake().workers(),
            config.stream().name()))
        .mapEmpty();
  }

  /**
   * Graceful drain (SIGTERM): readiness turns DOWN and new submissions get a fast 503 while load balancers notice;
   * then the listener stops, in-flight requests finish, workers finish and acknowledge their batch; all within
   * {@code drain.timeout-ms}.
   */
  public void drain() {
    embedded.drainThenClose(this::drainProcess);
  }

  /** Drains on SIGTERM / Ctrl-C (a JVM shutdown hook); the embedded servers stop after it, not alongside. */
  public void drainOnShutdown() {
    embedded.stopAfterDrain(config.resilience().drainAnnounce().plus(config.resilience().drainTimeout())
        .plusSeconds(10));
    Runtime.getRuntime().addShutdownHook(new Thread(this::drain, "hub-drain"));
  }

  private void drainProcess() {
    long started = System.nanoTime();
    draining.begin();
    if (shared != null) {
      shared.admission().startDraining();
      LOG.info("draining: readiness DOWN, refusing new submissions for {} ms before closing the listener",
          config.resilience().drainAnnounce().toMillis());
      sleep(config.resilience().drainAnnounce().toMillis());
    }
    long bound = config.resilience().drainTimeout().toMillis();
    // nothing is admitted any more: shedding needs no new samples, and vert.x closes the monitor's client below
    stopSampling();
    try {
      if (gatewayDeployment != null) {
        vertx.undeploy(gatewayDeployment).await(remaining(started, bound), TimeUnit.MILLISECONDS);
      }
      if (intakeDeployment != null) {
        // the workers finish their batches while the management port still answers (readiness 503 draining,
        // hub_draining 1 in /metrics), and before their pool closes: vert.x's close runs the close hooks (the pool
        // made outside any verticle among them) before it stops the verticles
        vertx.undeploy(intakeDeployment).await(remaining(started, bound), TimeUnit.MILLISECONDS);
        intakePool.close().await(remaining(started, bound), TimeUnit.MILLISECONDS);
      }
      vertx.close().await(remaining(started, bound), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("drain did not finish within {} ms: {}", bound, e.toString());
    }
    LOG.info("drained in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  /** What is left of the drain's bound, at least a second for each step. */
  private static long remaining(long started, long bound) {
    return Math.max(1000, bound - (System.nanoTime() - started) / 1_000_000);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public HubConfig config() {
    return config;
  }

  /** The port of the public API, or of health and metrics when this process runs no gateway. */
  public int httpPort() {
    return gateways.isEmpty() ? managementPort : gateways.get(0).actualPort();
  }

  /** Null when this process runs no gateway. */
  public GatewayShared gateway() {
    return shared;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public Vertx vertx() {
    return vertx;
  }

  private void stopSampling() {
    BacklogMonitor monitor = backlog;
    if (monitor != null) {
      monitor.stop();
    }
  }

  @Override
  public void close() {
    stopSampling();
    if (seedingRedis != null) {
      seedingRedis.close();
    }
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("vert.x did not close within 30 s: {}", e.toString());
    }
    embedded.close();
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return ManagementFactory.getRuntimeMXBean().getName();
    }
  }
}
