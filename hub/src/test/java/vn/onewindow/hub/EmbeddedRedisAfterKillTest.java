package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.testing.TestServers;

/**
 * A hub that started its own redis-server (`./ops/run-hub.sh` with no redis.url) and was SIGKILLed (the OOM killer,
 * an operator's kill -9) ran no shutdown hook: its redis-server lives on, orphaned, on the embedded port, holding
 * the dossiers still queued. The next start on the same data directory used to fail ("embedded redis-server failed
 * to start on port ...") until someone found and killed that process by hand; it now stops the orphan (its
 * append-only file flushed) and starts afresh, and every dossier accepted before the kill is persisted once.
 */
class EmbeddedRedisAfterKillTest {
  @Test
  void shouldRestartOnTheDataDirectoryOfAKilledHubAndPersistWhatItQueued(@TempDir Path data) throws Exception {
    HubConfig config = TestServers.get().config(Map.of());
    Migrations.apply(config.postgres());
    int redisPort = TestServers.freePort();
    Map<String, String> settings = EmbeddedServersStopTest.ownRedisSettings(data, redisPort);
    // a batch the kill caught in flight is swept claim-idle after the killed worker's last read (plus up to two
    // blocks and a sweep interval): with the default 30 s that lands at the edge of the wait below, which is about
    // the restart, not about how long recovery waits
    settings.put("intake.claim-idle-ms", "5000");
    settings.put("intake.claim-interval-ms", "1000");
    Vertx client = Vertx.vertx();
    LoadLoop load;
    try {
      try (HubProcess hub = HubProcess.start(config, settings)) {
        load = new LoadLoop(client, hub.port, false);
        Future<Void> running = load.start(8);
        HubEndToEndTest.awaitTrue(Duration.ofSeconds(30), () -> load.accepted.size() >= 100);
        hub.process.destroyForcibly();   // SIGKILL to the JVM alone, as kill -9 <pid> does
        assertThat(hub.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        load.stop();
        running.await(10, TimeUnit.SECONDS);
      }
      assertThat(TestServers.answers(redisPort)).as("the killed hub's redis-server lives on").isTrue();

      String ids = "'" + String.join("','", load.accepted) + "'";
      String persisted = "SELECT count(*) FROM dossier WHERE id IN (" + ids + ")";
      try (HubProcess next = HubProcess.start(config, settings)) {
        HubEndToEndTest.awaitTrue(Duration.ofSeconds(30),
            () -> TestServers.queryLong(config.postgres().url(), persisted) == load.accepted.size());
        next.process.destroy();
        assertThat(next.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      System.out.printf("kill -9, then a restart on the same data directory: %s; all %d accepted persisted%n",
          load.figures(), load.accepted.size());
      assertThat(TestServers.queryLong(config.postgres().url(),
          "SELECT count(*) FROM dossier_status_history WHERE status = 1"))
          .as("one 'received' history row per dossier: none written twice")
          .isEqualTo(TestServers.queryLong(config.postgres().url(), "SELECT count(*) FROM dossier"));
      assertThat(TestServers.answers(redisPort)).as("the restarted hub stopped its redis-server").isFalse();
    } finally {
      client.close().await();
      if (TestServers.answers(redisPort)) {   // the orphan of a failed run: not left behind on the box
        TestServers.redisCommand("127.0.0.1", redisPort, "SHUTDOWN", "NOSAVE");
      }
    }
  }
}
