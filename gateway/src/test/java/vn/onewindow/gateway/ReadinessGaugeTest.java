package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.warmup.Warmup;

/**
 * {@code hub_ready} and {@code hub_unready_reason} say on /metrics what /health/ready answers at the same moment. An
 * alerting drill froze Redis for 5.7 minutes: /health/ready answered 503 throughout while every scrape succeeded
 * ({@code up} 1), a balancer following readiness sent the gateways no requests, so no ratio alert saw a failure and
 * nothing paged. Each state is checked by a real readiness probe and a real scrape, one after the other.
 */
class ReadinessGaugeTest {
  private static final List<String> REASONS = List.of("draining", "warming_up", "redis", "postgres");

  @Test
  void shouldReportWhatHealthReadyAnswersWhileAStoreIsDownWarmingAndDraining() throws Exception {
    try (OwnRedis redis = new OwnRedis("hub-redis-ready-gauge");
         GatewayFixture gw = new GatewayFixture(Map.of("redis.url", redis.url(), "warmup.duration-ms", "20000",
             "warmup.max-requests", "50", "warmup.concurrency", "4"))) {
      assertAgree(gw, 200, null);

      // the drill: redis-server SIGSTOPped, its sockets open, nothing answered; the scrape itself still succeeds
      try (AutoCloseable frozen = redis.freeze()) {
        assertAgree(gw, 503, "redis");
      }
      Await.until(Duration.ofSeconds(10), "Redis answering readiness again",
          () -> gw.get("/health/ready").statusCode() == 200);
      assertAgree(gw, 200, null);

      // PostgreSQL answering without the hub's tables (DegradedModesTest): every write would fail
      String url = gw.config.postgres().url();
      TestServers.execute(url, "ALTER TABLE dossier RENAME TO dossier_elsewhere");
      try {
        assertAgree(gw, 503, "postgres");
      } finally {
        TestServers.execute(url, "ALTER TABLE dossier_elsewhere RENAME TO dossier");
      }
      assertAgree(gw, 200, null);

      Warmup warmup = gw.shared.warmup();
      warmup.begin();
      assertAgree(gw, 503, "warming_up");
      warmup.run(gw.vertx, gw.port, false).await();
      assertAgree(gw, 200, null);

      // SIGTERM's drain, the last state: there is no way back
      gw.shared.admission().startDraining();
      assertAgree(gw, 503, "draining");
    }
  }

  /**
   * /health/ready answers {@code status}, and a scrape right after it reads hub_ready 1 or 0 accordingly, with
   * hub_unready_reason 1 for {@code reason} alone (none while ready).
   */
  private static void assertAgree(GatewayFixture gw, int status, String reason) {
    HttpResponse<Buffer> ready = gw.get("/health/ready");
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(status);
    HttpResponse<Buffer> scrape = gw.get("/metrics");
    assertThat(scrape.statusCode()).isEqualTo(200);
    List<String> readiness = scrape.bodyAsString().lines()
        .filter(line -> line.startsWith("hub_ready") || line.startsWith("hub_unready_reason")).toList();
    List<String> expected = new ArrayList<>(List.of("hub_ready " + (status == 200 ? "1.0" : "0.0")));
    REASONS.forEach(each -> expected.add(
        "hub_unready_reason{reason=\"" + each + "\"} " + (each.equals(reason) ? "1.0" : "0.0")));
    assertThat(readiness).as("the scrape right after readiness answered %d %s", status, ready.bodyAsString())
        .containsExactlyInAnyOrderElementsOf(expected);
  }
}
