package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.HubConfig.Role;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * The contract "once a 202 is sent, the dossier reaches PostgreSQL exactly once" under real crashes and outages:
 * a hub process killed with SIGKILL, one stopped with SIGTERM, PostgreSQL cut off, all during load.
 */
@Order(1)
class FaultToleranceTest {
  /**
   * Limits high enough that this load is never refused for being load; no warm-up (about 13 s per process start,
   * tested on its own in WarmupTest, IntakeWarmupTest and the cluster process tests): these hubs are killed and
   * restarted, and what is checked is what reached PostgreSQL, not how fast.
   */
  private static final Map<String, String> UNLIMITED = Map.of(
      "warmup.duration-ms", "0",
      "ratelimit.client-classes", "standard:100000/100000",
      "ratelimit.applicant-per-minute", "100000",
      "intake.claim-idle-ms", "1500",
      "intake.claim-interval-ms", "300",
      "intake.block-ms", "200",
      "drain.announce-ms", "1500",
      "drain.timeout-ms", "10000",
      "http.instances", "2");

  /** Beyond the drain: stopping the event loops, the pools and the JVM itself. */
  private static final Duration JVM_EXIT_MARGIN = Duration.ofSeconds(3);

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void shouldPersistEveryAcceptedDossierExactlyOnceWhenTheHubIsKilledMidLoad() throws Exception {
    HubConfig config = TestServers.get().config(UNLIMITED);
    Migrations.apply(config.postgres());
    LoadLoop load;
    try (HubProcess first = HubProcess.start(config, UNLIMITED)) {
      load = new LoadLoop(vertx, first.port, true);
      Future<Void> running = load.start(16);
      awaitAccepted(load, 200);
      first.kill();
      // keep the load on until it has met the dead process, as clients of a crashed instance do
      Duration noticed = Await.until(LoadLoop.CONNECT_TIMEOUT.multipliedBy(3), "the load to meet the killed hub",
          () -> load.refusedConnections.get() + load.brokenConnections.get() > 0);
      System.out.printf("SIGKILL: the load met the dead process %d ms after it exited%n", noticed.toMillis());
      load.stop();
      running.await(10, TimeUnit.SECONDS);
    }
    try (HubProcess second = HubProcess.start(config, UNLIMITED)) {
      awaitPersisted(config, load.accepted.size(), Duration.ofSeconds(30));
      assertExactlyOnce(config, load, "SIGKILL mid-load");
    }
  }

  @Test
  void shouldDrainOnSigtermWithoutResettingAcceptedConnections() throws Exception {
    HubConfig config = TestServers.get().config(UNLIMITED);
    Migrations.apply(config.postgres());
    LoadLoop load;
    long exitMs;
    Duration announce = config.resilience().drainAnnounce();
    Duration exitBound = announce.plus(config.resilience().drainTimeout()).plus(JVM_EXIT_MARGIN);
    try (HubProcess hub = HubProcess.start(config, UNLIMITED)) {
      load = new LoadLoop(vertx, hub.port, false);
      Future<Void> running = load.start(16);
      awaitAccepted(load, 100);
      long signalled = System.nanoTime();
      hub.process.destroy();
      int readiness = readinessWithin(hub.port, announce.toMillis());
      boolean exited = hub.process.waitFor(exitBound.toMillis(), TimeUnit.MILLISECONDS);
      exitMs = Await.millisSince(signalled);
      load.stop();
      running.await(10, TimeUnit.SECONDS);
      assertThat(exited).as("exits within drain.announce-ms + drain.timeout-ms + %d ms", JVM_EXIT_MARGIN.toMillis())
          .isTrue();
      assertThat(hub.process.exitValue()).isIn(0, 143);
      assertThat(readiness).as("readiness turns DOWN as soon as the drain starts").isEqualTo(503);
    }
    // whatever was queued but not yet written is drained by the next worker
    Hub worker = Hub.start(config.withRole(Role.INTAKE));
    try {
      awaitPersisted(config, load.accepted.size(), Duration.ofSeconds(30));
    } finally {
      worker.close();
    }
    System.out.printf("SIGTERM: exited %d ms after the signal (bound: announce %d + drain %d + exit margin %d ms); "
            + "%s%n", exitMs, announce.toMillis(), config.resilience().drainTimeout().toMillis(),
        JVM_EXIT_MARGIN.toMillis(), load.figures());
    assertThat(load.brokenConnections.get()).as("connections reset after the request reached the gateway").isZero();
    assertThat(exitMs).isLessThan(exitBound.toMillis());
    assertExactlyOnce(config, load, "SIGTERM mid-load");
  }

  @Test
  void shouldKeepAcceptingWhilePostgresIsDownAndPersistEverythingOnceItReturns() throws Exception {
    HubConfig direct = TestServers.get().config(UNLIMITED);
    URI pg = URI.create(direct.postgres().url().replace("postgresql://", "http://"));
    try (TcpProxy proxy = new TcpProxy(pg.getHost(), pg.getPort())) {
      proxy.up();
      String viaProxy = direct.postgres().url().replace(pg.getHost() + ":" + pg.getPort(), "127.0.0.1:" + proxy.port());
      HubConfig config = direct.withPostgres(direct.postgres().withUrl(viaProxy));
      Hub hub = Hub.start(config);
      LoadLoop load = new LoadLoop(vertx, hub.httpPort(), true);
      try {
        Future<Void> running = load.start(8);
        awaitAccepted(load, 50);
        awaitPersisted(direct, 1, Duration.ofSeconds(30));
        String persistedBefore = TestServers.queryString(direct.postgres().url(),
            "SELECT id::text FROM dossier LIMIT 1");
        // acknowledged too (its entry deleted), not only committed, before PostgreSQL goes away
        HubEndToEndTest.awaitTrue(Duration.ofSeconds(10), () -> !HubEndToEndTest.queued(direct, persistedBefore));
        proxy.down();
        int acceptedBefore = load.accepted.size();
        long downAt = System.nanoTime();
        // the outage lasts until the intake has failed on it and the gateway has accepted 50 dossiers meanwhile
        Duration failing = Await.until(outageNoticed(config), "the intake failing on PostgreSQL while dossiers "
            + "are accepted", () -> postgresFailures(hub) > 0
            && load.accepted.size() - acceptedBefore >= 50);
        int acceptedDuringOutage = load.accepted.size() - acceptedBefore;
        long persistedDuringOutage = count(direct, "SELECT count(*) FROM dossier");
        // status look-ups meanwhile: a queued dossier from the stream entry its id names; a written one, whose entry
        // is gone, cannot be told from an unknown id: 503 and Retry-After, never a 404
        WebClient client = WebClient.create(vertx);
        HttpResponse<Buffer> written = client.get(hub.httpPort(), "127.0.0.1", "/v1/dossiers/" + persistedBefore)
            .putHeader("X-Api-Key", HubEndToEndTest.API_KEY).send().await();
        HttpResponse<Buffer> queued = client.get(hub.httpPort(), "127.0.0.1", "/v1/dossiers/"
            + notYetWritten(load, direct)).putHeader("X-Api-Key", HubEndToEndTest.API_KEY).send().await();
        long outageMs = Await.millisSince(downAt);
        proxy.up();
        // the load goes on until the intake writes again, so dossiers are accepted on both sides of the return
        Duration recovered = Await.until(outageNoticed(config), "the intake writing again",
            () -> count(direct, "SELECT count(*) FROM dossier") > persistedDuringOutage);
        load.stop();
        running.await(10, TimeUnit.SECONDS);

        awaitPersisted(direct, load.accepted.size(), Duration.ofSeconds(30));
        System.out.printf("postgres down %d ms (intake failing after %d ms): %d accepted during the outage "
                + "(%d rows written before it returned); writing again %d ms after it returned%n", outageMs,
            failing.toMillis(), acceptedDuringOutage, persistedDuringOutage, recovered.toMillis());
        assertThat(acceptedDuringOutage).as("the window stays open while PostgreSQL is down").isPositive();
        assertThat(written.statusCode()).as(written.bodyAsString()).isEqualTo(503);
        assertThat(written.getHeader("Content-Type")).isEqualTo("application/problem+json");
        assertThat(written.getHeader("Retry-After")).isNotBlank();
        assertThat(queued.statusCode()).as(queued.bodyAsString()).isEqualTo(200);
        assertThat(queued.bodyAsJsonObject().getBoolean("persisted")).isFalse();
        assertThat(load.otherStatuses.get()).isZero();
        assertExactlyOnce(direct, load, "PostgreSQL outage");
        assertThat(count(direct, "SELECT count(*) FROM dead_letter")).isZero();
      } finally {
        hub.close();
      }
    }
  }

  /** An accepted dossier not (yet) in PostgreSQL, asked directly (not through the proxy). */
  private static String notYetWritten(LoadLoop load, HubConfig direct) {
    String id = TestServers.queryString(direct.postgres().url(), "SELECT a FROM unnest(ARRAY['"
        + String.join("','", load.accepted) + "']::uuid[]) a WHERE NOT EXISTS (SELECT 1 FROM dossier d WHERE d.id = a)"
        + " LIMIT 1");
    assertThat(id).as("a dossier accepted during the outage").isNotNull();
    return id;
  }

  /**
   * How long the intake may take to notice PostgreSQL going away or coming back: a blocked read, a batch write
   * timing out, the retry backoff, an idle claim; a few rounds of each.
   */
  private static Duration outageNoticed(HubConfig config) {
    return config.intake().block().plus(config.resilience().breakers().postgresWriteTimeout())
        .plus(config.intake().retryBackoff()).plus(config.intake().claimIdle()).multipliedBy(3);
  }

  private static double postgresFailures(Hub hub) {
    return hub.registry().find(MeterNames.INTAKE_FAILURES).tag(MeterNames.TAG_UPSTREAM, "postgres").counters()
        .stream().mapToDouble(c -> c.count()).sum();
  }

  /** The first readiness status other than 200 seen within the window (200 if none). */
  private static int readinessWithin(int port, long windowMs) throws InterruptedException {
    long deadline = System.nanoTime() + windowMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      try {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create(
            "http://127.0.0.1:" + port + "/health/ready").toURL().openConnection();
        c.setConnectTimeout(100);
        c.setReadTimeout(1000);
        int status = c.getResponseCode();
        if (status != 200) {
          return status;
        }
      } catch (java.io.IOException e) {
        // a busy machine may not answer this probe in time; try again within the window
      }
      Thread.sleep(20);
    }
    return 200;
  }

  /** Waits (bounded) until the load has some accepted dossiers, however slow this machine is today. */
  private static void awaitAccepted(LoadLoop load, int atLeast) {
    HubEndToEndTest.awaitTrue(Duration.ofSeconds(30), () -> load.accepted.size() >= atLeast);
  }

  private static void assertExactlyOnce(HubConfig config, LoadLoop load, String scenario) {
    long rows = count(config, "SELECT count(*) FROM dossier");
    long distinct = count(config, "SELECT count(DISTINCT id) FROM dossier");
    String ids = "'" + String.join("','", load.accepted) + "'";
    long acceptedFound = load.accepted.isEmpty() ? 0
        : count(config, "SELECT count(*) FROM dossier WHERE id IN (" + ids + ")");
    System.out.printf("%s: %s; persisted %d, lost %d, duplicated %d%n", scenario, load.figures(), rows,
        load.accepted.size() - acceptedFound, rows - distinct);
    assertThat(load.accepted).as("the load produced accepted dossiers").hasSizeGreaterThan(50);
    assertThat(acceptedFound).as("every 202 is in PostgreSQL").isEqualTo(load.accepted.size());
    assertThat(distinct).as("exactly once").isEqualTo(rows);
  }

  private static void awaitPersisted(HubConfig config, int expected, Duration timeout) {
    HubEndToEndTest.awaitTrue(timeout, () -> count(config, "SELECT count(*) FROM dossier") >= expected);
  }

  private static long count(HubConfig config, String sql) {
    return TestServers.queryLong(config.postgres().url(), sql);
  }

}
