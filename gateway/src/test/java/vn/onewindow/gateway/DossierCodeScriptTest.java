package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.infra.RedisScript;
import vn.onewindow.common.testing.TestServers;

/** The enqueue script's share of the code space (lua/dossier-code.lua), run by real Redis, against the Java owner. */
class DossierCodeScriptTest {

  @Test
  void shouldMapTheCounterExactlyAsDossierCodeDoes() {
    HubConfig config = TestServers.get().config(Map.of());
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = RedisClients.create(vertx, config.redis(), "test");
      RedisScript script = RedisScript.fromResources("lua/dossier-code.lua", "lua/test-queue-sequence.lua");
      List<Long> counters = new ArrayList<>(List.of(1L, 2L, 42L, 999L, 1000L, 8998L, 8999L, 9000L, 9001L, 9999L,
          10_000L, 88_999L, 89_000L, 89_001L, 888_999L, 889_000L, 8_888_999L, 8_889_000L, 123_456_789L));
      for (int i = 0; i < 500; i++) {
        counters.add(ThreadLocalRandom.current().nextLong(1, 50_000_000));
      }
      List<String> args = counters.stream().map(Object::toString).toList();

      Response reply = script.run(redis, List.of(), args).await();

      List<Long> fromRedis = new ArrayList<>();
      reply.forEach(r -> fromRedis.add(r.toLong()));
      List<Long> fromJava = counters.stream().map(DossierCode::queueSequence).toList();
      System.out.printf("dossier code: Redis and Java agree on %d counters, e.g. 8999 -> %d, 9000 -> %d, 89000 -> %d%n",
          counters.size(), fromRedis.get(6), fromRedis.get(7), fromRedis.get(12));
      assertThat(fromRedis).isEqualTo(fromJava);
    } finally {
      vertx.close().await();
    }
  }
}
