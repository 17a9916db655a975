package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.field;
import static vn.onewindow.gateway.security.SecurityTestSupport.post;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;
import static vn.onewindow.gateway.security.SecurityTestSupport.send;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/** Frontends authenticate with X-Api-Key on every /v1 call; real gateway, Redis and PostgreSQL. */
class ClientAuthenticationTest extends OneGatewayPerClass {
  /** A client in the middle of a key rotation: its old and its new key are both registered. */
  static final String ROTATING_OLD_KEY = "rotation-old-key-" + UUID.randomUUID();
  static final String ROTATING_NEW_KEY = ApiKeys.generate();
  static final String UNAUTHORIZED_DETAIL = "this API needs the X-Api-Key of a registered client";

  private static WebClient bare;
  /** For requests without a valid key: they break the contract on purpose, only the answers are checked. */
  private static WebClient hostile;

  @BeforeAll
  static void start() {
    JsonArray clients = new JsonArray(SecurityTestSupport.resource("config/clients.json"));
    clients.add(new JsonObject().put("id", "regional-portal").put("name", "Regional portal (rotating its key)")
        .put("quotaClass", "standard")
        .put("keyHashes", new JsonArray().add(ApiKeys.hash(ROTATING_OLD_KEY)).add(ApiKeys.hash(ROTATING_NEW_KEY))));
    Path file = SecurityTestSupport.tempFile("clients", ".json", clients.encodePrettily());
    gw = new GatewayFixture(Map.of("security.clients-file", file.toString()));
    bare = SecurityTestSupport.bareClient(gw.vertx, gw.port);
    hostile = SecurityTestSupport.hostileClient(gw.vertx, gw.port);
  }

  @Test
  void shouldRefuseASubmissionWithoutAKeyWith401AndQueueNothing() {
    HttpResponse<Buffer> response = post(hostile, Map.of(), dossierOf(randomCitizenId()).encode());

    JsonObject problem = assertProblem(response, 401, "unauthorized");
    assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("ApiKey");
    assertThat(problem.getString("detail")).isEqualTo(UNAUTHORIZED_DETAIL);
    assertThat(problem.getString("instance")).isEqualTo("/v1/dossiers");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldAnswerUnknownMalformedAndDuplicatedKeysExactlyAlike() {
    List<Map<String, String>> wrong = List.of(
        Map.of("X-Api-Key", "dev-portal-web-kez"),
        Map.of("X-Api-Key", PORTAL_KEY_WITH_SPACE),
        Map.of("X-Api-Key", "short"),
        Map.of("X-Api-Key", "k".repeat(300)),
        Map.of("X-Api-Key", ApiKeys.hash(SecurityTestSupport.PORTAL_KEY)),
        Map.of("x-api-key", ""),
        Map.of("Authorization", "ApiKey " + SecurityTestSupport.PORTAL_KEY));
    for (Map<String, String> headers : wrong) {
      HttpResponse<Buffer> response = post(hostile, headers, dossierOf(randomCitizenId()).encode());
      JsonObject problem = assertProblem(response, 401, "unauthorized");
      assertThat(response.getHeader("WWW-Authenticate")).as(headers.toString()).isEqualTo("ApiKey");
      assertThat(problem.getString("detail")).as(headers.toString()).isEqualTo(UNAUTHORIZED_DETAIL);
      assertThat(problem.getString("title")).isEqualTo("Unauthorized");
    }
    HttpResponse<Buffer> twoKeys = hostile.post("/v1/dossiers").putHeader("Content-Type", "application/json")
        .putHeader("X-Api-Key", List.of(SecurityTestSupport.PORTAL_KEY, "dev-portal-web-kez"))
        .sendBuffer(Buffer.buffer(dossierOf(randomCitizenId()).encode())).await();
    assertThat(assertProblem(twoKeys, 401, "unauthorized").getString("detail")).isEqualTo(UNAUTHORIZED_DETAIL);
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldKeepTheChangeFeedFromClientsWhoseKeyIsPublic() {
    // an app's key can be read out of the app: the feed would hand anyone every dossier's id and the agencies' notes
    HttpResponse<Buffer> app = send(bare, HttpMethod.GET, "/v1/changes", Map.of("X-Api-Key", "dev-mobile-app-key"),
        null);
    JsonObject problem = assertProblem(app, 403, "client-kind-not-allowed");
    assertThat(problem.getString("detail")).contains("public").contains("secret");
    // what a public client submitted is still its own to follow by the id its 202 gave
    HttpResponse<Buffer> mine = send(bare, HttpMethod.POST, "/v1/dossiers",
        Map.of("X-Api-Key", "dev-mobile-app-key", "Content-Type", "application/json"),
        dossierOf(randomCitizenId()).encode());
    assertThat(mine.statusCode()).as(mine.bodyAsString()).isEqualTo(202);
    HttpResponse<Buffer> status = send(bare, HttpMethod.GET, mine.getHeader("Location"),
        Map.of("X-Api-Key", "dev-mobile-app-key"), null);
    assertThat(status.statusCode()).as(status.bodyAsString()).isEqualTo(200);
    // the portal's pages hold its publishable key: no feed with it; its backend reads, with the secret key, the feed
    // of what the pages submitted (one client)
    assertProblem(send(bare, HttpMethod.GET, "/v1/changes", Map.of("X-Api-Key", "dev-portal-web-page-key"), null), 403,
        "client-kind-not-allowed");
    HttpResponse<Buffer> fromPage = send(bare, HttpMethod.POST, "/v1/dossiers",
        Map.of("X-Api-Key", "dev-portal-web-page-key", "Content-Type", "application/json"),
        dossierOf(randomCitizenId()).encode());
    assertThat(fromPage.statusCode()).as(fromPage.bodyAsString()).isEqualTo(202);
    HttpResponse<Buffer> backend = send(bare, HttpMethod.GET, "/v1/dossiers/" + fromPage.bodyAsJsonObject()
        .getString("id"), Map.of("X-Api-Key", GatewayFixture.API_KEY), null);
    assertThat(backend.statusCode()).as(backend.bodyAsString()).isEqualTo(200);
    HttpResponse<Buffer> feed = send(bare, HttpMethod.GET, "/v1/changes", Map.of("X-Api-Key", GatewayFixture.API_KEY),
        null);
    assertThat(feed.statusCode()).as(feed.bodyAsString()).isEqualTo(200);
  }

  @Test
  void shouldProtectStatusLookUpsToo() {
    String id = gw.post(dossierOf(randomCitizenId()).encode()).bodyAsJsonObject().getString("id");

    HttpResponse<Buffer> anonymous = send(hostile, HttpMethod.GET, "/v1/dossiers/" + id, Map.of(), null);
    HttpResponse<Buffer> unknownRoute = send(bare, HttpMethod.GET, "/v1/nothing-here", Map.of(), null);

    assertProblem(anonymous, 401, "unauthorized");
    assertProblem(unknownRoute, 401, "unauthorized");
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  @Test
  void shouldAcceptBothKeysOfAClientDuringRotationAndRecordTheClient() {
    HttpResponse<Buffer> withOld = post(bare, Map.of("X-Api-Key", ROTATING_OLD_KEY), dossierOf(randomCitizenId()).encode());
    HttpResponse<Buffer> withNew = post(bare, Map.of("X-Api-Key", ROTATING_NEW_KEY), dossierOf(randomCitizenId()).encode());

    assertThat(withOld.statusCode()).as(withOld.bodyAsString()).isEqualTo(202);
    assertThat(withNew.statusCode()).as(withNew.bodyAsString()).isEqualTo(202);
    SecurityTestSupport.assertSecurityHeaders(withNew);
    for (HttpResponse<Buffer> accepted : List.of(withOld, withNew)) {
      String id = accepted.bodyAsJsonObject().getString("id");
      assertThat(field(SecurityTestSupport.streamEntryOf(gw, id), "client")).isEqualTo("regional-portal");
      HttpResponse<Buffer> status = send(bare, HttpMethod.GET, "/v1/dossiers/" + id,
          Map.of("X-Api-Key", ROTATING_NEW_KEY), null);
      assertThat(status.statusCode()).isEqualTo(200);
      assertThat(status.bodyAsJsonObject().getString("id")).isEqualTo(id);
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore + 2);
  }

  @Test
  void shouldRecordEachDevelopmentClientAsItself() {
    Map<String, String> keys = Map.of(SecurityTestSupport.PORTAL_KEY, "portal-web", SecurityTestSupport.MOBILE_KEY,
        "mobile-app", SecurityTestSupport.KIOSK_KEY, "kiosk-hn", "dev-postal-key", "postal-counter",
        "dev-loadtest-abuser-key", "loadtest-abuser");
    keys.forEach((key, client) -> {
      HttpResponse<Buffer> response = post(bare, Map.of("X-Api-Key", key), dossierOf(randomCitizenId()).encode());
      assertThat(response.statusCode()).as(client + ": " + response.bodyAsString()).isEqualTo(202);
      String id = response.bodyAsJsonObject().getString("id");
      assertThat(field(SecurityTestSupport.streamEntryOf(gw, id), "client")).isEqualTo(client);
    });
    assertThat(gw.queued()).isEqualTo(queuedBefore + keys.size());
  }

  @Test
  void shouldLeaveHealthAndMetricsOpen() {
    HttpResponse<Buffer> live = send(bare, HttpMethod.GET, "/health/live", Map.of(), null);
    HttpResponse<Buffer> metrics = send(bare, HttpMethod.GET, "/metrics", Map.of(), null);

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    SecurityTestSupport.assertSecurityHeaders(live);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.bodyAsString()).contains("hub_submissions_total")
        .doesNotContain(SecurityTestSupport.PORTAL_KEY).doesNotContain(ROTATING_NEW_KEY);
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldServeAnonymousCallsAsPublicOnlyWhenKeysAreNotRequired() {
    try (GatewayFixture open = new GatewayFixture(Map.of("security.require-api-key", "false"))) {
      // The contract describes the default deployment, where the key is required: anonymous calls break it.
      WebClient client = SecurityTestSupport.hostileClient(open.vertx, open.port);
      long before = open.queued();

      HttpResponse<Buffer> anonymous = post(client, Map.of(), dossierOf(randomCitizenId()).encode());
      HttpResponse<Buffer> badKey = post(client, Map.of("X-Api-Key", "not-a-registered-key"),
          dossierOf(randomCitizenId()).encode());

      assertThat(anonymous.statusCode()).as(anonymous.bodyAsString()).isEqualTo(202);
      String id = anonymous.bodyAsJsonObject().getString("id");
      assertThat(field(SecurityTestSupport.streamEntryOf(open, id), "client")).isEqualTo(Client.ANONYMOUS_ID);
      assertProblem(badKey, 401, "unauthorized");
      assertThat(badKey.getHeader("WWW-Authenticate")).isEqualTo("ApiKey");
      assertThat(open.queued()).isEqualTo(before + 1);
      // no key is as public as a key gets: anyone may call so, so the change feed (every anonymous submission's id,
      // each opening the citizen's view, and the agencies' notes) is refused as to a client whose key is public
      HttpResponse<Buffer> feed = send(client, HttpMethod.GET, "/v1/changes", Map.of(), null);
      assertThat(assertProblem(feed, 403, "client-kind-not-allowed").getString("detail")).contains("public");
      HttpResponse<Buffer> head = send(client, HttpMethod.HEAD, "/v1/changes", Map.of(), null);
      assertThat(head.statusCode()).isEqualTo(403);
    }
  }

  /**
   * RFC 9112 3.2: an HTTP/1.1 request with no Host or more than one is a 400. A proxy in front may route on one Host and
   * this server read the other; nothing is queued.
   */
  @Test
  void shouldRefuseAnHttp11RequestWithoutExactlyOneHost() {
    String body = GatewayFixture.example("birth-registration.json");
    for (String hosts : List.of("Host: localhost\r\nHost: evil.example\r\n", "")) {
      String answer = SecurityTestSupport.rawExchange(gw.port, ("POST /v1/dossiers HTTP/1.1\r\n" + hosts
          + "X-Api-Key: " + SecurityTestSupport.PORTAL_KEY + "\r\nContent-Type: application/json\r\nContent-Length: "
          + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));

      assertThat(answer).as(hosts + " answered " + answer).startsWith("HTTP/1.1 400")
          .contains("application/problem+json").contains("exactly one Host header");
    }
    // HTTP/1.0 has no Host requirement (a plain probe)
    assertThat(SecurityTestSupport.rawExchange(gw.port, "GET /health/live HTTP/1.0\r\n\r\n"
        .getBytes(StandardCharsets.UTF_8))).startsWith("HTTP/1.0 200");
    // but two are refused in any request message (RFC 9112 3.2): the proxy's routing and the hub's reading differ
    // just the same
    String twoHosts = SecurityTestSupport.rawExchange(gw.port, ("POST /v1/dossiers HTTP/1.0\r\n"
        + "Host: localhost\r\nHost: evil.example\r\nX-Api-Key: " + SecurityTestSupport.PORTAL_KEY
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
    assertThat(twoHosts).as(twoHosts).contains(" 400 ").contains("exactly one Host header");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  private static final String PORTAL_KEY_WITH_SPACE = "dev-portal web-key";

  /**
   * Body framing a front proxy could read otherwise (request smuggling): 400 and the connection closed, or closed
   * unanswered by the codec; never accepted.
   */
  @Test
  void shouldRefuseAmbiguousBodyFraming() {
    String body = GatewayFixture.example("birth-registration.json");
    for (String framing : List.of("Transfer-Encoding: xchunked\r\nContent-Length: " + body.length(),
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity", "Transfer-Encoding: gzip, chunked")) {
      String chunked = Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
      String answer = SecurityTestSupport.rawExchange(gw.port, ("POST /v1/dossiers HTTP/1.1\r\nHost: localhost\r\n"
          + "X-Api-Key: " + SecurityTestSupport.PORTAL_KEY + "\r\nContent-Type: application/json\r\n" + framing + "\r\n\r\n"
          + (framing.contains("Content-Length") ? body : chunked)).getBytes(StandardCharsets.UTF_8));

      if (!framing.contains("Content-Length") && answer.isEmpty()) {
        continue; // Netty closes the connection on codings besides chunked before any handler: refused as well
      }
      assertThat(answer).as(framing + " answered " + answer).startsWith("HTTP/1.1 400")
          .containsIgnoringCase("connection: close").contains("Transfer-Encoding").doesNotContain("<<still open");
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /**
   * A request pipelined behind a refused one is never processed: read by a chunked decoder, the refused request's
   * body would hold it (request smuggling). One answer, then the connection closes.
   */
  @Test
  void shouldProcessNothingPipelinedBehindARefusedRequest() {
    String body = GatewayFixture.example("birth-registration.json");
    String smuggled = "POST /v1/dossiers HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: " + SecurityTestSupport.PORTAL_KEY
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n" + body;
    String answer = SecurityTestSupport.rawExchange(gw.port, ("POST /v1/dossiers HTTP/1.1\r\nHost: localhost\r\n"
        + "X-Api-Key: " + SecurityTestSupport.PORTAL_KEY + "\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: xchunked\r\nContent-Length: 4\r\n\r\nabcd" + smuggled)
        .getBytes(StandardCharsets.UTF_8));

    assertThat(answer).startsWith("HTTP/1.1 400").doesNotContain("<<still open");
    assertThat(answer.split("HTTP/1.1 ", -1)).as("one answer only: " + answer).hasSize(2);
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /**
   * The shipped clients file holds development clients only: a gateway not told that development clients may call it
   * does not start (a jar run with no config/ of its own once let the README's agency key read every submission).
   */
  @Test
  void shouldNotStartOnTheShippedDevelopmentClientsUnlessTold() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      var config = vn.onewindow.common.testing.TestServers.get().config(Map.of("security.development-clients", "false"));
      assertThatThrownBy(() -> vn.onewindow.gateway.GatewayShared.start(vertx, config,
          vn.onewindow.common.metrics.Observability.registry()).await())
          .hasMessageContaining("registers development clients only").hasMessageContaining("security.development-clients");
    } finally {
      vertx.close().await();
    }
  }
}
