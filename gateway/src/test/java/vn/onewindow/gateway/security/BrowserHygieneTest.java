package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.PORTAL_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.post;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;
import static vn.onewindow.gateway.security.SecurityTestSupport.rawExchange;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.Await;

/**
 * What a hostile connection meets, a browser's too: security headers, header and request-line limits, the request
 * deadline. What a page of another origin may read of it: {@link BrowserCorsTest}.
 */
class BrowserHygieneTest extends BrowserGatewayPerClass {

  @Test
  void shouldSendSecurityHeadersOnEveryAnswerAndNoServerBanner() {
    HttpResponse<Buffer> accepted = gw.post(dossierOf(randomCitizenId()).encode());
    List<HttpResponse<Buffer>> answers = List.of(accepted,
        gw.get(accepted.getHeader("Location")),
        gw.get("/v1/changes"),
        gw.get("/v1/dossiers/" + UUID.randomUUID()),
        gw.get("/v1/nothing-here"),
        gw.get("/health/live"),
        gw.get("/metrics"),
        gw.client.delete("/v1/dossiers/" + UUID.randomUUID()).send().await(),
        post(hostile, Map.of(), "{}"),
        gw.postRaw("{\"note\":\"" + "x".repeat(9000) + "\"}"));

    assertThat(answers).extracting(HttpResponse::statusCode).containsExactly(202, 200, 200, 404, 404, 200, 200, 405,
        401, 413);
    for (HttpResponse<Buffer> answer : answers) {
      SecurityTestSupport.assertSecurityHeaders(answer);
      assertThat(answer.headers().contains("Strict-Transport-Security")).as("no HSTS over plain HTTP").isFalse();
      assertThat(answer.headers().contains("X-Powered-By")).isFalse();
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  /**
   * Requests Vert.x Web's router refuses before its first route runs (no Host, a Host that is no host[:port], a target
   * that is no path): the same X-Request-Id and security headers as every answer (QA: they came with neither, and
   * requestId "-"), and a Host refused is named.
   */
  @Test
  void shouldSendRequestIdAndSecurityHeadersOnWhatTheRouterRefusesBeforeAnyRoute() {
    Map<String, String> requests = Map.of(
        "GET /v1/changes HTTP/1.1\r\n", "exactly one Host header",
        "GET /v1/changes HTTP/1.1\r\nHost: a b\r\n", "Host",
        "OPTIONS * HTTP/1.1\r\nHost: localhost\r\n", "no resource at this path");
    requests.forEach((head, detail) -> {
      String answer = rawExchange(gw.port, (head + "X-Api-Key: " + PORTAL_KEY + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String headers = answer.substring(0, Math.max(0, answer.indexOf("\r\n\r\n"))).toLowerCase();
      JsonObject problem = new JsonObject(answer.substring(answer.indexOf('{')));

      assertThat(problem.getString("detail")).as(head).contains(detail);
      assertThat(problem.getString("requestId")).as(head).isNotEqualTo("-");
      assertThat(headers).as(head).contains("x-request-id: " + problem.getString("requestId"))
          .contains("x-content-type-options: nosniff", "x-frame-options: deny", "referrer-policy: no-referrer",
              "content-security-policy: default-src 'none'", "cache-control: no-store");
    });
  }

  @Test
  void shouldRefuseTooManyHeadersWith431Problem() {
    HttpRequest<Buffer> request = bare.post("/v1/dossiers").putHeader("Content-Type", "application/json")
        .putHeader("X-Api-Key", PORTAL_KEY);
    for (int i = 0; i < 70; i++) {
      request.putHeader("X-Filler-" + i, "v");
    }

    HttpResponse<Buffer> response = request.sendBuffer(Buffer.buffer(dossierOf(randomCitizenId()).encode())).await();

    JsonObject problem = assertProblem(response, 431, "headers-too-large");
    assertThat(problem.getString("detail")).contains("at most 64");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldRefuseAHeaderBlockOverTheLimitWith431Problem() {
    HttpRequest<Buffer> request = bare.post("/v1/dossiers").putHeader("Content-Type", "application/json")
        .putHeader("X-Api-Key", PORTAL_KEY);
    for (int i = 0; i < 40; i++) {
      request.putHeader("X-Filler-" + i, "v".repeat(250));
    }

    HttpResponse<Buffer> response = request.sendBuffer(Buffer.buffer(dossierOf(randomCitizenId()).encode())).await();

    JsonObject problem = assertProblem(response, 431, "headers-too-large");
    assertThat(problem.getString("detail")).contains("8192 bytes");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /** Past twice the limit the HTTP codec stops reading: a bare 431 (Vert.x's own) and the connection closed. */
  @Test
  void shouldCutOffAHeaderBlockTheCodecRefusesAndCloseTheConnection() {
    String body = dossierOf(randomCitizenId()).encode();
    String request = "POST /v1/dossiers HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: " + PORTAL_KEY
        + "\r\nContent-Type: application/json\r\nX-Huge: " + "h".repeat(20_000) + "\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body;

    String answer = rawExchange(gw.port, request.getBytes(StandardCharsets.UTF_8));

    assertThat(answer).containsPattern("^HTTP/1\\.[01] 431 ").doesNotContain("still open").doesNotContain("202");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /** Past twice the limit the HTTP codec stops reading: a 414 problem, no header read, the connection closed. */
  @Test
  void shouldRefuseAnOverlongRequestLineWith414AndClose() {
    int overCodec = gw.config.security().maxInitialLineBytes() * 2 + 100;
    String answer = rawExchange(gw.port, ("GET /v1/dossiers/" + "a".repeat(overCodec) + " HTTP/1.1\r\nHost: localhost\r\n"
        + "X-Api-Key: " + PORTAL_KEY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

    assertThat(answer).containsPattern("^HTTP/1\\.[01] 414 ").doesNotContain("still open")
        .contains("application/problem+json").contains("\"instance\":\"-\"").doesNotContain("/bad-request");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldAnswer408AndCloseWhenTheBodyDoesNotArriveInTime() throws IOException {
    String head = "POST /v1/dossiers HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Api-Key: "
        + PORTAL_KEY + "\r\nContent-Length: 1000\r\n\r\n{\"procedureCode\":";
    long timeoutMs = gw.config.security().requestTimeout().toMillis();
    long started = System.nanoTime();
    try (Socket socket = new Socket("127.0.0.1", gw.port)) {
      socket.setSoTimeout((int) timeoutMs * 4);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(readUntilClosed(socket.getInputStream()), StandardCharsets.UTF_8);
      long elapsedMs = Await.millisSince(started);
      System.out.printf("stalled body: 408 after %d ms (request timeout %d ms)%n", elapsedMs, timeoutMs);

      assertThat(answer).startsWith("HTTP/1.1 408 ").contains("application/problem+json")
          .contains("/problems/request-timeout").containsIgnoringCase("connection: close");
      // not before the deadline (less timer granularity); far later would mean a stuck event loop, not a slow timer
      assertThat(elapsedMs).isBetween(timeoutMs - 100, timeoutMs * 3);
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  private static byte[] readUntilClosed(InputStream in) throws IOException {
    return in.readAllBytes();
  }
}
