package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.gateway.http.Problems;
import vn.onewindow.gateway.warmup.Warmup;

/**
 * A gateway warming up while its Redis goes away (a SIGTERM to the hub stops its embedded redis-server while the
 * warm-up runs; a Redis restarted meanwhile): each synthetic submission is the upstream's 503, as a real one would be,
 * never a 500 with an ERROR and a stack trace per request (a hub stopped mid-warm-up logged 177 of them).
 */
class WarmupRedisGoneTest {
  @RegisterExtension
  final LogCapture problems = LogCapture.of(Problems.class);

  @Test
  void aWarmupWhoseRedisIsGoneAnswersEachSyntheticSubmissionWithA503AndLogsNoError() throws Exception {
    try (OwnRedis redis = new OwnRedis("warmup-redis-gone");
         GatewayFixture gw = new GatewayFixture(Map.of("redis.url", redis.url(), "warmup.duration-ms", "5000",
             "warmup.max-requests", "40", "warmup.concurrency", "4"))) {
      redis.stop();
      Warmup warmup = gw.shared.warmup();
      warmup.begin();

      warmup.run(gw.vertx, gw.port, false).await();

      String metrics = gw.get("/metrics").bodyAsString();
      assertThat(metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total") && l.contains("POST")))
          .as("every synthetic submission answered, and answered 503").isNotEmpty()
          .allMatch(l -> l.contains("code=\"503\""), "code 503");
      assertThat(problems.events()).as("no ERROR line (a stack trace per synthetic submission)")
          .noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.ERROR));
    }
  }
}
