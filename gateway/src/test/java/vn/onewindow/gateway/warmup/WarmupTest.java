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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.Await;
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

  /**
   * Gateways are added during a surge, when the workers may be behind: a backlog over its watermark sheds citizens'
   * submissions, not the warm-up's, which queue nothing. Refused, the warm-up warmed only the refusal and counted
   * every synthetic answer as a citizen's backlog refusal and a 503 (seen: 60,000 in 7 s on a new gateway).
   */
  @Test
  void shouldWarmThroughABacklogOverItsWatermarkWithoutCountingRefusals() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("warmup.duration-ms", "20000", "warmup.max-requests", "200",
        "warmup.concurrency", "4", "shed.backlog-max-entries", "1", "shed.backlog-poll-ms", "100"))) {
      gw.redis(Command.XADD, gw.keys.stream(), "*", "queued", "before this gateway started");
      Await.until(Duration.ofSeconds(5), "the backlog monitor to sample the queued entry",
          () -> gw.registry.get(MeterNames.STREAM_LENGTH).gauge().value() >= 1);
      Warmup warmup = gw.shared.warmup();
      warmup.begin();

      warmup.run(gw.vertx, gw.port, false).await();

      String metrics = gw.get("/metrics").bodyAsString();
      assertThat(metrics).as("no synthetic submission counted as a refusal")
          .doesNotContainPattern("hub_refusals_total\\{[^}]*\\} [1-9]")
          .doesNotContain("code=\"503\"");
      assertThat(requestsServed(metrics)).as("the synthetic submissions went through the HTTP server")
          .isGreaterThanOrEqualTo(200);
      assertThat(gw.queued()).as("the entry queued before, nothing of the warm-up").isEqualTo(1);
      HttpResponse<Buffer> citizen = gw.post(GatewayFixture.birthRegistration().encode());
      assertThat(citizen.statusCode()).as("a citizen's submission is still shed").isEqualTo(503);
      assertThat(citizen.bodyAsJsonObject().getString("type")).endsWith("/problems/overloaded");
    }
  }

  /**
   * Production lists its own storage (dossier.attachment-uri-prefixes), where the shipped examples' attachments are
   * not: the warm-up's submissions must still pass validation, or every one is a 422 and the enqueue path goes cold
   * into the surge (ops QA: 4,696 of 4,696 unexpected answers, and ready all the same).
   */
  @Test
  void shouldWarmTheWholePipelineWhateverStorageProductionAllows() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("warmup.duration-ms", "20000", "warmup.max-requests", "60",
        "warmup.concurrency", "4", "dossier.attachment-uri-prefixes", "https://storage.dichvucong.example/uploads/"))) {
      warmExpectingEvery200(gw);

      HttpResponse<Buffer> elsewhere = gw.post(GatewayFixture.birthRegistration().encode());
      assertThat(elsewhere.statusCode()).as("a citizen's attachment outside the storage is still refused")
          .isEqualTo(422);
    }
  }

  /**
   * With security.citizen-token=required every API call must carry a citizen token, and the warm-up's carry none: each
   * one was a 401 at the citizen step and the pipeline past it stayed cold (a JWT tryout: 52,218 of 52,218 unexpected
   * answers, ready all the same). The warm-up is this process's own client, no citizen's: it needs no token, while a
   * citizen's call without one is still refused.
   */
  @Test
  void shouldWarmTheWholePipelineWhenCitizenTokensAreRequired() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    Path pem = Files.createTempFile("warmup-sso", ".pem");
    pem.toFile().deleteOnExit();
    Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(
        generator.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
    try (GatewayFixture gw = new GatewayFixture(Map.of("warmup.duration-ms", "20000", "warmup.max-requests", "60",
        "warmup.concurrency", "4", "security.citizen-token", "required",
        "security.jwt.issuer", "https://sso.test.dichvucong.gov.vn", "security.jwt.audience", "onewindow-hub",
        "security.jwt.public-keys", pem.toString()))) {
      warmExpectingEvery200(gw);

      assertThat(gw.queued()).isZero();
      HttpResponse<Buffer> citizen = gw.post(GatewayFixture.birthRegistration().encode());
      SecurityTestSupport.assertProblem(citizen, 401, "unauthorized");
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

  /** Runs the warm-up on {@code gw} and checks that every synthetic submission was answered 200. */
  private static void warmExpectingEvery200(GatewayFixture gw) {
    Warmup warmup = gw.shared.warmup();
    warmup.begin();

    warmup.run(gw.vertx, gw.port, false).await();

    String metrics = gw.get("/metrics").bodyAsString();
    assertThat(metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total") && l.contains("POST")))
        .as("every synthetic submission answered 200").isNotEmpty()
        .allMatch(l -> l.contains("code=\"200\""), "code 200");
  }

  private static double requestsServed(String metrics) {
    return metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
