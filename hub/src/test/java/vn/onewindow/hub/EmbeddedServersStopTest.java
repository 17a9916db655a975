package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.testing.TestServers;

/**
 * The hub that starts its own redis-server (`./ops/run-hub.sh` on a fresh machine) stops it only after its drain:
 * SIGTERM under load, and the drain's last stream reads, commits and acks still reach Redis (embedded-redis's own
 * shutdown hook used to stop the server as the drain began: "Connection refused" for the rest of the drain). What
 * the drain left queued is in the server's append-only file, and the next start persists it, each dossier once.
 */
class EmbeddedServersStopTest {
  @Test
  void shouldStopItsRedisServerOnlyAfterTheDrainAndKeepWhatWasQueued(@TempDir Path data) throws Exception {
    HubConfig config = TestServers.get().config(Map.of());
    Migrations.apply(config.postgres());
    int redisPort = TestServers.freePort();
    Map<String, String> settings = ownRedisSettings(data, redisPort);
    settings.put("drain.announce-ms", "1000");
    settings.put("drain.timeout-ms", "10000");
    LoadLoop load;
    List<String> drainLog;
    Vertx client = Vertx.vertx();
    try (HubProcess hub = HubProcess.start(config, settings, "INFO")) {
      assertThat(TestServers.answers(redisPort)).as("the hub started its own redis-server").isTrue();
      load = new LoadLoop(client, hub.port, false);
      Future<Void> running = load.start(16);
      HubEndToEndTest.awaitTrue(Duration.ofSeconds(30), () -> load.accepted.size() >= 100);
      hub.process.destroy();
      assertThat(hub.process.waitFor(30, TimeUnit.SECONDS)).as("the hub exits after its drain").isTrue();
      load.stop();
      running.await(10, TimeUnit.SECONDS);
      List<String> lines = Files.readAllLines(hub.log);
      int draining = indexOf(lines, "draining: readiness DOWN");
      assertThat(draining).as("the drain started").isNotNegative();
      drainLog = lines.subList(draining, lines.size());
    } finally {
      client.close().await();
    }
    System.out.printf("SIGTERM with its own redis-server: %s; the drain's log:%n  %s%n", load.figures(),
        String.join("\n  ", drainLog));
    assertThat(drainLog).as("the drain ran to its end").anyMatch(line -> line.contains("drained in"));
    assertThat(drainLog).as("nothing in the drain met a stopped server")
        .noneMatch(line -> line.contains("Connection refused") || line.contains("CONNECTION_CLOSED"));
    assertThat(TestServers.answers(redisPort)).as("its redis-server stopped with it").isFalse();

    // the same data directory again: what the drain left queued is persisted, each accepted dossier exactly once
    String ids = "'" + String.join("','", load.accepted) + "'";
    String persisted = "SELECT count(*) FROM dossier WHERE id IN (" + ids + ")";
    long beforeRestart = count(config, persisted);
    try (HubProcess next = HubProcess.start(config, settings, "WARN")) {
      HubEndToEndTest.awaitTrue(Duration.ofSeconds(30), () -> count(config, persisted) == load.accepted.size());
      next.process.destroy();
      assertThat(next.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    System.out.printf("after the restart: %d accepted dossiers persisted, %d of them before it (the rest from the"
        + " append-only file)%n", load.accepted.size(), beforeRestart);
    // dossier.id is its primary key: a second write of one dossier would show as a second "received" history row
    assertThat(count(config, "SELECT count(*) FROM dossier_status_history WHERE status = 1"))
        .as("one 'received' history row per dossier: none written twice")
        .isEqualTo(count(config, "SELECT count(*) FROM dossier"));
    assertThat(TestServers.answers(redisPort)).isFalse();
  }

  /** A hub starting its own durable redis-server on {@code redisPort} in {@code data}, unthrottled, no warm-up. */
  static Map<String, String> ownRedisSettings(Path data, int redisPort) {
    return new HashMap<>(Map.of(
        "redis.url", "",
        "embedded.redis-port", Integer.toString(redisPort),
        "embedded.data-dir", data.toString(),
        "warmup.duration-ms", "0",
        "warmup.intake-duration-ms", "0",
        "ratelimit.client-classes", "standard:100000/100000",
        "ratelimit.applicant-per-minute", "100000"));
  }

  private static int indexOf(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    return -1;
  }

  private static long count(HubConfig config, String sql) {
    return TestServers.queryLong(config.postgres().url(), sql);
  }
}
