package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.ConsumerGroup;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * A Redis that accepts connections and never answers the consumer groups' creation (the backlog monitor's at start)
 * must not hold the process's start for good: the start goes on, as with a Redis that is down at start, says so in
 * one line, and the groups are created once Redis answers.
 */
class SilentRedisAtStartTest {

  @Test
  void aGatewayStartsThoughRedisNeverAnswersTheConsumerGroupsCreationAndCreatesThemLater() throws Exception {
    URI target = URI.create(TestServers.get().redisUrl());
    HubConfig config = TestServers.get().config(Map.of());
    try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort())) {
      proxy.up();
      // the connection that carries XGROUP CREATE goes silent; every other one is answered
      proxy.blackHoleOn("XGROUP");
      long started = System.nanoTime();
      // before the bound, the process never listened: HubProcess.start gave up after 30 s
      try (HubProcess hub = HubProcess.start(config, Map.of("hub.role", "gateway",
          "redis.url", "redis://127.0.0.1:" + proxy.port(), "intake.heartbeat-ms", "500", "warmup.duration-ms", "0"),
          "INFO")) {
        long readyMs = Await.millisSince(started);
        String log = Files.readString(hub.log);
        assertThat(log).contains("XGROUP CREATE").contains("did not answer within 1000 ms");
        assertThat(log).doesNotContain("ERROR");

        proxy.blackHoleOn(null);
        Vertx vertx = Vertx.vertx();
        try {
          Redis redis = RedisClients.create(vertx, config.redis(), "check");
          RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
          Duration createdAfter = Await.until(Duration.ofSeconds(15), "every partition's consumer group created",
              () -> keys.all().stream().allMatch(p -> {
                Response groups = redis.send(Request.cmd(Command.XINFO).arg("GROUPS").arg(p.stream()))
                    .otherwiseEmpty().await();
                return groups != null && !ConsumerGroup.info(groups, keys.group()).isEmpty();
              }));
          System.out.printf("[hub] silent XGROUP CREATE at start: ready in %d ms, groups created %d ms after Redis "
              + "answered%n", readyMs, createdAfter.toMillis());
        } finally {
          vertx.close().await();
        }
      }
    }
  }
}
