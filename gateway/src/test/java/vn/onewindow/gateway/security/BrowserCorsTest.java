package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.PORTAL_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.post;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;
import static vn.onewindow.gateway.security.SecurityTestSupport.send;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * CORS, what a page of an allowed origin may send and read, refusals included (a 401, a 431 or a 414 made before the
 * origin check), and that another origin learns nothing.
 */
class BrowserCorsTest extends BrowserGatewayPerClass {

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
}
