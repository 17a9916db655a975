package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * An {@code Expect} other than {@code 100-continue} (RFC 9110 10.1.1), as a hand-written client or a misconfigured
 * proxy sends it: Vert.x Web's BodyHandler fails such a request with a bare 417, which the hub's problem renderer knew
 * no problem for and answered 500 {@code internal-error}, with no log line, counted as the hub's own failure (frontend
 * QA, 2026-12-06). It is the client's: a 400 {@code malformed-request} that names the header, nothing queued.
 */
class ExpectHeaderTest extends OneGatewayPerClass {

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldAnswerAnUnknownExpectationWith400OverBothProtocols() {
    for (HttpVersion version : List.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_2)) {
      WebClient client = client(version);
      for (String expect : List.of("foo", "100-continue, foo", "200-ok")) {
        HttpResponse<Buffer> submitted = client.post("/v1/dossiers").putHeader("Content-Type", "application/json")
            .putHeader("Expect", expect)
            .sendBuffer(Buffer.buffer(GatewayFixture.birthRegistration().encode())).await();

        JsonObject problem = assertProblem(submitted, 400, "malformed-request");
        assertThat(problem.getString("detail")).contains("Expect");
        assertThat(submitted.version()).isEqualTo(version);

        HttpResponse<Buffer> read = client.get("/v1/dossiers/" + UUID.randomUUID())
            .putHeader("Expect", expect).putHeader("Content-Length", "0").send().await();

        assertProblem(read, 400, "malformed-request");
      }
      // 100-continue is still honoured
      HttpResponse<Buffer> json = client.post("/v1/dossiers").putHeader("Content-Type", "application/json")
          .putHeader("Expect", "100-continue")
          .sendBuffer(Buffer.buffer(GatewayFixture.birthRegistration().encode())).await();
      assertThat(json.statusCode()).as(json.bodyAsString()).isEqualTo(202);
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore + 2);
  }

  private static WebClient client(HttpVersion version) {
    return ContractCheck.get().answersOnly(WebClientSession.create(WebClient.create(gw.vertx, new WebClientOptions()
            .setDefaultHost("127.0.0.1").setDefaultPort(gw.port)
            .setProtocolVersion(version).setHttp2ClearTextUpgrade(false), new PoolOptions()))
        .addHeader("X-Api-Key", GatewayFixture.API_KEY));
  }
}
