package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * The contract "once a 202 is sent, the dossier reaches PostgreSQL exactly once" under real crashes and outages:
 * a hub process killed with SIGKILL, one stopped with SIGTERM, PostgreSQL cut off, all during load.
 */
@Order(1)
class FaultToleranceTest {
  /** Limits high enough that this load is never refused for being load. */
  private static final Map<String, String> UNLIMITED = Map.of(
      "ratelimit.client-classes", "standard:100000/100000",
      "ratelimit.applicant-per-minute", "100000",
      "intake.claim-idle-ms", "1500",
      "intake.claim-interval-ms", "300",
      "intake.block-ms", "200",
      "drain.announce-ms", "1500",
      "drain.timeout-ms", "10000",
      "http.instances", "2");

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
      Thread.sleep(300);
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
    try (HubProcess hub = HubProcess.start(config, UNLIMITED)) {
      load = new LoadLoop(vertx, hub.port, false);
      Future<Void> running = load.start(16);
      awaitAccepted(load, 100);
      long signalled = System.nanoTime();
      hub.process.destroy();
      int readiness = readinessWithin(hub.port, 1500);
      boolean exited = hub.process.waitFor(15, TimeUnit.SECONDS);
      exitMs = (System.nanoTime() - signalled) / 1_000_000;
      load.stop();
      running.await(10, TimeUnit.SECONDS);
      assertThat(exited).as("exits within drain.timeout-ms plus margin").isTrue();
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
    System.out.printf("SIGTERM: exited %d ms after the signal; %s%n", exitMs, load.figures());
    assertThat(load.brokenConnections.get()).as("connections reset after the request reached the gateway").isZero();
    assertThat(exitMs).isLessThan(1_500 + 10_000 + 3_000);
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
        proxy.down();
        int acceptedBefore = load.accepted.size();
        Thread.sleep(2000);
        int acceptedDuringOutage = load.accepted.size() - acceptedBefore;
        long persistedDuringOutage = count(direct, "SELECT count(*) FROM dossier");
        proxy.up();
        Thread.sleep(1000);
        load.stop();
        running.await(10, TimeUnit.SECONDS);

        awaitPersisted(direct, load.accepted.size(), Duration.ofSeconds(30));
        System.out.printf("postgres down 2 s: %d accepted during the outage (%d rows written before it returned)%n",
            acceptedDuringOutage, persistedDuringOutage);
        assertThat(acceptedDuringOutage).as("the window stays open while PostgreSQL is down").isPositive();
        assertThat(load.otherStatuses.get()).isZero();
        assertExactlyOnce(direct, load, "PostgreSQL outage");
        assertThat(count(direct, "SELECT count(*) FROM dead_letter")).isZero();
      } finally {
        hub.close();
      }
    }
  }

  /** The first readiness status other than 200 seen within the window (200 if none). */
  private static int readinessWithin(int port, long windowMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + windowMs;
    while (System.currentTimeMillis() < deadline) {
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
