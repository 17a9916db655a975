package vn.onewindow.hub;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.infra.EvictionPolicy;
import vn.onewindow.common.infra.EmbeddedServers;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.SchemaCompatibility;
import vn.onewindow.common.metrics.Observability;
import vn.onewindow.gateway.GatewayFileContents;
import vn.onewindow.gateway.GatewayShared;

/**
 * One running hub process, started in this order: what the gateway's files hold, embedded servers when no URLs are
 * configured, the schema's compatibility floor ({@link SchemaCompatibility}), migrations, then the verticles its role
 * asks for ({@link HubDeployment}); drained on SIGTERM ({@link HubDrain}) before its embedded servers stop. Started
 * and stopped from a plain thread (blocking), by {@link HubMain} and by tests.
 */
public final class Hub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Hub.class);

  private final HubConfig config;
  private final EmbeddedServers embedded;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final HubDeployment deployment;

  /**
   * {@code files}: what the gateway's files hold, null in a worker-only process; {@code floorChecked}: false when
   * PostgreSQL could not be read at start (the intake then consumes only once the check passed).
   */
  private Hub(HubConfig config, EmbeddedServers embedded, GatewayFileContents files, boolean floorChecked) {
    this.config = config;
    this.embedded = embedded;
    this.registry = Observability.registry();
    this.vertx = Observability.vertx(registry, config.security());
    this.deployment = new HubDeployment(config, vertx, registry, files, floorChecked);
  }

  /**
   * @throws vn.onewindow.common.config.ConfigException a file the gateway cannot apply, before anything started
   * @throws StartRefused a listener that cannot bind, once what had started is closed; a database schema whose
   *     compatibility floor is above this release's level
   */
  public static Hub start(HubConfig requested) {
    HubConfig config = requested;
    if (config.isLocalRun()) {
      config = config.asLocalRun();
    }
    // read before anything is started, migrated or warmed: a file this gateway would refuse stops the start at once,
    // before an embedded PostgreSQL's initdb and start, which take seconds
    GatewayFileContents files = config.runsGateway() ? GatewayFileContents.load(config) : null;
    EmbeddedServers embedded = new EmbeddedServers();
    if (config.postgres().embedded()) {
      String url = embedded.startPostgres(config.embedded().dataDir(), config.embedded().postgresPort(), true);
      config = config.withPostgres(config.postgres().withUrl(url));
    }
    if (config.redis().embedded()) {
      String url = embedded.startRedis(config.embedded().dataDir(), config.embedded().redisPort(), true);
      config = config.withRedis(config.redis().withUrl(url));
    }
    boolean floorChecked;
    try {
      // before migrating too: a release refused leaves the database as it found it
      floorChecked = SchemaCompatibility.check(config.postgres(), config.runsIntake());
    } catch (SchemaCompatibility.Refused e) {
      embedded.close();
      throw new StartRefused(e.getMessage());
    }
    if (config.postgres().migrate()) {
      Migrations.apply(config.postgres());
    }
    Hub hub = new Hub(config, embedded, files, floorChecked);
    try {
      hub.deployment.deploy();
    } catch (EvictionPolicy.EvictingRedis e) {
      hub.close();
      throw new StartRefused(e.getMessage());
    } catch (Exception e) {
      // not only RuntimeException: Future.await() rethrows a bind failure's checked exception as it is
      hub.close();
      throw e;
    }
    return hub;
  }

  /** Drains ({@link HubDrain}), then stops the embedded servers. */
  public void drain() {
    embedded.drainThenClose(new HubDrain(config, vertx, deployment)::run);
  }

  /** Drains on SIGTERM / Ctrl-C (a JVM shutdown hook); the embedded servers stop after it, not alongside. */
  public void drainOnShutdown() {
    embedded.stopAfterDrain(config.resilience().drainAnnounce().plus(config.resilience().drainTimeout())
        .plusSeconds(10));
    Runtime.getRuntime().addShutdownHook(new Thread(this::drain, "hub-drain"));
  }

  public HubConfig config() {
    return config;
  }

  /** The port of the public API, or of health and metrics when this process runs no gateway. */
  public int httpPort() {
    return deployment.httpPort();
  }

  /** Null when this process runs no gateway. */
  public GatewayShared gateway() {
    return deployment.gateway();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    deployment.stopClients();
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("vert.x did not close within 30 s: {}", e.toString());
    }
    embedded.close();
  }
}
