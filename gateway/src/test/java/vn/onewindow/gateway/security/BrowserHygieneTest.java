package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.PORTAL_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.post;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;
import static vn.onewindow.gateway.security.SecurityTestSupport.rawExchange;
import static vn.onewindow.gateway.security.SecurityTestSupport.send;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.Await;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/** What a browser and a hostile connection meet: security headers, CORS, header limits, request deadline. */
class BrowserHygieneTest extends OneGatewayPerClass {
  private static final String PORTAL = "https://dichvucong.test.gov.vn";
  private static final String MOBILE_WEB = "https://m.dichvucong.test.gov.vn";
  private static WebClient bare;
  /** For requests that break the contract on purpose: only the answers are checked. */
  private static WebClient hostile;

  @BeforeAll
  static void start() {
    // A short deadline needs upstream timeouts that fit inside it (HubConfig refuses start-up otherwise).
    gw = new GatewayFixture(Map.of("security.cors.allowed-origins", PORTAL + ", " + MOBILE_WEB,
        "security.request-timeout-ms", "1500", "http.body-limit-bytes", "8192",
        "timeout.redis-enqueue-ms", "500", "timeout.postgres-read-ms", "1000", "timeout.postgres-write-ms", "700",
        "stats.timeout-ms", "1000"));
    bare = SecurityTestSupport.bareClient(gw.vertx, gw.port);
    hostile = SecurityTestSupport.hostileClient(gw.vertx, gw.port);
  }

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

  /**
   * Also W3C trace context, which OpenTelemetry's fetch instrumentation adds to every call: without it in the
   * allow-list Chromium failed each preflight, so every call of such a page (a frontend tryout). The hub reads neither
   * header: allowing them lets the page send them, nothing more.
   */
  @Test
  void shouldAnswerAPreflightFromAnAllowedOriginWithoutAKey() {
    HttpResponse<Buffer> preflight = send(bare, HttpMethod.OPTIONS, "/v1/dossiers", Map.of("Origin", PORTAL,
        "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers",
        "content-type, x-api-key, idempotency-key, authorization, traceparent, tracestate"), null);

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo(PORTAL);
    assertThat(preflight.getHeader("Access-Control-Allow-Methods")).contains("POST").contains("GET")
        .doesNotContain("DELETE").doesNotContain("PUT");
    assertThat(preflight.getHeader("Access-Control-Allow-Headers")).contains("X-Api-Key").contains("Idempotency-Key")
        .contains("Authorization").contains("Content-Type").contains("traceparent").contains("tracestate");
    assertThat(preflight.getHeader("Access-Control-Max-Age")).isEqualTo("600");
    assertThat(preflight.headers().contains("Access-Control-Allow-Credentials")).isFalse();
    assertThat(preflight.bodyAsString()).isNull();
    SecurityTestSupport.assertSecurityHeaders(preflight);
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldLetAnAllowedOriginSubmitAndReadTheExposedHeaders() {
    HttpResponse<Buffer> response = post(bare, Map.of("Origin", MOBILE_WEB, "X-Api-Key", PORTAL_KEY),
        dossierOf(randomCitizenId()).encode());

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo(MOBILE_WEB);
    assertThat(response.getHeader("Access-Control-Expose-Headers")).contains("Location").contains("X-Request-Id")
        .contains("Idempotent-Replayed").contains("Retry-After");
    assertThat(response.getHeader("Vary")).containsIgnoringCase("origin");
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  /**
   * A page must tell a citizen token to renew (sign in again) from a key its build got wrong: the problem type is
   * "unauthorized" for both, and WWW-Authenticate (Bearer error="invalid_token", or ApiKey) was hidden from it by
   * CORS, leaving only the English detail to parse (a frontend tryout in Chromium).
   */
  @Test
  void shouldLetAnAllowedOriginReadWhichCredentialA401Refused() {
    HttpResponse<Buffer> badToken = send(hostile, HttpMethod.GET, "/v1/dossiers/" + UUID.randomUUID(), Map.of(
        "Origin", PORTAL, "X-Api-Key", PORTAL_KEY, "Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"), null);
    HttpResponse<Buffer> badKey = send(hostile, HttpMethod.GET, "/v1/dossiers/" + UUID.randomUUID(), Map.of(
        "Origin", PORTAL, "X-Api-Key", "not-a-key"), null);

    assertProblem(badToken, 401, "unauthorized");
    assertProblem(badKey, 401, "unauthorized");
    assertThat(badToken.getHeader("WWW-Authenticate")).contains("Bearer").contains("invalid_token");
    assertThat(badKey.getHeader("WWW-Authenticate")).isEqualTo("ApiKey");
    for (HttpResponse<Buffer> refused : List.of(badToken, badKey)) {
      assertThat(refused.getHeader("Access-Control-Allow-Origin")).isEqualTo(PORTAL);
      assertThat(refused.getHeader("Access-Control-Expose-Headers")).containsIgnoringCase("WWW-Authenticate");
    }
  }

  @Test
  void shouldRefuseOtherOriginsWith403PreflightOrNot() {
    for (String origin : List.of("https://evil.example", "null", PORTAL + ".evil.example", "http://dichvucong.test.gov.vn",
        PORTAL.toUpperCase(java.util.Locale.ROOT))) {
      HttpResponse<Buffer> preflight = send(bare, HttpMethod.OPTIONS, "/v1/dossiers",
          Map.of("Origin", origin, "Access-Control-Request-Method", "POST"), null);
      HttpResponse<Buffer> submit = post(bare, Map.of("Origin", origin, "X-Api-Key", PORTAL_KEY),
          dossierOf(randomCitizenId()).encode());
      for (HttpResponse<Buffer> refused : List.of(preflight, submit)) {
        JsonObject problem = assertProblem(refused, 403, "origin-not-allowed");
        assertThat(problem.getString("detail")).isEqualTo("this API does not accept calls from pages of this origin");
        assertThat(refused.headers().contains("Access-Control-Allow-Origin")).as(origin).isFalse();
      }
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldRefuseTwoOriginHeadersWhicheverComesFirst() {
    // no browser sends two; a gateway that read only the first let the order decide between 403 and CORS headers
    for (List<String> origins : List.of(List.of("https://evil.example", PORTAL), List.of(PORTAL, "https://evil.example"))) {
      HttpRequest<Buffer> request = bare.post("/v1/dossiers").putHeader("Content-Type", "application/json")
          .putHeader("X-Api-Key", PORTAL_KEY).putHeader("Origin", origins);
      HttpResponse<Buffer> refused = request.sendBuffer(Buffer.buffer(dossierOf(randomCitizenId()).encode())).await();
      assertThat(assertProblem(refused, 400, "malformed-request").getString("detail"))
          .isEqualTo("give one Origin header, not 2");
      assertThat(refused.headers().contains("Access-Control-Allow-Origin")).as(origins.toString()).isFalse();
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore);
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

  /**
   * A page of an allowed origin whose request the edge refuses before the CORS step (a header block over the limit:
   * a large citizen token) must be able to read the problem: without Access-Control-Allow-Origin the browser hides
   * the 431 behind a bare "Failed to fetch", which a frontend cannot tell from the hub being down (a frontend tryout
   * in Chromium). Another origin still learns nothing.
   */
  @Test
  void shouldLetAnAllowedOriginReadARefusalMadeBeforeTheCorsStep() {
    for (String origin : List.of(PORTAL, MOBILE_WEB, "https://evil.example")) {
      HttpRequest<Buffer> tooManyHeaders = hostile.get("/v1/procedures").putHeader("X-Api-Key", PORTAL_KEY)
          .putHeader("Origin", origin);
      for (int i = 0; i < 70; i++) {
        tooManyHeaders.putHeader("X-Filler-" + i, "v");
      }
      HttpResponse<Buffer> bigToken = send(hostile, HttpMethod.GET, "/v1/procedures", Map.of("Origin", origin,
          "X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + "a".repeat(9000)), null);

      for (HttpResponse<Buffer> refused : List.of(tooManyHeaders.send().await(), bigToken)) {
        assertProblem(refused, 431, "headers-too-large");
        if (origin.equals("https://evil.example")) {
          assertThat(refused.headers().contains("Access-Control-Allow-Origin")).as(origin).isFalse();
        } else {
          assertThat(refused.getHeader("Access-Control-Allow-Origin")).as(origin).isEqualTo(origin);
          assertThat(refused.getHeader("Access-Control-Expose-Headers")).as(origin).contains("X-Request-Id")
              .contains("Retry-After");
          assertThat(refused.getHeader("Vary")).as(origin).containsIgnoringCase("origin");
        }
      }
    }
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

  /**
   * A page's call past the request-line limit (a runaway query) was unreadable: the codec refused the line before it
   * read the Origin header, so neither the preflight nor the 414 could carry Access-Control-Allow-Origin, and Chromium
   * showed the page a bare "Failed to fetch" (a frontend tryout). Every frontend call carries X-Api-Key, so a
   * preflight comes first with the same target: it is answered, and the call itself gets a 414 the page can read.
   * Another origin learns nothing.
   */
  @Test
  void shouldLetAnAllowedOriginReadA414ForATargetOverTheLimit() {
    String path = "/v1/dossiers?code=" + "a".repeat(gw.config.security().maxInitialLineBytes());
    for (String origin : List.of(PORTAL, MOBILE_WEB)) {
      HttpResponse<Buffer> preflight = send(hostile, HttpMethod.OPTIONS, path, Map.of("Origin", origin,
          "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-api-key"), null);
      HttpResponse<Buffer> call = send(hostile, HttpMethod.GET, path, Map.of("Origin", origin,
          "X-Api-Key", PORTAL_KEY), null);

      assertThat(preflight.statusCode()).as(origin).isEqualTo(204);
      assertThat(preflight.getHeader("Access-Control-Allow-Origin")).as(origin).isEqualTo(origin);
      assertThat(preflight.getHeader("Access-Control-Allow-Headers")).as(origin).contains("X-Api-Key");
      assertThat(assertProblem(call, 414, "uri-too-long").getString("detail"))
          .isEqualTo("the request line exceeds " + gw.config.security().maxInitialLineBytes() + " bytes");
      assertThat(call.getHeader("Access-Control-Allow-Origin")).as(origin).isEqualTo(origin);
      assertThat(call.getHeader("Access-Control-Expose-Headers")).as(origin).contains("X-Request-Id");
    }
    HttpResponse<Buffer> evilPreflight = send(hostile, HttpMethod.OPTIONS, path, Map.of("Origin", "https://evil.example",
        "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-api-key"), null);
    HttpResponse<Buffer> evilCall = send(hostile, HttpMethod.GET, path, Map.of("Origin", "https://evil.example",
        "X-Api-Key", PORTAL_KEY), null);
    assertProblem(evilPreflight, 403, "origin-not-allowed");
    assertProblem(evilCall, 414, "uri-too-long");
    for (HttpResponse<Buffer> refused : List.of(evilPreflight, evilCall)) {
      assertThat(refused.headers().contains("Access-Control-Allow-Origin")).isFalse();
    }
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
