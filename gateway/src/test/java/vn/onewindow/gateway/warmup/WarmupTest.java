package vn.onewindow.gateway.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.security.SecurityTestSupport;

/** A new gateway warms its own pipeline before it turns ready, and nothing of it is queued, stored or counted. */
class WarmupTest {

  @Test
  void shouldHoldReadinessWhileWarmingAndQueueNothing() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("warmup.duration-ms", "20000", "warmup.max-requests", "400",
        "warmup.concurrency", "8"))) {
      Warmup warmup = gw.shared.warmup();
      warmup.begin();

      HttpResponse<Buffer> holding = gw.get("/health/ready");
      assertThat(holding.statusCode()).isEqualTo(503);
      assertThat(holding.bodyAsJsonObject().getJsonArray("checks").getJsonObject(0))
          .isEqualTo(new JsonObject().put("id", "warming-up").put("status", "DOWN"));

      long started = System.nanoTime();
      warmup.run(gw.vertx, gw.port, false).await();
      System.out.printf("warm-up: 400 synthetic submissions in %d ms%n", (System.nanoTime() - started) / 1_000_000);

      assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);
      String metrics = gw.get("/metrics").bodyAsString();
      assertThat(requestsServed(metrics)).as("the synthetic submissions went through the HTTP server")
          .isGreaterThanOrEqualTo(400);
      assertThat(metrics).doesNotContainPattern("hub_submissions_total\\{[^}]*\\} [1-9]")
          .doesNotContainPattern("hub_ratelimit_decisions_total\\{[^}]*\\} [1-9]")
          .as("no latency metric counts a synthetic submission")
          .contains("hub_enqueue_latency_seconds_count 0\n", "hub_submit_latency_seconds_count 0\n");
      assertThat(gw.queued()).isZero();
      assertThat(gw.redis(Command.KEYS, gw.config.redis().keyPrefix() + "*")).map(Response::toString)
          .as("no key but the (empty) stream: the enqueue script ran read-only for the warm-up's own keys")
          .allMatch(key -> key.endsWith(":stream:dossiers"));
    }
  }

  @Test
  void shouldNotLetAForgedOrLateWarmupHeaderStandInForAnApiKey() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("warmup.duration-ms", "200", "warmup.max-requests", "20"))) {
      WebClient keyless = ContractCheck.get().answersOnly(WebClient.create(gw.vertx,
          new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port)));
      gw.shared.warmup().begin();
      HttpResponse<Buffer> forged = keyless.post("/v1/dossiers").putHeader("Content-Type", "application/json")
          .putHeader(Warmup.HEADER, "0".repeat(64))
          .sendBuffer(Buffer.buffer(GatewayFixture.birthRegistration().encode())).await();
      gw.shared.warmup().run(gw.vertx, gw.port, false).await();
      HttpResponse<Buffer> answer = keyless.post("/v1/dossiers").putHeader("Content-Type", "application/json")
          .putHeader(Warmup.HEADER, "0".repeat(64))
          .sendBuffer(Buffer.buffer(GatewayFixture.birthRegistration().encode())).await();

      SecurityTestSupport.assertProblem(forged, 401, "unauthorized");

      SecurityTestSupport.assertProblem(answer, 401, "unauthorized");
      assertThat(gw.queued()).isZero();
    }
  }

  /**
   * Readiness never waits on answers that do not come: the warm-up aimed at a server that reads every request and
   * never answers still ends (its deadline plus a grace, or each request's idle timeout) and turns readiness UP.
   */
  @Test
  void shouldTurnReadyEvenWhenItsRequestsAreNeverAnswered() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("warmup.duration-ms", "300", "warmup.concurrency", "4"))) {
      HttpServer silent = gw.vertx.createHttpServer().requestHandler(request -> { }).listen(0, "127.0.0.1").await();
      try {
        Warmup warmup = gw.shared.warmup();
        warmup.begin();
        assertThat(gw.get("/health/ready").statusCode()).isEqualTo(503);

        warmup.run(gw.vertx, silent.actualPort(), false).await();

        assertThat(warmup.warming()).isFalse();
        assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);
      } finally {
        silent.close().await();
      }
    }
  }

  private static double requestsServed(String metrics) {
    return metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
