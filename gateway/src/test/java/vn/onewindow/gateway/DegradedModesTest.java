package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.config.ResilienceConfig;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/** Fault injection on the gateway's upstreams: a killed redis-server, a slow one, too many requests at once. */
class DegradedModesTest {
  /** Receipts' WARN on an 'expired' answer, which names Redis's clock as a cause. */
  @RegisterExtension
  final LogCapture receiptsLog = LogCapture.of("vn.onewindow.gateway.submit.Receipts");


  @Test
  void shouldKeepAcceptingThroughPostgresWhileRedisIsDownAndResumeWhenItReturns() throws Exception {
    try (OwnRedis redis = new OwnRedis("hub-redis-kill")) {
      Map<String, String> overrides = new HashMap<>(Map.of("redis.url", redis.url(), "ratelimit.redis-timeout-ms", "50",
          "timeout.redis-enqueue-ms", "300", "breaker.minimum-calls", "5", "breaker.open-seconds", "1",
          "ratelimit.client-classes", "standard:1000/1000", "ratelimit.fallback-instances", "1"));
      try (GatewayFixture gw = new GatewayFixture(overrides)) {
        ResilienceConfig resilience = gw.config.resilience();
        // the longest a request may take with Redis gone: the limiter call, the enqueue, then the direct write
        long worstCaseMs = resilience.rateLimits().redisTimeout().toMillis()
            + resilience.breakers().redisEnqueueTimeout().toMillis()
            + resilience.breakers().postgresWriteTimeout().toMillis();
        String beforeId = gw.postUntilAccepted(AdmissionTest.dossierOf(1), "set-up-submission").bodyAsJsonObject()
            .getString("id");
        redis.stop();

        Set<String> acceptedDuringOutage = new HashSet<>();
        long maxWaitMs = 0;
        int requests = 0;
        for (int i = 0; i < 40; i++) {
          long started = System.nanoTime();
          HttpResponse<Buffer> response = gw.post(AdmissionTest.dossierOf(1000 + i));
          maxWaitMs = Math.max(maxWaitMs, Await.millisSince(started));
          requests++;
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          String code = response.bodyAsJsonObject().getString("code");
          assertThat(DossierCode.isDirect(Long.parseLong(code.substring(code.lastIndexOf('-') + 1)))).as(code).isTrue();
          acceptedDuringOutage.add(response.bodyAsJsonObject().getString("id"));
        }
        String metricsDuringOutage = gw.get("/metrics").bodyAsString();
        HttpResponse<Buffer> statusDuringOutage = gw.get("/v1/dossiers/" + acceptedDuringOutage.iterator().next());

        redis.restart();
        long restarted = System.nanoTime();
        HttpResponse<Buffer> afterReturn = awaitQueuedAgain(gw, resilience.breakers().open());
        long queuedAgainMs = Await.millisSince(restarted);

        // (requests right after Redis returns may still go direct until the breaker has closed again)
        long persisted = TestServers.queryLong(gw.config.postgres().url(),
            "SELECT count(*) FROM dossier WHERE stream_entry_id = 'direct' AND id IN ('"
                + String.join("','", acceptedDuringOutage) + "')");
        System.out.printf("redis killed: %d requests, %d accepted via PostgreSQL, %d persisted, 0 lost, max wait %d ms "
                + "(bound: limiter + enqueue + direct write timeouts = %d ms); queued again %d ms after Redis returned%n",
            requests, acceptedDuringOutage.size(), persisted, maxWaitMs, worstCaseMs, queuedAgainMs);
        assertThat(acceptedDuringOutage).hasSize(40);
        assertThat(persisted).isEqualTo(40);
        assertThat(TestServers.queryLong(gw.config.postgres().url(), "SELECT count(DISTINCT code) FROM dossier"))
            .isEqualTo(TestServers.queryLong(gw.config.postgres().url(), "SELECT count(*) FROM dossier"));
        assertThat(maxWaitMs).as("no request waits past the configured upstream timeouts").isLessThan(worstCaseMs);
        assertThat(metricsDuringOutage).contains("hub_ratelimit_fallback_active 1.0")
            .containsPattern("hub_submissions_total\\{channel=\"online\",outcome=\"degraded\"} 40.0");
        assertThat(statusDuringOutage.statusCode()).isEqualTo(200);
        assertThat(statusDuringOutage.bodyAsJsonObject().getBoolean("persisted")).isTrue();
        assertThat(afterReturn.bodyAsJsonObject().getString("code")).endsWith("-0001");
        // the limiter has a breaker of its own: it may still be open when the enqueue's has closed, so the local
        // fallback ends with the first limiter call after it closes
        AtomicInteger n = new AtomicInteger();
        Await.until(resilience.breakers().open().multipliedBy(10), "rate limits shared through Redis again", () -> {
          gw.post(AdmissionTest.dossierOf(7000 + n.getAndIncrement()));
          return gw.get("/metrics").bodyAsString().contains("hub_ratelimit_fallback_active 0.0");
        });
        assertThat(beforeId).isNotBlank();
      }
    }
  }

  /**
   * Readiness with Redis down: by default a gateway needs both stores (a load balancer that follows it then takes
   * every gateway out at once, and no one reaches the direct path: ops tryout); with degraded.ready-with-one-store it
   * stays ready while it can still accept, which with degraded.redis-down=refuse it cannot. Each answer names both
   * stores.
   */
  @Test
  void shouldStayReadyWithOneStoreOnlyWhenToldAndWhenItCanStillAccept() throws Exception {
    try (OwnRedis redis = new OwnRedis("hub-redis-ready");
         GatewayFixture strict = new GatewayFixture(Map.of("redis.url", redis.url()));
         GatewayFixture degraded = new GatewayFixture(Map.of("redis.url", redis.url(),
             "degraded.ready-with-one-store", "true"));
         GatewayFixture refusing = new GatewayFixture(Map.of("redis.url", redis.url(),
             "degraded.ready-with-one-store", "true", "degraded.redis-down", "refuse"))) {
      for (GatewayFixture gw : List.of(strict, degraded, refusing)) {
        assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);
      }

      redis.stop();

      assertReady(strict, 503, "DOWN");
      assertReady(degraded, 200, "UP");
      assertReady(refusing, 503, "DOWN");
      assertThat(degraded.post(AdmissionTest.dossierOf(1)).statusCode()).as("what keeps it ready").isEqualTo(202);
      redis.restart();
      Await.until(Duration.ofSeconds(10), "Redis answering the strict gateway's readiness again",
          () -> strict.get("/health/ready").statusCode() == 200);
    }
  }

  @Test
  void shouldNotBeReadyOnADatabaseWithoutTheHubsTables() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      String url = gw.config.postgres().url();
      assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);

      // PostgreSQL answers, but not with the hub's schema (a restore or a failover to a server without it, a wrong
      // database): every write would fail, so a load balancer must route elsewhere
      TestServers.execute(url, "ALTER TABLE dossier RENAME TO dossier_elsewhere");
      HttpResponse<Buffer> noSchema = gw.get("/health/ready");
      assertThat(noSchema.statusCode()).as(noSchema.bodyAsString()).isEqualTo(503);
      assertThat(noSchema.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
      assertThat(noSchema.bodyAsJsonObject().getJsonArray("checks").encode())
          .contains("{\"id\":\"redis\",\"status\":\"UP\"}", "{\"id\":\"postgres\",\"status\":\"DOWN\"}");

      TestServers.execute(url, "ALTER TABLE dossier_elsewhere RENAME TO dossier");
      assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);
    }
  }

  /**
   * A migration's ALTER TABLE waits for the transactions using dossier and makes every later lock on it wait behind
   * it: a probe that read the table made every process unready at once (a load balancer then has no gateway left).
   * The probe must not touch the table's lock.
   */
  @Test
  void shouldStayReadyWhileAMigrationWaitsForTheDossierTable() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      PostgresClients.Jdbc jdbc = PostgresClients.jdbc(gw.config.postgres());
      try (Connection reader = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
           Connection migration = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password())) {
        reader.setAutoCommit(false);
        reader.createStatement().execute("SELECT count(*) FROM dossier");
        CompletableFuture<Void> alter = CompletableFuture.runAsync(() -> {
          try (Statement s = migration.createStatement()) {
            s.execute("ALTER TABLE dossier ADD COLUMN waiting_migration integer");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
        Await.until(Duration.ofSeconds(10), "the ALTER TABLE waiting for the reader's lock",
            () -> TestServers.queryLong(gw.config.postgres().url(), "SELECT count(*) FROM pg_locks l JOIN pg_class c"
                + " ON c.oid = l.relation WHERE c.relname = 'dossier' AND NOT l.granted") > 0);

        HttpResponse<Buffer> ready = gw.get("/health/ready");

        assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
        reader.rollback();
        alter.get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void assertReady(GatewayFixture gw, int status, String overall) {
    HttpResponse<Buffer> ready = gw.get("/health/ready");
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(status);
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo(overall);
    assertThat(ready.bodyAsJsonObject().getJsonArray("checks").encode())
        .contains("{\"id\":\"redis\",\"status\":\"DOWN\"}", "{\"id\":\"postgres\",\"status\":\"UP\"}");
  }

  @Test
  void shouldRefuseFastWhileTheBreakerIsOpenAndCloseAfterRecovery() throws Exception {
    URI redis = URI.create(TestServers.get().redisUrl());
    try (TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort())) {
      proxy.up();
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
          "degraded.redis-down", "refuse", "ratelimit.enabled", "false", "timeout.redis-enqueue-ms", "250",
          "breaker.minimum-calls", "5", "breaker.window-seconds", "10", "breaker.open-seconds", "2",
          "breaker.half-open-calls", "2", "shed.backlog-poll-ms", "60000"))) {
        ResilienceConfig.Breakers breakers = gw.config.resilience().breakers();
        long timeoutMs = breakers.redisEnqueueTimeout().toMillis();
        assertThat(gw.postUntilAccepted(AdmissionTest.dossierOf(1), "set-up-submission").statusCode()).isEqualTo(202);
        proxy.delay(timeoutMs * 2 + 100);

        // calls time out one by one until the breaker has seen enough failures, then it answers at once
        List<Long> slowWaits = new ArrayList<>();
        HttpResponse<Buffer> response = null;
        HttpResponse<Buffer> open = null;
        long openWaitMs = -1;
        for (int i = 0; i < 10 && open == null; i++) {
          long started = System.nanoTime();
          HttpResponse<Buffer> r = gw.post(AdmissionTest.dossierOf(10 + i));
          long waited = Await.millisSince(started);
          assertThat(r.statusCode()).isEqualTo(503);
          if (r.bodyAsJsonObject().getString("type").endsWith("/problems/circuit-open")) {
            open = r;
            openWaitMs = waited;
          } else {
            response = r;
            slowWaits.add(waited);
          }
        }
        String metricsOpen = gw.get("/metrics").bodyAsString();

        proxy.delay(0);
        // the breaker moves to half-open by itself once its open period has passed
        Duration halfOpenAfter = Await.until(breakers.open().multipliedBy(3), "the breaker to turn half-open",
            () -> gw.registry.get("resilience4j.circuitbreaker.state").tag("name", Upstream.REDIS_ENQUEUE.tag())
                .tag("state", "half_open").gauge().value() == 1.0);
        HttpResponse<Buffer> probe = gw.post(AdmissionTest.dossierOf(30));
        HttpResponse<Buffer> closed = gw.post(AdmissionTest.dossierOf(31));

        System.out.printf("breaker: timeouts waited %s ms (enqueue timeout %d ms), open breaker answered in %d ms, "
            + "half-open %d ms later (open period %d s)%n", slowWaits, timeoutMs, openWaitMs, halfOpenAfter.toMillis(),
            breakers.open().toSeconds());
        assertThat(slowWaits).hasSizeBetween(3, 5)
            .allSatisfy(ms -> assertThat(ms).isBetween(timeoutMs * 4 / 5, timeoutMs * 4));
        assertThat(response.bodyAsJsonObject().getString("type")).endsWith("/problems/upstream-unavailable");
        assertThat(open).as("the breaker opened").isNotNull();
        assertThat(open.getHeader("Retry-After")).isEqualTo(Long.toString(breakers.open().toSeconds()));
        // refused by the breaker itself (not permitted), so never waited for the enqueue timeout; measured relative to
        // the timed-out calls of the same run, which a busy box slows down just as much
        assertThat(metricsOpen).contains(
            "resilience4j_circuitbreaker_not_permitted_calls_total{kind=\"not_permitted\",name=\"redis_enqueue\"} 1.0");
        assertThat(openWaitMs).as("an open breaker answers before any call that waited for the %d ms timeout",
            timeoutMs).isLessThan(java.util.Collections.min(slowWaits));
        assertThat(metricsOpen).contains("resilience4j_circuitbreaker_state{name=\"redis_enqueue\",state=\"open\"} 1.0");
        assertThat(probe.statusCode()).isEqualTo(202);
        assertThat(closed.statusCode()).isEqualTo(202);
        assertThat(gw.get("/metrics").bodyAsString())
            .contains("resilience4j_circuitbreaker_state{name=\"redis_enqueue\",state=\"closed\"} 1.0");
      }
    }
  }

  /**
   * A script call that timed out in a stalled Redis runs once Redis reads it, and by then its request's deadline has
   * passed (enqueue-dossier.lua): it queues nothing. Before the deadline it queued the dossier after the 503, and a
   * retry written directly meanwhile (the enqueue breaker open, Redis still stalled) became a second dossier of its
   * key (a tryout: 16 of 30). The answer is still the uncertain 503 (the call may have run in time), nothing is
   * written directly, and the retry is the one dossier.
   */
  @Test
  void shouldQueueNothingFromAScriptCallRedisRunsAfterItsDeadline() throws Exception {
    URI redis = URI.create(TestServers.get().redisUrl());
    try (TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort());
         Socket monitor = new Socket(redis.getHost(), redis.getPort())) {
      proxy.up();
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
          "ratelimit.enabled", "false", "timeout.redis-enqueue-ms", "250", "breaker.minimum-calls", "100",
          "shed.backlog-poll-ms", "60000"))) {
        assertThat(gw.postUntilAccepted(AdmissionTest.dossierOf(1), "set-up-submission").statusCode()).isEqualTo(202);
        BufferedReader executed = commandsRun(monitor);
        proxy.delay(600);

        HttpResponse<Buffer> uncertain = gw.postRaw(AdmissionTest.dossierOf(2));
        proxy.delay(0);
        awaitScriptRun(executed, gw);

        assertThat(uncertain.statusCode()).as(uncertain.bodyAsString()).isEqualTo(503);
        assertThat(uncertain.bodyAsJsonObject().getString("type")).endsWith("/problems/upstream-unavailable");
        assertThat(gw.queued()).as("the late call queued nothing").isEqualTo(1);
        assertThat(TestServers.queryLong(gw.config.postgres().url(), "SELECT count(*) FROM dossier")).isZero();
        HttpResponse<Buffer> retry = gw.postRaw(AdmissionTest.dossierOf(2));
        assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(202);
        assertThat(gw.queued()).as("the retry is the one dossier").isEqualTo(2);
      }
    }
  }

  /**
   * A slow upload leaves less of the request's deadline than the enqueue's own timeout: the deadline answers 503
   * first, and a script call Redis runs after that answer must queue nothing, or a retry written directly meanwhile
   * becomes a second dossier of its key. The script's deadline is the earlier of the two (the review of the enqueue
   * deadline: the call below queued its dossier 0.4 s after its client's 503).
   */
  @Test
  void shouldQueueNothingFromAScriptCallRedisRunsAfterTheRequestDeadlineAnswered() throws Exception {
    URI redis = URI.create(TestServers.get().redisUrl());
    try (TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort());
         Socket monitor = new Socket(redis.getHost(), redis.getPort())) {
      proxy.up();
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
          "ratelimit.enabled", "false", "security.request-timeout-ms", "3000", "timeout.redis-enqueue-ms", "2000",
          "timeout.postgres-write-ms", "500", "timeout.postgres-read-ms", "1000", "stats.timeout-ms", "1000",
          "breaker.minimum-calls", "100", "shed.backlog-poll-ms", "60000"))) {
        assertThat(gw.postUntilAccepted(AdmissionTest.dossierOf(1), "set-up-submission").statusCode()).isEqualTo(202);
        BufferedReader executed = commandsRun(monitor);

        // the upload's last byte two thirds into the request's 3 s: the enqueue (2 s) starts with 1 s left, and its
        // call reaches Redis 1.3 s later, after the deadline's 503 and before the enqueue's own timeout
        assertThat(slowUpload(gw, 2000, () -> proxy.delay(1300))).isEqualTo("HTTP/1.1 503 Service Unavailable");
        awaitScriptRun(executed, gw);
        proxy.delay(0);
        assertThat(gw.queued()).as("the call Redis ran after the 503 queued nothing").isEqualTo(1);
      }
    }
  }

  /**
   * A slow upload that leaves the request less than the clock margin of its deadline: a script call could only come
   * back 'expired', so none is made; the 503 comes at once, and no WARN blames Redis's clock for it (the review of the
   * enqueue deadline: the call was made, and its WARN said Redis's clock was ahead).
   */
  @Test
  void shouldNotCallTheScriptWhenTheRequestsDeadlineLeavesLessThanTheClockMargin() throws Exception {
    URI redis = URI.create(TestServers.get().redisUrl());
    try (Socket monitor = new Socket(redis.getHost(), redis.getPort());
         GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.enabled", "false",
             "security.request-timeout-ms", "1500", "timeout.redis-enqueue-ms", "800", "timeout.postgres-write-ms",
             "400", "timeout.postgres-read-ms", "1000", "stats.timeout-ms", "1000", "ratelimit.redis-timeout-ms", "100",
             "breaker.minimum-calls", "100", "shed.backlog-poll-ms", "60000"))) {
      assertThat(gw.postUntilAccepted(AdmissionTest.dossierOf(1), "set-up-submission").statusCode()).isEqualTo(202);
      BufferedReader executed = commandsRun(monitor);

      // the last byte 50 ms before the request's deadline, inside the 100 ms margin: the 503 at once (on a box more
      // than 50 ms late, the deadline's 408 for a body still arriving: no call either)
      assertThat(slowUpload(gw, 1450, () -> { })).isIn("HTTP/1.1 503 Service Unavailable",
          "HTTP/1.1 408 Request Timeout");
      String sentinel = "after-the-slow-upload-" + UUID.randomUUID();
      gw.redis(Command.ECHO, sentinel);
      List<String> scriptCalls = new ArrayList<>();
      String line;
      do {
        line = executed.readLine();
        if (line.toLowerCase(Locale.ROOT).contains("\"evalsha\"") && line.contains(gw.keys.stream())) {
          scriptCalls.add(line);
        }
      } while (!line.contains(sentinel));
      assertThat(scriptCalls).as("no script call for a request with less than the margin left").isEmpty();
      assertThat(receiptsLog.lines("clock")).as("no WARN blaming Redis's clock").isEmpty();
      assertThat(gw.queued()).isEqualTo(1);
    }
  }

  /**
   * Posts a dossier but for its last byte, sends that {@code pauseMs} later (after {@code beforeLastByte}), and
   * returns the answer's status line.
   */
  private static String slowUpload(GatewayFixture gw, long pauseMs, Runnable beforeLastByte) throws Exception {
    byte[] body = AdmissionTest.dossierOf(2).getBytes(StandardCharsets.UTF_8);
    try (Socket upload = new Socket("127.0.0.1", gw.port)) {
      upload.setSoTimeout(15_000);
      upload.getOutputStream().write(("POST /v1/dossiers HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: "
          + GatewayFixture.API_KEY + "\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      upload.getOutputStream().write(body, 0, body.length - 1);
      upload.getOutputStream().flush();
      Thread.sleep(pauseMs);
      beforeLastByte.run();
      upload.getOutputStream().write(body, body.length - 1, 1);
      upload.getOutputStream().flush();
      return new BufferedReader(new InputStreamReader(upload.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
  }

  /** Every command Redis runs, as it runs it (MONITOR): the event that a stalled call has run. */
  private static BufferedReader commandsRun(Socket monitor) throws IOException {
    monitor.setSoTimeout(15_000);
    monitor.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
    BufferedReader executed = new BufferedReader(new InputStreamReader(monitor.getInputStream(),
        StandardCharsets.UTF_8));
    assertThat(executed.readLine()).isEqualTo("+OK");
    return executed;
  }

  /** Returns once Redis has run a partition script call on the gateway's stream. */
  private static void awaitScriptRun(BufferedReader executed, GatewayFixture gw) throws IOException {
    String line;
    do {
      line = executed.readLine();
    } while (!(line.toLowerCase(Locale.ROOT).contains("\"evalsha\"") && line.contains(gw.keys.stream())));
  }

  /**
   * The bulkhead refuses at once, and before the rate limit's Redis call: past its capacity most submissions are
   * refused, so a refusal must cost the stores nothing. Decided after the limit, every refused submission made that
   * call first, and at thousands of connections the refusals alone loaded Redis until the healthy stores' calls looked
   * slow and their breakers opened (QA deadline-day tryout). Rate limits are on, with quotas nothing here reaches.
   */
  @Test
  void shouldRefuseBeyondTheConcurrencyBulkheadAtOnceBeforeAnyRateLimitCall() throws Exception {
    URI redis = URI.create(TestServers.get().redisUrl());
    try (TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort())) {
      proxy.up();
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
          "shed.max-in-flight", "2", "ratelimit.client-classes", "standard:100000/100000",
          "ratelimit.applicant-per-minute", "100000", "ratelimit.applicant-burst", "100000",
          // each Redis round trip through the proxy takes 600 ms from here on, and an admitted submission makes up
          // to three in turn (client limit, applicant limit and key claim, enqueue; the second admitted one's
          // enqueue may wait for the first's call): budgets well above that, or one of the two times out
          "ratelimit.redis-timeout-ms", "3000", "timeout.redis-enqueue-ms", "4000", "timeout.postgres-write-ms", "2000",
          "shed.backlog-poll-ms", "60000"))) {
        assertThat(gw.postUntilAccepted(AdmissionTest.dossierOf(1), "set-up-submission").statusCode()).isEqualTo(202);
        double clientDecisions = clientLimitDecisions(gw);
        proxy.delay(300);
        List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          burst.add(AdmissionTest.postAsync(gw, AdmissionTest.dossierOf(100 + i)));
        }
        Future.all(burst).await();
        List<HttpResponse<Buffer>> responses = burst.stream().map(Future::result).toList();

        assertThat(responses.stream().filter(r -> r.statusCode() == 202)).hasSize(2);
        List<HttpResponse<Buffer>> shed = responses.stream().filter(r -> r.statusCode() == 503).toList();
        assertThat(shed).hasSize(8).allSatisfy(r -> {
          assertThat(r.getHeader("Retry-After")).isEqualTo("1");
          assertThat(r.bodyAsJsonObject().getString("type")).endsWith("/problems/overloaded");
        });
        assertThat(gw.get("/metrics").bodyAsString()).containsPattern("hub_refusals_total\\{reason=\"concurrency\"} 8.0");
        assertThat(clientLimitDecisions(gw) - clientDecisions).as("client-limit calls: the two admitted only")
            .isEqualTo(2.0);
      }
    }
  }

  private static double clientLimitDecisions(GatewayFixture gw) {
    return gw.registry.find(MeterNames.RATE_LIMIT_DECISIONS).tag(MeterNames.TAG_LIMIT, "client").counters().stream()
        .mapToDouble(c -> c.count()).sum();
  }

  /**
   * Submits until a dossier is queued in Redis again (its code restarts at -0001). The breakers must pass open,
   * half-open and closed again, so the deadline is a multiple of their open period.
   */
  private static HttpResponse<Buffer> awaitQueuedAgain(GatewayFixture gw, Duration breakerOpen) {
    AtomicReference<HttpResponse<Buffer>> last = new AtomicReference<>();
    AtomicInteger n = new AtomicInteger();
    Await.until(breakerOpen.multipliedBy(10), "a dossier queued in Redis again", () -> {
      HttpResponse<Buffer> response = gw.post(AdmissionTest.dossierOf(5000 + n.getAndIncrement()));
      last.set(response);
      return response.statusCode() == 202 && response.bodyAsJsonObject().getString("code").endsWith("-0001");
    });
    return last.get();
  }
}
