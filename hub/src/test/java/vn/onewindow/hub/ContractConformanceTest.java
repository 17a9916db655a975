package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TestServers;

/**
 * The published contract as the frontends and agency systems consume it: every documented operation of the running
 * hub (gateway and intake on real PostgreSQL and Redis), happy and refused, each answer checked against
 * config/openapi.yaml by {@link ContractCheck} (status listed for the operation, headers, content type, body schema).
 */
class ContractConformanceTest {
  private static final String WEB = "dev-portal-web-key";
  private static final String AGENCY = "dev-agency-key";
  private static Hub hub;
  private static Vertx vertx;
  private static WebClient client;
  private static WebClient raw;

  @BeforeAll
  static void start() {
    hub = Hub.start(TestServers.get().config(Map.of("intake.workers", "1")));
    vertx = Vertx.vertx();
    WebClientOptions options = new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(hub.httpPort())
        .setMaxInitialLineLength(16 * 1024);
    client = ContractCheck.get().validating(WebClient.create(vertx, options, new PoolOptions()));
    raw = ContractCheck.get().answersOnly(WebClient.create(vertx, options, new PoolOptions()));
  }

  @AfterAll
  static void stop() {
    hub.close();
    vertx.close().await();
  }

  /** Frontends and agencies alike poll these; a request line over 4 KiB (a runaway query) is a 414 there too. */
  @ParameterizedTest
  @ValueSource(strings = {"/health/live", "/health/ready", "/metrics", "/openapi.yaml"})
  void shouldDescribeTheUriTooLongAnswerOfTheOperationsRoutes(String path) {
    HttpResponse<Buffer> answer = raw.get(path + "?q=" + "a".repeat(5000)).send().await();
    assertThat(answer.statusCode()).isEqualTo(414);
  }

  @Test
  void shouldAnswerEveryDocumentedOperationAsTheContractSays() {
    HttpResponse<Buffer> receipt = client.post("/v1/dossiers").putHeader("X-Api-Key", WEB)
        .putHeader("Content-Type", "application/json").putHeader("Idempotency-Key", "conformance-0001")
        .sendBuffer(Buffer.buffer(example())).await();
    assertThat(receipt.statusCode()).isEqualTo(202);
    String statusUrl = receipt.bodyAsJsonObject().getString("statusUrl");
    String code = receipt.bodyAsJsonObject().getString("code");
    assertThat(client.get(statusUrl).putHeader("X-Api-Key", WEB).send().await().statusCode()).isEqualTo(200);
    assertThat(client.get(statusUrl).putHeader("X-Api-Key", AGENCY).send().await().statusCode()).isEqualTo(200);
    assertThat(client.get("/v1/dossiers").addQueryParam("code", code).putHeader("X-Api-Key", WEB).send().await()
        .statusCode()).isIn(200, 404);
    assertThat(client.get("/v1/changes").putHeader("X-Api-Key", WEB).send().await().statusCode()).isEqualTo(200);
    assertThat(client.get("/v1/agencies/000.21.53.H48/dossiers").putHeader("X-Api-Key", AGENCY).send().await()
        .statusCode()).isEqualTo(200);
    assertThat(client.get("/v1/procedures").putHeader("X-Api-Key", WEB).send().await().statusCode()).isEqualTo(200);
    assertThat(client.get("/v1/procedures/1.001612.000.00.00.H48/due-date").putHeader("X-Api-Key", WEB).send()
        .await().statusCode()).isEqualTo(200);
    assertThat(client.get("/v1/stats/timeliness").addQueryParam("agency", "*.H48").addQueryParam("from", "2026-02-01")
        .addQueryParam("to", "2026-02-28").putHeader("X-Api-Key", AGENCY).send().await().statusCode()).isEqualTo(200);
    for (String path : new String[] {"/health/live", "/health/ready", "/metrics", "/openapi.yaml"}) {
      assertThat(client.get(path).send().await().statusCode()).isEqualTo(200);
    }

    // the refusals: each a problem+json the operation lists
    JsonObject event = new JsonObject().put("eventId", "conformance-1").put("status", 10)
        .put("at", "2026-01-01T00:00:00Z");
    assertThat(raw.post(statusUrl + "/events").putHeader("X-Api-Key", WEB).sendJsonObject(event).await()
        .statusCode()).isEqualTo(403);
    assertThat(raw.post(statusUrl + "/rating").putHeader("X-Api-Key", WEB)
        .sendJsonObject(new JsonObject().put("channel", "online").put("answers", "x")).await().statusCode())
        .isEqualTo(422);
    assertThat(raw.post("/v1/dossiers").putHeader("X-Api-Key", WEB).putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer("{}")).await().statusCode()).isEqualTo(415);
    assertThat(raw.post("/v1/dossiers").putHeader("X-Api-Key", WEB).putHeader("Content-Type", "application/json")
        .putHeader("Idempotency-Key", "conformance-0001").sendBuffer(Buffer.buffer(example() + " ")).await()
        .statusCode()).isEqualTo(409);
    assertThat(raw.get("/v1/changes").addQueryParam("limit", "0").putHeader("X-Api-Key", WEB).send().await()
        .statusCode()).isEqualTo(400);
    assertThat(raw.get("/v1/procedures").send().await().statusCode()).isEqualTo(401);
    assertThat(raw.get("/v1/procedures/nope").putHeader("X-Api-Key", WEB).send().await().statusCode())
        .isEqualTo(404);
    assertThat(raw.delete(statusUrl).putHeader("X-Api-Key", WEB).send().await().statusCode()).isEqualTo(405);
  }

  private static String example() {
    return HubEndToEndTest.example("birth-registration.json");
  }
}
