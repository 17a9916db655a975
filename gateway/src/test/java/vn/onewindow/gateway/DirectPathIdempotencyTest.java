package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * An Idempotency-Key first used while Redis was down (the dossier went straight to PostgreSQL) and retried once Redis
 * is back: the retry gets the same receipt, and the same key with another body is still a 409, although Redis never
 * saw the key.
 */
class DirectPathIdempotencyTest {

  @Test
  void shouldReplayTheDirectReceiptAfterRedisReturns() throws Exception {
    try (OwnRedis redis = new OwnRedis("hub-redis-returns")) {
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", redis.url(), "ratelimit.redis-timeout-ms", "50",
          "timeout.redis-enqueue-ms", "300", "breaker.minimum-calls", "5", "breaker.open-seconds", "1",
          "dossier.direct-check-ms", "200", "ratelimit.applicant-per-minute", "6000"))) {
        String key = "offline-" + UUID.randomUUID();
        String body = AdmissionTest.dossierOf(31);
        redis.stop();
        HttpResponse<Buffer> direct = gw.post(body, key);
        assertThat(direct.statusCode()).as(direct.bodyAsString()).isEqualTo(202);
        String code = direct.bodyAsJsonObject().getString("code");
        assertThat(DossierCode.isDirect(Long.parseLong(code.substring(code.lastIndexOf('-') + 1)))).as(code).isTrue();

        redis.restart();
        long restarted = System.nanoTime();
        AtomicInteger n = new AtomicInteger();
        Await.until(gw.config.resilience().breakers().open().multipliedBy(10), "a dossier queued in Redis again",
            () -> {
              HttpResponse<Buffer> r = gw.post(AdmissionTest.dossierOf(600 + n.getAndIncrement()));
              return r.statusCode() == 202 && !DossierCode.isDirect(sequence(r));
            });
        long queuedAgainMs = Await.millisSince(restarted);
        long queuedBefore = gw.queued();
        HttpResponse<Buffer> retry = gw.post(body, key);
        HttpResponse<Buffer> otherBody = gw.post(new JsonObject(body).put("note", "changed").encode(), key);

        System.out.printf("direct path then Redis: key first used while Redis was down (%s), Redis queued again "
                + "after %d ms, the retry answered %d %s (replayed %s)%n", code, queuedAgainMs, retry.statusCode(),
            retry.bodyAsJsonObject().getString("code"), retry.getHeader("Idempotent-Replayed"));
        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.bodyAsJsonObject().getString("id")).isEqualTo(direct.bodyAsJsonObject().getString("id"));
        assertThat(retry.bodyAsJsonObject().getString("code")).isEqualTo(code);
        assertProblem(otherBody, 409, "idempotency-key-reused");
        assertThat(gw.queued()).as("nothing queued in Redis for the key").isEqualTo(queuedBefore);
        assertThat(TestServers.queryLong(gw.config.postgres().url(),
            "SELECT count(*) FROM dossier WHERE idempotency_key = '" + key + "'")).isEqualTo(1);
      }
    }
  }

  /**
   * The reverse: a key queued through Redis, retried while this gateway's enqueue breaker is still open after an
   * outage although Redis answers again. The breaker refused before the key was asked about, so the retry was written
   * directly: a second dossier of one Idempotency-Key, with another code, while the first still waited in the stream
   * (a cluster tryout: 33 rows for 30 keys after a failover, the retries meeting the other gateway's open breaker).
   * Now Redis is asked for the key, past the breaker and briefly, before anything is written directly.
   */
  @Test
  void shouldReplayAQueuedDossierToARetryMeetingAnOpenBreaker() throws Exception {
    URI target = URI.create(TestServers.get().redisUrl());
    // a proxy, not a stopped server: Redis keeps what it holds, as a stalled or partitioned one does
    try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort())) {
      proxy.up();
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
          "ratelimit.enabled", "false", "timeout.redis-enqueue-ms", "300", "breaker.minimum-calls", "3",
          "breaker.open-seconds", "60", "shed.backlog-poll-ms", "60000"))) {
        String key = "queued-" + UUID.randomUUID();
        String body = AdmissionTest.dossierOf(41);
        HttpResponse<Buffer> queued = gw.post(body, key);
        assertThat(queued.statusCode()).as(queued.bodyAsString()).isEqualTo(202);
        assertThat(DossierCode.isDirect(sequence(queued))).isFalse();

        openTheEnqueueBreaker(gw, proxy, 700);
        long queuedBefore = gw.queued();
        HttpResponse<Buffer> retry = gw.post(body, key);

        assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(202);
        assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.bodyAsJsonObject().getString("code")).isEqualTo(queued.bodyAsJsonObject().getString("code"));
        assertThat(retry.bodyAsJsonObject().getString("id")).isEqualTo(queued.bodyAsJsonObject().getString("id"));
        assertThat(TestServers.queryLong(gw.config.postgres().url(),
            "SELECT count(*) FROM dossier WHERE idempotency_key = '" + key + "'")).as("nothing written directly")
            .isZero();
        assertThat(gw.queued()).isEqualTo(queuedBefore);
        assertThat(gw.get("/metrics").bodyAsString()).as("the breaker was still open")
            .contains("resilience4j_circuitbreaker_state{name=\"redis_enqueue\",state=\"open\"} 1.0");
      }
    }
  }

  /**
   * The same key with another body naming another receiving unit (another partition), while the breaker is open: the
   * partition's own look-up cannot know the key, the key's claim (its own slot, across partitions) does; without it
   * the conflicting body was written directly and answered 202 where the closed breaker answers 409 (a review).
   */
  @Test
  void shouldRefuseAnotherBodyOfAQueuedKeyMeetingAnOpenBreaker() throws Exception {
    URI target = URI.create(TestServers.get().redisUrl());
    try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort())) {
      proxy.up();
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
          "stream.partitions", "4", "ratelimit.enabled", "false", "timeout.redis-enqueue-ms", "300",
          "breaker.minimum-calls", "3", "breaker.open-seconds", "60", "shed.backlog-poll-ms", "60000"))) {
        String key = "queued-" + UUID.randomUUID();
        JsonObject first = new JsonObject(AdmissionTest.dossierOf(42));
        int firstPartition = gw.keys.partitions().ofUnit(first.getString("receivingUnit"));
        String otherUnit = Stream.of("000.00.21.H48", "000.00.77.H48", "000.00.18.H48", "000.00.00.H26",
                "000.00.00.H29").filter(u -> gw.keys.partitions().ofUnit(u) != firstPartition).findFirst()
            .orElseThrow();
        assertThat(gw.post(first.encode(), key).statusCode()).isEqualTo(202);

        openTheEnqueueBreaker(gw, proxy, 800);
        HttpResponse<Buffer> other = gw.post(first.copy().put("receivingUnit", otherUnit).encode(), key);

        assertProblem(other, 409, "idempotency-key-reused");
        assertThat(TestServers.queryLong(gw.config.postgres().url(),
            "SELECT count(*) FROM dossier WHERE idempotency_key = '" + key + "'")).as("nothing written directly")
            .isZero();
      }
    }
  }

  /**
   * Redis cut off (connections refused) until the gateway's enqueue breaker opens, then reachable again with all it
   * held: the breaker stays open for its breaker.open-seconds. Unkeyed submissions from applicant {@code applicant} on.
   */
  private static void openTheEnqueueBreaker(GatewayFixture gw, TcpProxy proxy, int applicant) throws Exception {
    proxy.down();
    AtomicInteger n = new AtomicInteger(applicant);
    Await.until(Duration.ofSeconds(30), "the enqueue breaker to open", () -> {
      gw.post(AdmissionTest.dossierOf(n.getAndIncrement()));
      return gw.registry.get("resilience4j.circuitbreaker.state").tag("name", "redis_enqueue")
          .tag("state", "open").gauge().value() == 1.0;
    });
    proxy.up();
  }

  /**
   * A claim that answers after the call gave up (Redis stalled past timeout.redis-enqueue-ms, as in a failover) must
   * queue nothing: the request went down the direct path meanwhile, and queuing too made a second dossier of one
   * Idempotency-Key (found by a user tryout of a cluster failover). Several partitions, so the key is claimed first.
   */
  @Test
  void shouldQueueNothingWhenTheClaimAnswersAfterTheDirectWrite() throws Exception {
    try (OwnRedis redis = new OwnRedis("hub-redis-stalls")) {
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", redis.url(), "stream.partitions", "2",
          "ratelimit.enabled", "false", "timeout.redis-enqueue-ms", "300", "breaker.minimum-calls", "50"))) {
        String key = "stalled-" + UUID.randomUUID();
        // every write waits, the claim script included, for longer than the enqueue timeout
        assertThat(redis.command("CLIENT", "PAUSE", "2000", "WRITE")).isEqualTo("+OK");
        HttpResponse<Buffer> direct = gw.post(AdmissionTest.dossierOf(41), key);
        assertThat(direct.statusCode()).as(direct.bodyAsString()).isEqualTo(202);
        assertThat(DossierCode.isDirect(sequence(direct))).as(direct.bodyAsString()).isTrue();

        // the stalled claim runs once the pause ends; had the gateway gone on, its enqueue would follow at once
        String claim = gw.keys.keyClaim(GatewayFixture.CLIENT_ID, key);
        Await.until(Duration.ofSeconds(10), "the stalled claim to run", () -> redis.command("EXISTS", claim).equals(":1"));
        HttpResponse<Buffer> after = gw.post(AdmissionTest.dossierOf(42), "after-" + UUID.randomUUID());
        assertThat(after.statusCode()).as(after.bodyAsString()).isEqualTo(202);
        assertThat(DossierCode.isDirect(sequence(after))).as("Redis takes dossiers again").isFalse();
        long queued = gw.keys.all().stream().mapToLong(p -> gw.redis(Command.XLEN, p.stream()).toLong()).sum();
        assertThat(queued).as("only the later dossier is queued").isEqualTo(1);
        assertThat(TestServers.queryLong(gw.config.postgres().url(),
            "SELECT count(*) FROM dossier WHERE idempotency_key = '" + key + "'")).isEqualTo(1);
      }
    }
  }

  private static long sequence(HttpResponse<Buffer> response) {
    String code = response.bodyAsJsonObject().getString("code");
    return Long.parseLong(code.substring(code.lastIndexOf('-') + 1));
  }
}
