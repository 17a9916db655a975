package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.HubConfig.Role;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;

/**
 * A worker-only process reports hub_draining as a gateway does: 0 while it consumes, 1 from SIGTERM until its
 * workers have written their batch, which its management port still answers meanwhile (readiness 503 draining).
 * hub_ready reads 1, then 0 for draining. No timing: the test holds the worker's INSERT with a table lock, drains,
 * looks, then lets it go.
 */
class IntakeDrainTest {
  @Test
  void shouldReportDrainingUntilItsLastBatchIsWritten() throws Exception {
    // two workers (the default): the idle one stops first; when each worker opened and closed its share of the pool,
    // that closed the connection under the other's batch (ClosedConnectionException, the batch left pending) in
    // about 1 run in 3
    HubConfig config = TestServers.get().config(Map.of("intake.workers", "2"));
    Vertx clients = Vertx.vertx();
    try (Hub gatewayHub = Hub.start(config.withRole(Role.GATEWAY));
         Hub intake = Hub.start(config.withRole(Role.INTAKE))) {
      WebClient gateway = client(clients, gatewayHub);
      WebClient management = client(clients, intake);
      assertThat(management.get("/health/ready").send().await().statusCode()).isEqualTo(200);
      // hub_ready is the management port's own readiness verdict, as on a gateway (ReadinessGaugeTest)
      assertThat(management.get("/metrics").send().await().bodyAsString().lines())
          .contains("hub_draining 0.0", "hub_ready 1.0", "hub_unready_reason{reason=\"draining\"} 0.0");
      drainWhileTheInsertWaits(config, gateway, intake, () -> {
        Await.until(Duration.ofSeconds(10), "hub_draining 1 on the worker-only process", () ->
            management.get("/metrics").send().await().bodyAsString().lines().anyMatch("hub_draining 1.0"::equals));
        HttpResponse<Buffer> ready = management.get("/health/ready").send().await();
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.bodyAsString()).contains("draining");
        assertThat(management.get("/metrics").send().await().bodyAsString().lines())
            .contains("hub_ready 0.0", "hub_unready_reason{reason=\"draining\"} 1.0",
                "hub_unready_reason{reason=\"redis\"} 0.0");
      });
    } finally {
      clients.close().await();
    }
  }

  /**
   * The default role, gateway and workers in one process: the drain stops the gateway, then the workers with their
   * batch, then their pool (vert.x's own close runs its close hooks, the pool among them, before it stops verticles;
   * an INSERT already sent survived that order here too, so this holds the behaviour, not the order).
   */
  @Test
  void shouldWriteTheLastBatchWhenTheWholeHubDrains() throws Exception {
    HubConfig config = TestServers.get().config(Map.of("intake.workers", "2"));
    Vertx clients = Vertx.vertx();
    try (Hub hub = Hub.start(config)) {
      WebClient gateway = client(clients, hub);
      drainWhileTheInsertWaits(config, gateway, hub, () ->
          Await.until(Duration.ofSeconds(20), "the gateway's listener closed", () -> refuses(hub.httpPort())));
    } finally {
      clients.close().await();
    }
  }

  /**
   * Holds the worker's INSERT with a table lock, submits one dossier, drains {@code hub} while the INSERT waits,
   * runs {@code whileWaiting} (it waits for what the drain shows meanwhile), then releases the lock: the drain must
   * still have been waiting, and must end with the dossier written.
   */
  private static void drainWhileTheInsertWaits(HubConfig config, WebClient gateway, Hub hub, Runnable whileWaiting)
      throws Exception {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(config.postgres());
    CompletableFuture<Void> drained;
    try (Connection lock = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
         Statement s = lock.createStatement()) {
      lock.setAutoCommit(false);
      s.execute("LOCK TABLE dossier IN SHARE MODE"); // the worker's INSERT (ROW EXCLUSIVE) waits for it
      HttpResponse<Buffer> accepted = HubEndToEndTest.submit(gateway,
          HubEndToEndTest.example("birth-registration.json"), null).await();
      assertThat(accepted.statusCode()).isEqualTo(202);
      Await.until(Duration.ofSeconds(20), "the worker's INSERT waiting for the lock", () ->
          TestServers.queryLong(config.postgres().url(), IntakeWarmupReadinessTest.DOSSIER_INSERT_WAITING) == 1);

      drained = CompletableFuture.runAsync(hub::drain);
      whileWaiting.run();
      assertThat(drained).as("the drain waits for the batch").isNotDone();
      lock.rollback();
    }
    drained.get(30, TimeUnit.SECONDS);
    assertThat(TestServers.queryLong(config.postgres().url(), "SELECT count(*) FROM dossier"))
        .as("the batch in flight, written before the process ends").isEqualTo(1);
  }

  private static boolean refuses(int port) {
    try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
      return false;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  private static WebClient client(Vertx vertx, Hub hub) {
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(hub.httpPort()));
  }
}
