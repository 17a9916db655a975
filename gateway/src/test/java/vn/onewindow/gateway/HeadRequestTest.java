package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.security.SecurityTestSupport;

/**
 * HEAD wherever GET (RFC 9110, 9.1 and 9.3.2): every GET route answers HEAD with the status and header fields its GET
 * gets, Content-Length included, and no body; refusals too (401, 403, 404); over HTTP/1.1 and HTTP/2 (h2c here, which
 * the plain port speaks as well). A 405 lists HEAD next to GET. The HEAD answers also pass the contract's GET. The
 * feeds' meters count the pages and items a GET delivers, never a HEAD's.
 */
class HeadRequestTest extends OneGatewayPerClass {
  private static final String BIRTH = "1.001612.000.00.00.H48";
  /** The development agency system's key (config/clients.json). */
  private static final String AGENCY_KEY = "dev-agency-key";
  /** In the agency directory, and covered by the development agency client ("*"). */
  private static final String AGENCY = "000.00.00.H92";
  /** Header fields that differ from one answer to the next by design. */
  private static final Set<String> PER_ANSWER = Set.of("x-request-id", "ratelimit-remaining", "ratelimit-reset");

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("stats.cache-ms", "0"));
  }

  @Test
  void shouldAnswerHeadOnEveryGetRouteAsItsGetWithoutTheBody() {
    String id = gw.post(GatewayFixture.birthRegistration().encode()).bodyAsJsonObject().getString("id");
    for (String path : List.of("/health/live", "/health/ready", "/openapi.yaml", "/v1/dossiers/" + id,
        "/v1/procedures", "/v1/procedures/" + BIRTH, "/v1/procedures/" + BIRTH + "/due-date?receivedAt=2026-02-13T03:00:00Z", "/v1/changes",
        "/v1/stats/timeliness?from=2026-02-01&to=2026-02-28")) {
      assertHeadAnsweredAsGet(gw.client, path, 200);
    }
    assertHeadAnsweredAsGet(ContractCheck.get().validating(client(AGENCY_KEY, HttpVersion.HTTP_1_1)),
        "/v1/agencies/" + AGENCY + "/dossiers", 200);

    // the scrape grows between two requests: same headers, a length of its own
    HttpResponse<Buffer> metrics = gw.client.head("/metrics").send().await();
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.getHeader("Content-Type")).isEqualTo(gw.get("/metrics").getHeader("Content-Type"));
    assertThat(Integer.parseInt(metrics.getHeader("Content-Length"))).isPositive();
    assertThat(metrics.bodyAsString()).isNullOrEmpty();
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  @Test
  void shouldRefuseAHeadAsItsGet() {
    WebClient anonymous = ContractCheck.get().answersOnly(client(null, HttpVersion.HTTP_1_1));
    HttpResponse<Buffer> unauthorized = assertHeadAnsweredAsGet(anonymous, "/v1/procedures", 401);
    assertThat(unauthorized.getHeader("WWW-Authenticate")).isNotBlank();
    assertThat(unauthorized.getHeader("Content-Type")).isEqualTo("application/problem+json");

    assertHeadAnsweredAsGet(gw.client, "/v1/dossiers/" + UUID.randomUUID(), 404);
    assertHeadAnsweredAsGet(gw.client, "/v1/procedures/no-such-procedure", 404);
    assertHeadAnsweredAsGet(ContractCheck.get().validating(client(AGENCY_KEY, HttpVersion.HTTP_1_1)), "/v1/changes",
        403);
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldAnswerAConditionalHeadLikeItsGet() {
    String etag = gw.get("/openapi.yaml").getHeader("ETag");

    HttpResponse<Buffer> head = assertHeadAnsweredAsGet(gw.client, "/openapi.yaml", 200);
    HttpResponse<Buffer> notModified = assertHeadAnsweredAsGet(gw.client, "/openapi.yaml",
        r -> r.putHeader("If-None-Match", etag), 304);

    assertThat(head.getHeader("ETag")).isEqualTo(etag);
    assertThat(head.getHeader("Cache-Control")).isEqualTo("public, max-age=300");
    assertThat(notModified.getHeader("ETag")).isEqualTo(etag);
  }

  @Test
  void shouldListHeadNextToGetIn405sAllow() {
    HttpResponse<Buffer> delete = gw.client.delete("/v1/dossiers/" + UUID.randomUUID()).send().await();
    assertThat(delete.statusCode()).isEqualTo(405);
    assertThat(delete.getHeader("Allow")).isEqualTo("GET, HEAD");
    assertThat(gw.client.post("/health/live").send().await().getHeader("Allow")).isEqualTo("GET, HEAD");

    // a path without GET takes no HEAD either: the 405's headers, without its problem
    HttpResponse<Buffer> head = gw.client.head("/v1/dossiers/" + UUID.randomUUID() + "/rating").send().await();
    assertThat(head.statusCode()).isEqualTo(405);
    assertThat(head.getHeader("Allow")).isEqualTo("POST");
    assertThat(head.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(Integer.parseInt(head.getHeader("Content-Length"))).isPositive();
    assertThat(head.bodyAsString()).isNullOrEmpty();
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldCountOnlyTheFeedPagesAGetDelivers() {
    String id = new AgencyEvents(gw).dossierReceived("now()"); // an item in the change feed
    // the feeds show a row once every transaction older than its own has ended, on the whole server the tests share
    // (another test JVM's open transaction held it back: an empty page, CI); asked of PostgreSQL, not of the gateway,
    // whose counters are what this test counts
    Await.until(Duration.ofSeconds(60), "the dossier below the feeds' snapshot horizon",
        () -> TestServers.queryLong(gw.config.postgres().url(), "SELECT count(*) FROM dossier WHERE id = '" + id
            + "' AND feed_xid < pg_snapshot_xmin(pg_current_snapshot())") == 1);
    WebClient agencyClient = ContractCheck.get().validating(client(AGENCY_KEY, HttpVersion.HTTP_1_1));
    String agencyFeed = "/v1/agencies/" + AGENCY + "/dossiers";
    double items = feedItems();
    long reads = feedReads();

    assertThat(gw.client.head("/v1/changes").send().await().statusCode()).isEqualTo(200);
    assertThat(agencyClient.head(agencyFeed).send().await().statusCode()).isEqualTo(200);
    assertThat(feedItems()).as("items after two HEADs").isEqualTo(items);
    assertThat(feedReads()).as("page reads after two HEADs").isEqualTo(reads);

    assertThat(gw.get("/v1/changes").bodyAsJsonObject().getJsonArray("items")).isNotEmpty();
    assertThat(agencyClient.get(agencyFeed).send().await().statusCode()).isEqualTo(200);
    assertThat(feedItems()).isGreaterThan(items);
    assertThat(feedReads()).isEqualTo(reads + 2);
  }

  @Test
  void shouldSendNoBodyBytesAfterAHeadAnswer() {
    String answer = SecurityTestSupport.rawExchange(gw.port, ("HEAD /health/live HTTP/1.1\r\nHost: localhost\r\n"
        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

    assertThat(answer).startsWith("HTTP/1.1 200 ").containsIgnoringCase("content-length: "
        + gw.get("/health/live").body().length() + "\r\n");
    assertThat(answer).as("the answer ends with its header block").endsWith("\r\n\r\n");
  }

  @Test
  void shouldAnswerHeadOverHttp2WithoutDataFrames() {
    // Vert.x would send a body handed to a HEAD answer as DATA frames over HTTP/2; its client hands them on as a body
    WebClient h2 = ContractCheck.get().validating(client(GatewayFixture.API_KEY, HttpVersion.HTTP_2));

    HttpResponse<Buffer> head = assertHeadAnsweredAsGet(h2, "/v1/procedures", 200);
    assertThat(head.version()).isEqualTo(HttpVersion.HTTP_2);
    assertHeadAnsweredAsGet(h2, "/v1/dossiers/" + UUID.randomUUID(), 404);
    assertHeadAnsweredAsGet(h2, "/health/ready", 200);
  }

  private static double feedItems() {
    return gw.registry.find(MeterNames.FEED_ITEMS).counters().stream().mapToDouble(Counter::count).sum();
  }

  private static long feedReads() {
    return gw.registry.find(MeterNames.FEED_READ_LATENCY).timers().stream().mapToLong(Timer::count).sum();
  }

  private static HttpResponse<Buffer> assertHeadAnsweredAsGet(WebClient client, String path, int status) {
    return assertHeadAnsweredAsGet(client, path, UnaryOperator.identity(), status);
  }

  /**
   * Sends GET then HEAD: same status, same header fields (but the per-answer ones; Content-Length included, which a
   * 304 has neither), the length of the GET's body, and no body.
   */
  private static HttpResponse<Buffer> assertHeadAnsweredAsGet(WebClient client, String path,
                                                              UnaryOperator<HttpRequest<Buffer>> request, int status) {
    HttpResponse<Buffer> get = request.apply(client.get(path)).send().await();
    HttpResponse<Buffer> head = request.apply(client.head(path)).send().await();

    assertThat(get.statusCode()).as("GET %s: %s", path, get.bodyAsString()).isEqualTo(status);
    assertThat(head.statusCode()).as("HEAD %s", path).isEqualTo(status);
    assertThat(fields(head)).as("HEAD %s", path).isEqualTo(fields(get));
    if (get.body() != null) {
      assertThat(head.getHeader("Content-Length")).as("HEAD %s", path).isEqualTo(Integer.toString(get.body().length()));
    }
    assertThat(head.bodyAsString()).as("HEAD %s", path).isNullOrEmpty();
    return head;
  }

  private static Map<String, List<String>> fields(HttpResponse<Buffer> response) {
    Map<String, List<String>> fields = new TreeMap<>();
    for (String name : response.headers().names()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!PER_ANSWER.contains(lower)) {
        fields.put(lower, response.headers().getAll(name));
      }
    }
    return fields;
  }

  /**
   * HTTP/2 forbids connection-specific headers (RFC 9113 8.2.2): a refusal that closes an HTTP/1 connection (413)
   * says nothing of the kind over HTTP/2, where strict clients dropped the answer as a protocol error.
   */
  @Test
  void shouldNotSendConnectionHeadersOverHttp2() {
    HttpResponse<Buffer> tooLarge = client(GatewayFixture.API_KEY, HttpVersion.HTTP_2).post("/v1/dossiers")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("x".repeat(300_000))).await();

    assertThat(tooLarge.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.getHeader("Connection")).isNull();
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /** {@code apiKey} null: none sent. */
  private static WebClient client(String apiKey, HttpVersion version) {
    WebClientSession session = WebClientSession.create(WebClient.create(gw.vertx, new WebClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(gw.port)
        .setProtocolVersion(version).setHttp2ClearTextUpgrade(false), new PoolOptions()));
    return apiKey == null ? session : session.addHeader("X-Api-Key", apiKey);
  }
}
