package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TestServers;

/**
 * A whole hub (gateway and intake workers) on real PostgreSQL and Redis, called as the portal and as agency systems
 * would call it: the shipped development keys of config/clients.json. Every exchange is checked against the API
 * contract ({@link ContractCheck}); requests that break it on purpose go through the {@code *Raw} methods, which
 * check only the answers.
 */
final class AgencyHub implements AutoCloseable {
  static final String PORTAL_KEY = "dev-portal-web-key";
  static final String PORTAL_CLIENT = "portal-web";
  /** Covers every handling agency ("*"). */
  static final String AGENCY_KEY = "dev-agency-key";
  static final String AGENCY_CLIENT = "agency-dev";
  /** Covers *.H26 only: sees nothing of the H48 examples. */
  static final String HANOI_KEY = "dev-agency-hanoi-key";

  /** Officers' names the agency tests send in events: personal data that must never reach a log line. */
  static final String OFFICER = "Trần Thị Cán Bộ";
  static final String OTHER_OFFICER = "Phạm Văn Một";

  private static final AtomicInteger APPLICANTS = new AtomicInteger();

  final HubConfig config;
  final Hub hub;
  private final Vertx vertx = Vertx.vertx();
  /** Checks every request and answer against config/openapi.yaml. */
  private final WebClient client;
  /** For requests that break the contract on purpose (schema-invalid events, limit=1001...): answers only. */
  private final WebClient rawClient;

  AgencyHub(Map<String, String> overrides) {
    java.util.Map<String, String> values = new java.util.HashMap<>(Map.of(
        "intake.block-ms", "100", "ratelimit.applicant-per-minute", "100000", "ratelimit.applicant-burst", "100000"));
    values.putAll(overrides);
    config = TestServers.get().config(values);
    hub = Hub.start(config);
    client = ContractCheck.get().validating(webClient());
    rawClient = ContractCheck.get().answersOnly(webClient());
  }

  private WebClient webClient() {
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(hub.httpPort()), new PoolOptions().setHttp1MaxSize(32));
  }

  /** Submits an example as the portal (a fresh applicant each time) and waits until intake has persisted it. */
  JsonObject submitPersisted(String example) {
    JsonObject dossier = new JsonObject(HubEndToEndTest.example(example));
    JsonObject applicant = dossier.getJsonObject("applicant");
    if (applicant.containsKey("citizenId")) {
      applicant.put("citizenId", String.format("0480%08d", APPLICANTS.incrementAndGet()));
    }
    HttpResponse<Buffer> response = post(PORTAL_KEY, "/v1/dossiers", dossier);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
    JsonObject receipt = response.bodyAsJsonObject().put("submission", dossier);
    Await.until(Duration.ofSeconds(10), "dossier persisted", () ->
        count("SELECT count(*) FROM dossier WHERE id = '" + receipt.getString("id") + "'") == 1);
    return receipt;
  }

  HttpResponse<Buffer> get(String key, String path) {
    return get(client, key, path);
  }

  /** A POST of this exact text (its whitespace and number forms, which a JsonObject would not keep). */
  HttpResponse<Buffer> postText(String key, String path, String text) {
    return client.post(path).putHeader("X-Api-Key", key).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(text)).await();
  }

  /** A GET that breaks the contract on purpose (a limit over 1000...): only the answer is checked. */
  HttpResponse<Buffer> getRaw(String key, String path) {
    return get(rawClient, key, path);
  }

  HttpResponse<Buffer> post(String key, String path, JsonObject body) {
    return post(client, key, path, body);
  }

  /** A POST that breaks the contract on purpose (a schema-invalid event, an id that is not a UUID...). */
  HttpResponse<Buffer> postRaw(String key, String path, JsonObject body) {
    return post(rawClient, key, path, body);
  }

  private static HttpResponse<Buffer> get(WebClient via, String key, String path) {
    return via.get(path).putHeader("X-Api-Key", key).send().await();
  }

  private static HttpResponse<Buffer> post(WebClient via, String key, String path, JsonObject body) {
    return via.post(path).putHeader("X-Api-Key", key).putHeader("Content-Type", "application/json")
        .sendBuffer(body.toBuffer()).await();
  }

  HttpResponse<Buffer> event(String key, String dossierId, JsonObject event) {
    return eventAsync(key, dossierId, event).await();
  }

  io.vertx.core.Future<HttpResponse<Buffer>> eventAsync(String key, String dossierId, JsonObject event) {
    return client.post("/v1/dossiers/" + dossierId + "/events").putHeader("X-Api-Key", key)
        .putHeader("Content-Type", "application/json").sendBuffer(event.toBuffer());
  }

  /** The events all sent before any answer is awaited (a race among them), their answers in the same order. */
  List<HttpResponse<Buffer>> eventsAtOnce(String key, String dossierId, List<JsonObject> events) {
    List<io.vertx.core.Future<HttpResponse<Buffer>>> inFlight = events.stream()
        .map(event -> eventAsync(key, dossierId, event)).toList();
    io.vertx.core.Future.all(inFlight).await();
    return inFlight.stream().map(io.vertx.core.Future::result).toList();
  }

  static JsonObject event(String eventId, int status, Instant at) {
    return new JsonObject().put("eventId", eventId).put("status", status).put("at", at.toString());
  }

  /**
   * Follows a feed from the start until {@code holds} is true of everything it delivered, or fails after 10 s. Feeds
   * deliver a committed row once every older transaction on the cluster has ended (tests share the server with
   * other builds), so a reader polls, as agency systems and portals do.
   */
  JsonArray feedUntil(String key, String path, java.util.function.Predicate<JsonArray> holds) {
    JsonArray[] last = {new JsonArray()};
    Await.until(Duration.ofSeconds(10), "the feed " + path, () -> holds.test(last[0] = wholeFeed(key, path)));
    return last[0];
  }

  /** Follows a feed from the start until it is caught up; every item in feed order. */
  JsonArray wholeFeed(String key, String path) {
    JsonArray all = new JsonArray();
    String next = null;
    while (true) {
      HttpResponse<Buffer> page = get(key, path + "?limit=50" + (next == null ? "" : "&after=" + next));
      assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
      JsonArray items = page.bodyAsJsonObject().getJsonArray("items");
      all.addAll(items);
      next = page.bodyAsJsonObject().getString("next");
      if (items.size() < 50) {
        return all;
      }
    }
  }

  /** The problem+json contract of a refusal; returns the problem document. */
  static JsonObject assertProblem(HttpResponse<Buffer> response, int status, String type) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("type")).isEqualTo("https://hub.onewindow.gov.vn/problems/" + type);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("detail")).isNotBlank();
    assertThat(problem.getString("requestId")).isEqualTo(response.getHeader("X-Request-Id"));
    return problem;
  }

  long count(String sql) {
    return TestServers.queryLong(config.postgres().url(), sql);
  }

  @Override
  public void close() {
    hub.close();
    vertx.close().await();
  }
}
