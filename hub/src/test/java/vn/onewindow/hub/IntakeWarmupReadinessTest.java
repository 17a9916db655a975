package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;

/**
 * An intake-only process answers readiness 503 "warming-up" while its warm-up runs, and 200 once its workers
 * consume. No timing: the test holds the warm-up inside its INSERT with a table lock, asks, then lets it go. Its
 * management port refuses as the gateway does: problem+json 404 and 405 (with Allow), a HEAD's without a body.
 */
class IntakeWarmupReadinessTest {
  /** Sessions whose dossier INSERT (the warm-up's or a worker's) waits for a lock; one a test holds. */
  static final String DOSSIER_INSERT_WAITING = "SELECT count(*) FROM pg_stat_activity WHERE pid <> "
      + "pg_backend_pid() AND datname = current_database() AND wait_event_type = 'Lock' "
      + "AND query LIKE '%INSERT INTO dossier (%'";

  private static final String COUNT_KEYS = "return #redis.call('KEYS', ARGV[1])";
  private static final String COUNT_KEYS_WITHOUT_TTL = "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) "
      + "do if redis.call('PTTL', k) < 0 then n = n + 1 end end return n";

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldAnswerNotReadyWhileTheIntakeWarmsUpThenReadyWithNothingWritten() throws Exception {
    int port = TestServers.freePort();
    HubConfig config = TestServers.get().config(Map.of("hub.role", "intake", "http.port", Integer.toString(port),
        "intake.workers", "1", "warmup.duration-ms", "10000", "warmup.intake-duration-ms", "10000",
        "warmup.intake-max-entries", "500"));
    Migrations.apply(config.postgres());
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(config.postgres());
    CompletableFuture<Hub> starting;
    try (Connection lock = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
         Statement s = lock.createStatement()) {
      lock.setAutoCommit(false);
      s.execute("LOCK TABLE dossier IN SHARE MODE"); // the warm-up's INSERT (ROW EXCLUSIVE) waits for it
      starting = CompletableFuture.supplyAsync(() -> Hub.start(config));
      Await.until(Duration.ofSeconds(30), "the warm-up's INSERT waiting for the lock",
          () -> TestServers.queryLong(config.postgres().url(), DOSSIER_INSERT_WAITING) == 1);
      HttpResponse<String> warming = ready(port);
      assertThat(warming.statusCode()).isEqualTo(503);
      assertThat(warming.body()).contains("warming-up");
      // its private keys exist now, and each already expires: a process killed here would leave nothing for good
      String privateKeys = config.redis().keyPrefix() + "{warmup:*";
      assertThat(TestServers.get().evalLong(COUNT_KEYS, privateKeys)).as("warm-up keys").isPositive();
      assertThat(TestServers.get().evalLong(COUNT_KEYS_WITHOUT_TTL, privateKeys)).as("warm-up keys without TTL")
          .isZero();
      lock.rollback();
    }
    try (Hub hub = starting.get(30, TimeUnit.SECONDS)) {
      assertThat(hub.httpPort()).isEqualTo(port);
      HttpResponse<String> ready = ready(port);
      assertThat(ready.statusCode()).as("readiness once the workers consume: %s", ready.body()).isEqualTo(200);
      assertSecurityHeaders(ready);
      assertSecurityHeaders(send(port, "GET", "/metrics"));
      HttpResponse<String> head = send(port, "HEAD", "/health/ready");
      assertThat(head.statusCode()).as("HEAD, as GET (RFC 9110)").isEqualTo(200);
      assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(ready.body().length()));
      assertThat(head.body()).isEmpty();
      assertThat(TestServers.queryLong(config.postgres().url(), "SELECT count(*) FROM dossier")).isZero();
      assertThat(TestServers.queryLong(config.postgres().url(), "SELECT count(*) FROM dossier_status_history"))
          .isZero();
      Counter persisted = hub.registry().find(MeterNames.PERSISTED).counter();
      assertThat(persisted == null ? 0.0 : persisted.count()).as("dossiers counted as persisted").isZero();
      assertThat(hub.registry().scrape().lines().filter(l -> l.startsWith("hub_") && l.contains("warmup")))
          .as("hub meters of the warm-up").isEmpty();
      // an intake-only process's loops are probed too (alert HubEventLoopLagHigh, dashboard)
      Await.until(Duration.ofSeconds(5), "an event-loop lag sample", () -> {
        Timer lag = hub.registry().find(MeterNames.EVENT_LOOP_LAG).timer();
        return lag != null && lag.count() > 0;
      });
      assertRefusedAsByTheGateway(port);
    }
  }

  private void assertRefusedAsByTheGateway(int port) throws Exception {
    HttpResponse<String> unknown = send(port, "GET", "/no-such-path");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject notFound = new JsonObject(unknown.body());
    assertThat(notFound.getString("type")).endsWith("/not-found");
    assertThat(notFound.getInteger("status")).isEqualTo(404);
    assertThat(notFound.getString("instance")).isEqualTo("/no-such-path");
    assertSecurityHeaders(unknown);

    HttpResponse<String> post = send(port, "POST", "/health/ready");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(post.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(post.body()).getString("type")).endsWith("/method-not-allowed");

    // a request line naming another HTTP version: Vert.x's own bare 501 (a 5xx a scanner could page with) was the
    // answer here too; the gateway's 400 problem+json now (Http1Framing)
    assertThat(raw(port, "GET /health/live HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 400 ").containsIgnoringCase("content-type: application/problem+json")
        .contains("malformed-request").contains("HTTP/1.2");
    // a header line the codec cannot read, on a path that exists: refused, not answered as /health/live
    assertThat(raw(port, "GET /health/live HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"))
        .startsWith("HTTP/1.1 400 ").containsIgnoringCase("content-type: application/problem+json")
        .contains("malformed-request");

    // over h2c Vert.x would send a body handed to a HEAD answer as DATA frames
    HttpResponse<String> head = send(port, "HEAD", "/no-such-path");
    assertThat(head.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(head.statusCode()).isEqualTo(404);
    assertThat(head.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(head.headers().firstValue("Content-Length")).hasValueSatisfying(length ->
        assertThat(Integer.parseInt(length)).isPositive());
    assertThat(head.body()).isEmpty();
    assertSecurityHeaders(head);
  }

  /** The public port's security headers (EdgeHandlers): the management port sends them too. */
  private static void assertSecurityHeaders(HttpResponse<String> response) {
    Map<String, String> expected = Map.of("X-Content-Type-Options", "nosniff", "X-Frame-Options", "DENY",
        "Referrer-Policy", "no-referrer", "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'",
        "Cache-Control", "no-store");
    expected.forEach((name, value) -> assertThat(response.headers().allValues(name)).as("%s of %s", name,
        response.uri().getPath()).containsExactly(value));
  }

  private HttpResponse<String> send(int port, String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** What the port answers to these bytes, read until it closes the connection (no client library sends them). */
  private static String raw(int port, String request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private HttpResponse<String> ready(int port) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
