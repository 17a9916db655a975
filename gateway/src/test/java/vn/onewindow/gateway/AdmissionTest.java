package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.ResilienceConfig;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.admission.Admission;
import vn.onewindow.gateway.http.Problems;

/** Rate limits shared across instances, per-applicant limits, backlog shedding and the concurrency bulkhead. */
class AdmissionTest {
  @RegisterExtension
  final LogCapture logged = LogCapture.of(Problems.class);
  @RegisterExtension
  final LogCapture admission = LogCapture.of(Admission.class);


  static String dossierOf(int applicant) {
    JsonObject dossier = GatewayFixture.birthRegistration();
    dossier.getJsonObject("applicant").put("citizenId", String.format("0011%08d", applicant));
    return dossier.encode();
  }

  static Future<HttpResponse<Buffer>> postAsync(GatewayFixture gw, String body) {
    return gw.client.post("/v1/dossiers").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body));
  }

  @Test
  void shouldAdmitNoMoreThanTheConfiguredRateAcrossTwoInstances() {
    HubConfig config = TestServers.get().migratedConfig(Map.of(
        "ratelimit.client-classes", "standard:20/20", "ratelimit.applicant-per-minute", "100000",
        "ratelimit.applicant-burst", "100000", "ratelimit.redis-timeout-ms", "2000"));
    try (GatewayFixture first = new GatewayFixture(config); GatewayFixture second = new GatewayFixture(config)) {
      long started = System.nanoTime();
      long deadline = started + 4_000_000_000L;
      List<HttpResponse<Buffer>> responses = new ArrayList<>();
      int n = 0;
      while (System.nanoTime() < deadline) {
        List<Future<HttpResponse<Buffer>>> round = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          round.add(postAsync(i % 2 == 0 ? first : second, dossierOf(n++)));
        }
        Future.all(round).await();
        round.forEach(f -> responses.add(f.result()));
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      long accepted = responses.stream().filter(r -> r.statusCode() == 202).count();
      long limited = responses.stream().filter(r -> r.statusCode() == 429).count();
      double allowed = 20 + 20 * seconds;

      System.out.printf("two instances: %d requests in %.1f s, %d accepted (configured at most %.0f), %d limited%n",
          responses.size(), seconds, accepted, allowed, limited);
      assertThat(accepted + limited).isEqualTo(responses.size());
      // at most the configured rate; at least most of it, or of what a busy box managed to send
      assertThat((double) accepted).isLessThanOrEqualTo(allowed * 1.05)
          .isGreaterThanOrEqualTo(Math.min(allowed, responses.size()) * 0.85);
      assertThat(first.queued()).isEqualTo(accepted);
      HttpResponse<Buffer> refused = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
      assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
      assertThat(refused.bodyAsJsonObject().getString("type")).endsWith("/problems/rate-limited");
      assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isBetween(1, 2);
      assertThat(refused.getHeader("RateLimit-Limit")).isEqualTo("20");
      assertThat(refused.getHeader("RateLimit-Remaining")).isEqualTo("0");
      assertThat(Integer.parseInt(refused.getHeader("RateLimit-Reset"))).isBetween(1, 2);
      HttpResponse<Buffer> admitted = responses.stream().filter(r -> r.statusCode() == 202).findFirst().orElseThrow();
      assertThat(admitted.getHeader("RateLimit-Limit")).isEqualTo("20");
      assertThat(admitted.getHeader("RateLimit-Remaining")).isNotNull();
      // a client's whole budget spent turns its citizens away: the operators are told which client, once per 10 s
      // per instance (no metric label names a client)
      assertThat(admission.lines("over its rate limit")).hasSizeBetween(1, 2 * 2)
          .allSatisfy(line -> assertThat(line).contains(GatewayFixture.CLIENT_ID).contains("standard"));
    }
  }

  /**
   * A submission refused because the queue failed (503, retry) gave the applicant no dossier, and must not spend their
   * quota: a frontend retrying through a failover ran out of it in 20 s and got 429s once the queue was back (QA of
   * cluster mode). Here the partition's stream is made unusable while Redis, and the limiter on it, still answer.
   */
  @Test
  void shouldNotSpendTheApplicantsQuotaOnSubmissionsTheQueueRefused() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.applicant-per-minute", "2",
        "ratelimit.applicant-burst", "2", "degraded.redis-down", "refuse"))) {
      assertThat(gw.post(dossierOf(1)).statusCode()).isEqualTo(202);
      String stream = gw.keys.stream();
      gw.redis(Command.DEL, stream);
      gw.redis(Command.SET, stream, "not a stream");
      for (int i = 0; i < 4; i++) {
        HttpResponse<Buffer> refused = gw.post(dossierOf(1));
        assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
        assertThat(refused.getHeader("Retry-After")).isNotNull();
      }
      gw.redis(Command.DEL, stream);
      // the operators' line names Redis's error code (what tells a failover from a bug), not only its class
      assertThat(logged.lines("answered 503")).isNotEmpty().allSatisfy(line -> assertThat(line).contains("WRONGTYPE"));
      // and the route it refused, as the router knows it (it read '-', the failure handler's own route: a polling
      // tryout could not tell look-ups from feeds or submissions in these lines)
      assertThat(logged.lines("answered 503")).allSatisfy(line -> assertThat(line).contains("POST /v1/dossiers "));

      HttpResponse<Buffer> next = gw.post(dossierOf(1));

      assertThat(next.statusCode()).as("the applicant's second dossier of the minute: %s", next.bodyAsString())
          .isEqualTo(202);
      HttpResponse<Buffer> third = gw.post(dossierOf(1));
      assertThat(third.statusCode()).as("the quota is still two a minute").isEqualTo(429);
    }
  }

  /**
   * A 503 for a call that reached Redis and may have run (it timed out waiting for the reply) is uncertain: the dossier
   * may be queued, and then it must have cost the applicant's quota as any other. Here Redis runs the partition
   * script and its reply is held back past the enqueue timeout.
   */
  @Test
  void shouldSpendTheQuotaOfASubmissionQueuedWhileItsAnswerWasA503() throws Exception {
    URI redisUri = URI.create(TestServers.get().redisUrl());
    try (ReplyHoldingProxy proxy = new ReplyHoldingProxy(redisUri.getHost(), redisUri.getPort());
         GatewayFixture gw = new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
             "ratelimit.applicant-per-minute", "1", "ratelimit.applicant-burst", "1", "degraded.redis-down", "refuse",
             "timeout.redis-enqueue-ms", "300", "breaker.minimum-calls", "50", "shed.backlog-poll-ms", "60000"))) {
      // another applicant's dossier first: a fresh partition's first call only asks for its counters to be seeded
      assertThat(gw.postUntilAccepted(dossierOf(8), "set-up-submission").statusCode()).isEqualTo(202);
      // the backlog poll also names the stream: one a minute, taken at start
      proxy.holdRepliesAfter(gw.keys.stream());

      HttpResponse<Buffer> uncertain = gw.post(dossierOf(7));
      assertThat(uncertain.statusCode()).as(uncertain.bodyAsString()).isEqualTo(503);
      // asked of Redis itself: a command naming the stream through the proxy would be held too
      assertThat(TestServers.redisCommand(redisUri.getHost(), redisUri.getPort(), "XLEN", gw.keys.stream()))
          .as("the dossier of the 503 queued (%s)", uncertain.bodyAsString()).isEqualTo(":2");
      proxy.release();

      HttpResponse<Buffer> next = gw.post(dossierOf(7));
      assertThat(next.statusCode()).as("the applicant's second dossier in the minute, with a quota of one: %s",
          next.bodyAsString()).isEqualTo(429);
    }
  }

  /**
   * Forwards TCP to Redis; once a client sends {@code marker}, the command is forwarded (Redis runs it) and every reply
   * on that connection is held until {@link #release}: a server that ran the call and answers late.
   */
  private static final class ReplyHoldingProxy implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile byte[] marker;

    ReplyHoldingProxy(String host, int port) throws IOException {
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket client = server.accept();
            Socket upstream = new Socket(host, port);
            sockets.add(client);
            sockets.add(upstream);
            AtomicBoolean hold = new AtomicBoolean();
            pump(client, upstream, hold, true);
            pump(upstream, client, hold, false);
          } catch (IOException e) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    void holdRepliesAfter(String text) {
      marker = text.getBytes(StandardCharsets.US_ASCII);
    }

    void release() {
      released.countDown();
    }

    private void pump(Socket from, Socket to, AtomicBoolean hold, boolean requests) {
      Thread pump = new Thread(() -> {
        byte[] buffer = new byte[65536];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            byte[] m = marker;
            if (requests && m != null && new String(buffer, 0, n, StandardCharsets.ISO_8859_1)
                .contains(new String(m, StandardCharsets.ISO_8859_1))) {
              hold.set(true);
            }
            if (!requests && hold.get()) {
              released.await();
            }
            out.write(buffer, 0, n);
            out.flush();
          }
        } catch (IOException | InterruptedException e) {
          // a side closed
        }
      });
      pump.setDaemon(true);
      pump.start();
    }

    @Override
    public void close() throws IOException {
      release();
      server.close();
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  @Test
  void shouldLimitTheAbusiveClientWithoutAffectingTheOthers() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.applicant-per-minute", "100000",
        "ratelimit.applicant-burst", "100000", "ratelimit.redis-timeout-ms", "2000"))) {
      WebClient abuser = WebClient.create(gw.vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(gw.port));
      List<Future<HttpResponse<Buffer>>> abusive = new ArrayList<>();
      List<Future<HttpResponse<Buffer>>> others = new ArrayList<>();
      ResilienceConfig.Limit quota = gw.config.resilience().rateLimits().forClass("abuse-test");
      long started = System.nanoTime();
      for (int i = 0; i < 40; i++) {
        abusive.add(abuser.post("/v1/dossiers").putHeader("Content-Type", "application/json")
            .putHeader("X-Api-Key", "dev-loadtest-abuser-key").sendBuffer(Buffer.buffer(dossierOf(9000 + i))));
        if (i % 2 == 0) {
          others.add(postAsync(gw, dossierOf(9500 + i)));
        }
      }
      Future.all(abusive).await();
      Future.all(others).await();
      double seconds = (System.nanoTime() - started) / 1e9;
      // the burst at once, then the sustained rate for as long as this machine took to send the 40 requests
      long mostAdmitted = quota.burst() + (long) Math.ceil(quota.perSecond() * seconds);

      List<HttpResponse<Buffer>> abuserAnswers = abusive.stream().map(Future::result).toList();
      long abuserAccepted = abuserAnswers.stream().filter(r -> r.statusCode() == 202).count();
      System.out.printf("abusive client: %d of 40 accepted in %.2f s (quota class abuse-test %.0f/s, burst %d: "
          + "at most %d); well-behaved client: %d of 20 accepted%n", abuserAccepted, seconds, quota.perSecond(),
          quota.burst(), mostAdmitted, others.stream().filter(f -> f.result().statusCode() == 202).count());
      assertThat(abuserAccepted).isBetween((long) quota.burst(), mostAdmitted);
      assertThat(abuserAnswers.stream().filter(r -> r.statusCode() == 429)).hasSize(40 - (int) abuserAccepted)
          .allSatisfy(r -> assertThat(r.getHeader("RateLimit-Limit")).isEqualTo("10"));
      assertThat(others).allSatisfy(f -> assertThat(f.result().statusCode()).isEqualTo(202));
    }
  }

  @Test
  void shouldLimitEachApplicantWithoutChargingIdempotentReplays() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.applicant-per-minute", "10",
        "ratelimit.applicant-burst", "10"))) {
      String firstKey = "applicant-" + UUID.randomUUID();
      String first = dossierOf(777);
      assertThat(gw.post(first, firstKey).statusCode()).isEqualTo(202);
      for (int i = 1; i < 10; i++) {
        JsonObject another = new JsonObject(dossierOf(777)).put("note", "dossier " + i);
        assertThat(gw.post(another.encode()).statusCode()).isEqualTo(202);
      }

      HttpResponse<Buffer> eleventh = gw.post(new JsonObject(dossierOf(777)).put("note", "one too many").encode());
      HttpResponse<Buffer> replay = gw.post(first, firstKey);
      HttpResponse<Buffer> otherApplicant = gw.post(dossierOf(778));

      assertThat(eleventh.statusCode()).isEqualTo(429);
      assertThat(eleventh.bodyAsJsonObject().getString("detail")).contains("applicant");
      assertThat(eleventh.getHeader("RateLimit-Limit")).isEqualTo("10");
      assertThat(eleventh.getHeader("RateLimit-Remaining")).isEqualTo("0");
      assertThat(Integer.parseInt(eleventh.getHeader("Retry-After"))).isBetween(5, 7);
      assertThat(replay.statusCode()).isEqualTo(202);
      assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(otherApplicant.statusCode()).isEqualTo(202);
      assertThat(gw.queued()).isEqualTo(11);
      // the applicant's 429 is a refusal like the client's: one reason, the limit's key in the decisions
      assertThat(gw.get("/metrics").bodyAsString())
          .containsPattern("hub_ratelimit_decisions_total\\{decision=\"limited\",limit=\"applicant\"} 1.0")
          .containsPattern("hub_ratelimit_decisions_total\\{decision=\"limited\",limit=\"client\"} 0.0")
          .containsPattern("hub_refusals_total\\{reason=\"rate_limited\"} 1.0");
    }
  }

  @Test
  void shouldShedWhileTheBacklogIsOverItsWatermarkAndRecoverWhenItDrains() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("shed.backlog-max-entries", "5",
        "shed.backlog-poll-ms", "100", "ratelimit.applicant-per-minute", "6000"))) {
      ResilienceConfig.Shedding shedding = gw.config.resilience().shedding();
      // the monitor samples the stream every backlog-poll; a few missed samples on a busy machine are fine
      Duration sampled = shedding.backlogPoll().multipliedBy(20);
      long enqueueTimeoutMs = gw.config.resilience().breakers().redisEnqueueTimeout().toMillis();
      for (int i = 0; i < 5; i++) {
        assertThat(gw.post(dossierOf(100 + i)).statusCode()).isEqualTo(202);
      }
      Duration seenFull = Await.until(sampled, "the backlog monitor to sample the 5 queued dossiers",
          () -> sampledBacklog(gw) >= shedding.backlogMaxEntries());

      long started = System.nanoTime();
      HttpResponse<Buffer> shed = gw.post(dossierOf(200));
      long elapsedMs = Await.millisSince(started);

      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.getHeader("Retry-After")).isEqualTo("5");
      assertThat(shed.bodyAsJsonObject().getString("type")).endsWith("/problems/overloaded");
      assertThat(elapsedMs).as("a shed request is answered without waiting on Redis (enqueue timeout %d ms)",
          enqueueTimeoutMs).isLessThan(enqueueTimeoutMs);
      assertThat(gw.queued()).isEqualTo(5);

      gw.redis(Command.XTRIM, gw.keys.stream(), "MAXLEN", "0");
      Duration seenDrained = Await.until(sampled, "the backlog monitor to sample the drained stream",
          () -> sampledBacklog(gw) < shedding.backlogMaxEntries());
      System.out.printf("backlog shedding (poll every %d ms): watermark sampled after %d ms, shed answered in %d ms "
              + "(enqueue timeout %d ms), drain sampled after %d ms%n", shedding.backlogPoll().toMillis(),
          seenFull.toMillis(), elapsedMs, enqueueTimeoutMs, seenDrained.toMillis());
      assertThat(gw.post(dossierOf(201)).statusCode()).isEqualTo(202);
      assertThat(gw.get("/metrics").bodyAsString()).containsPattern("hub_refusals_total\\{reason=\"backlog\"} 1.0");
    }
  }

  /**
   * Shedding refuses new dossiers, not the retry of one already queued: told "nothing was queued", its citizen would
   * file it again and make a second dossier (QA: the retry of a queued dossier got 503 while shedding).
   */
  @Test
  void shouldAnswerTheRetryOfAQueuedDossierWithItsReceiptWhileShedding() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("shed.backlog-max-entries", "3",
        "shed.backlog-poll-ms", "200", "ratelimit.applicant-per-minute", "6000"))) {
      Duration sampled = gw.config.resilience().shedding().backlogPoll().multipliedBy(20);
      String key = "qa-shed-" + UUID.randomUUID();
      String queuedBody = dossierOf(400);
      HttpResponse<Buffer> first = gw.post(queuedBody, key);
      assertThat(first.statusCode()).isEqualTo(202);
      assertThat(gw.post(dossierOf(401)).statusCode()).isEqualTo(202);
      assertThat(gw.post(dossierOf(402), "qa-shed-" + UUID.randomUUID()).statusCode()).isEqualTo(202);
      Await.until(sampled, "the backlog monitor to sample the 3 queued dossiers", () -> sampledBacklog(gw) >= 3);

      HttpResponse<Buffer> retry = gw.post(queuedBody, key);
      HttpResponse<Buffer> newKeyed = gw.post(dossierOf(403), "qa-shed-" + UUID.randomUUID());
      HttpResponse<Buffer> newUnkeyed = gw.post(dossierOf(404));
      HttpResponse<Buffer> otherBody = gw.postRaw(dossierOf(405), key);

      assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(202);
      assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(retry.getHeader("Location")).isEqualTo(first.getHeader("Location"));
      assertThat(retry.bodyAsJsonObject().getString("id")).isEqualTo(first.bodyAsJsonObject().getString("id"));
      assertThat(retry.bodyAsJsonObject().getString("code")).isEqualTo(first.bodyAsJsonObject().getString("code"));
      for (HttpResponse<Buffer> shed : List.of(newKeyed, newUnkeyed)) {
        assertThat(shed.statusCode()).isEqualTo(503);
        assertThat(shed.getHeader("Retry-After")).isEqualTo("5");
        assertThat(shed.bodyAsJsonObject().getString("type")).endsWith("/problems/overloaded");
        assertThat(shed.bodyAsJsonObject().getString("detail")).contains("queue backlog of 3 dossiers");
      }
      assertThat(otherBody.statusCode()).as("the key's earlier dossier has another body").isEqualTo(409);
      assertThat(gw.queued()).isEqualTo(3);
      assertThat(gw.get("/metrics").bodyAsString())
          .containsPattern("hub_refusals_total\\{reason=\"backlog\"} 2.0")
          .contains("hub_submissions_total{channel=\"online\",outcome=\"duplicate\"} 1.0");
    }
  }

  /**
   * With the direct path off: with it on (the default), new dossiers go to PostgreSQL instead (MemoryShedDirectTest).
   * The detail must not say "for a moment": the memory is held mostly by idempotency records, freed over hours.
   */
  @Test
  void shouldShedWhileRedisIsNearItsMaxmemoryAndSayWhy() throws Exception {
    // its maxmemory is changed below; an empty one uses ~1 MB of its 512 MB
    try (OwnRedis redis = new OwnRedis("hub-redis-memory");
         GatewayFixture gw = new GatewayFixture(Map.of("redis.url", redis.url(),
             "shed.redis-memory-max-ratio", "0.0001", "shed.backlog-poll-ms", "100",
             "degraded.redis-down", "refuse"))) {
      Duration sampled = gw.config.resilience().shedding().backlogPoll().multipliedBy(20);
      Await.until(sampled, "the monitor to sample Redis's memory", () -> sampledMaxMemory(gw) > 0);
      String metricsWhileFull = gw.get("/metrics").bodyAsString();

      HttpResponse<Buffer> shed = gw.post(dossierOf(300));

      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.getHeader("Content-Type")).isEqualTo("application/problem+json");
      assertThat(shed.getHeader("Retry-After")).isEqualTo("5");
      assertThat(shed.bodyAsJsonObject().getString("type")).endsWith("/problems/overloaded");
      assertThat(shed.bodyAsJsonObject().getString("detail")).contains("queue memory nearly full")
          .contains("as they expire").doesNotContain("for a moment");
      assertThat(gw.queued()).isZero();
      assertThat(metricsWhileFull).containsPattern("hub_redis_memory_max_bytes 5.36870912E8")
          .containsPattern("hub_redis_memory_used_bytes [1-9]");
      assertThat(gw.get("/metrics").bodyAsString())
          .containsPattern("hub_refusals_total\\{reason=\"redis_memory\"} 1.0")
          .containsPattern("hub_refusals_total\\{reason=\"backlog\"} 0.0");

      // memory freed (here: the limit lifted), submissions flow again at the next sample
      redis.command("CONFIG", "SET", "maxmemory", "0");
      Await.until(sampled, "the monitor to sample the lifted limit", () -> sampledMaxMemory(gw) == 0);
      assertThat(gw.post(dossierOf(301)).statusCode()).isEqualTo(202);
    }
  }

  private static double sampledMaxMemory(GatewayFixture gw) {
    return gw.registry.get(MeterNames.REDIS_MEMORY_MAX).gauge().value();
  }

  /** The backlog as the shedding decision sees it: the monitor's last sample, exported as hub.stream.length. */
  private static double sampledBacklog(GatewayFixture gw) {
    return gw.registry.get(MeterNames.STREAM_LENGTH).gauge().value();
  }
}
