package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * What a frontend's bug sends, as the frontend tryout sent it over HTTP/1.1 and HTTP/2: a precise 4xx problem, fast
 * and brief; never a bare 400, a 5xx, or an answer megabytes long built on an event loop.
 */
class FrontendMistakesTest extends OneGatewayPerClass {
  /** http.body-limit-bytes, the default. */
  private static final int BODY_LIMIT = 262_144;

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  /**
   * A form's Content-Type (a library's default, URLSearchParams, a form post) on a route that takes JSON: Vert.x Web's
   * BodyHandler decoded such a body as form fields, and a dossier over 1 KiB (Netty's per-field buffer) or any body
   * with a stray '%' failed there: a bare 400 "the request could not be read" instead of the 415 that names the fix.
   */
  @Test
  void shouldAnswerAFormContentTypeWith415OverBothProtocols() {
    String dossier = dossierOf(randomCitizenId()).encode();
    String id = UUID.randomUUID().toString();
    for (HttpVersion version : List.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_2)) {
      WebClient client = client(version);
      for (String type : List.of("application/x-www-form-urlencoded", "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
          "multipart/form-data; boundary=x")) {
        for (String path : List.of("/v1/dossiers", "/v1/dossiers/" + id + "/rating", "/v1/dossiers/" + id + "/events")) {
          for (String body : List.of(dossier, "note=100%", "a=1&".repeat(300))) {
            HttpResponse<Buffer> response = client.post(path).putHeader("Content-Type", type)
                .sendBuffer(Buffer.buffer(body)).await();

            assertThat(response.version()).isEqualTo(version);
            assertProblem(response, 415, "unsupported-media-type");
          }
        }
      }
      // the same client still submits: over HTTP/2 on the same connection
      HttpResponse<Buffer> json = client.post("/v1/dossiers").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(dossierOf(randomCitizenId()).encode())).await();
      assertThat(json.statusCode()).as(json.bodyAsString()).isEqualTo(202);
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore + 2);
  }

  /**
   * A body within the size limit holding ~87,000 empty attachments: the schema reported five violations for each,
   * and the 422 listing them (~40 MB) was built on an event loop for 6-8 s; with the gateway's 320 MB heap it ran
   * out of memory and the client got a 500. Now such a body is refused on its size alone, in one violation.
   */
  @Test
  void shouldRefuseABodyOfTensOfThousandsOfValuesFastAndBriefly() {
    JsonObject dossier = dossierOf(randomCitizenId());
    int items = (BODY_LIMIT - 1024 - dossier.encode().length()) / 3;
    dossier.put("attachments", new JsonArray(Collections.nCopies(items, new JsonObject())));
    for (HttpVersion version : List.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_2)) {
      long start = System.nanoTime();
      HttpResponse<Buffer> response = client(version).post("/v1/dossiers")
          .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(dossier.encode())).await();
      long millis = (System.nanoTime() - start) / 1_000_000;

      JsonObject problem = assertProblem(response, 422, "invalid-dossier");
      assertThat(problem.getJsonArray("errors")).containsExactly(new JsonObject().put("pointer", "")
          .put("detail", "holds more than 1000 JSON values (objects, arrays, members and items at any depth), far "
              + "more than any valid body: nothing else was checked"));
      assertThat(response.body().length()).isLessThan(1024);
      assertThat(millis).as("answered in ms").isLessThan(1000);
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /** Under that bound a body may still break hundreds of rules: the answer names the first 100, and says so. */
  @Test
  void shouldListTheFirstHundredViolationsAndCountThemAll() {
    JsonObject dossier = dossierOf(randomCitizenId());
    dossier.put("attachments", new JsonArray(Collections.nCopies(150, new JsonObject())));

    HttpResponse<Buffer> response = gw.postRaw(dossier.encode());

    JsonObject problem = assertProblem(response, 422, "invalid-dossier");
    assertThat(problem.getJsonArray("errors")).hasSize(100);
    assertThat(problem.getString("detail"))
        .isEqualTo("751 fields of the dossier are invalid; errors lists the first 100 of its 751 violations");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /** h2c by prior knowledge over HTTP/2, as the load balancers' backends speak it; answers checked by the contract. */
  private static WebClient client(HttpVersion version) {
    return ContractCheck.get().answersOnly(WebClientSession.create(WebClient.create(gw.vertx, new WebClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(gw.port)
        .setProtocolVersion(version).setHttp2ClearTextUpgrade(false), new PoolOptions()))
        .addHeader("X-Api-Key", GatewayFixture.API_KEY));
  }
}
