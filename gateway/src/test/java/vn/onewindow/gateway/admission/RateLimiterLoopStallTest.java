package vn.onewindow.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.ResilienceConfig.Limit;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.metrics.MeterNames.LimitKey;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * A limiter call that timed out because this gateway's own event loop was stalled (a flood: a turn of thousands of
 * requests) is this gateway's overload, not Redis's: a 503 overloaded, as the enqueue answers it. It used to switch
 * the limits to the local fallback, whose buckets start full while Redis's were spent: under a 5,000-connection flood a
 * client was accepted 27 % past its quota (a surge tryout: 8,150 in 30 s against at most 6,400). A silent Redis on a
 * loop that is not stalled still falls back, as before (RateLimiterFallbackTest).
 */
class RateLimiterLoopStallTest {

  @Test
  void shouldAnswerACallTimedOutOnAStalledLoopAsOverloadNotDecideItLocally() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<Socket> accepted = new ArrayList<>();
    // a Redis that accepts and never answers: every call times out
    try (ServerSocket silent = new ServerSocket(0)) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (Exception closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      HubConfig config = TestServers.get().config(Map.of("redis.url", "redis://127.0.0.1:" + silent.getLocalPort(),
          "ratelimit.enabled", "true", "ratelimit.redis-timeout-ms", "200"));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      RateLimiter limiter = new RateLimiter(config.resilience().rateLimits(),
          new UpstreamBreakers(config.resilience().breakers(), 1, registry), new LocalRateLimiter(Clock.systemUTC()),
          registry, (ms, task) -> { });
      Redis redis = RedisClients.create(vertx, config.redis(), "limiter-stall-test");
      String key = RedisKeys.of(config.redis(), config.stream()).clientLimit("stall-test");
      Limit limit = config.resilience().rateLimits().applicant();
      ProbedLoop loop = ProbedLoop.start(vertx, registry);

      Future<LimitDecision> stalled = loop.run(() -> {
        Future<LimitDecision> call = limiter.acquire(redis, LimitKey.CLIENT, key, limit);
        ProbedLoop.hold(Duration.ofMillis(1000));   // this loop is busy for five times the limiter's timeout
        return call;
      });

      assertThat(stalled.failed()).as("not decided locally: %s", stalled.result()).isTrue();
      assertThat(stalled.cause()).isInstanceOf(HttpFailure.class);
      HttpFailure answer = (HttpFailure) stalled.cause();
      assertThat(answer.status()).isEqualTo(503);
      assertThat(answer.type()).isEqualTo("overloaded");
      assertThat(answer.retryAfterSeconds()).isEqualTo(1);
      assertThat(limiter.fallbackShown()).as("the limits stay Redis's").isFalse();

      Future<LimitDecision> silentStore = loop.run(() -> limiter.acquire(redis, LimitKey.CLIENT, key, limit));
      assertThat(silentStore.succeeded()).as("a silent Redis on a free loop: the fallback decides").isTrue();
      assertThat(limiter.fallbackShown()).isTrue();
      redis.close();
    } finally {
      vertx.close().await();
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }
}
