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
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.infra.Digests;
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
        String otherUnit = otherUnit(gw, first.getString("receivingUnit"));
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
   * The same with {@code redis.min-replicas-ack} 1 and the partition's only replica stopped: the look-up past the open
   * breaker carried the replay's WAIT (redis.replica-ack-timeout-ms, 500 ms), longer than its own 250 ms, so it never
   * answered and another body of a queued key got {@code 503 circuit-open} where the closed breaker answers 409 (a
   * tryout: 11 of 11 while the breaker was open). A conflict acknowledges nothing and needs no replica. The same body
   * does need one for its receipt: still a 503, nothing written. One partition (the partition's own record decides,
   * an earlier release's hash too) and four (another unit's partition does not know the key, its claim does).
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void shouldRefuseAnotherBodyOfAQueuedKeyMeetingAnOpenBreakerWhileNoReplicaConfirms(int partitions)
      throws Exception {
    try (OwnRedis master = new OwnRedis("hub-redis-master"); OwnRedis replica = new OwnRedis("hub-redis-replica");
         TcpProxy proxy = new TcpProxy("127.0.0.1", master.port())) {
      replica.replicaOf(master);
      proxy.up();
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
          "redis.min-replicas-ack", "1", "stream.partitions", Integer.toString(partitions),
          "ratelimit.enabled", "false", "timeout.redis-enqueue-ms", "1000", "breaker.minimum-calls", "3",
          "breaker.open-seconds", "60", "shed.backlog-poll-ms", "60000"))) {
        String key = "unreplicated-" + UUID.randomUUID();
        JsonObject first = new JsonObject(AdmissionTest.dossierOf(43));
        // a 202 once the replica has it (WAIT): the replica is online
        HttpResponse<Buffer> queued = gw.postUntilAccepted(first.encode(), key);
        String legacyKey = "unreplicated-legacy-" + UUID.randomUUID();
        PartitionKeys partition = gw.keys.forUnit(first.getString("receivingUnit"));
        gw.redis(Command.HSET, partition.idempotency(GatewayFixture.CLIENT_ID, legacyKey), "hash",
            Digests.sha256Hex(first.encode()), "id", gw.keys.partitions().newDossierId(partition.index()), "code",
            first.getString("receivingUnit") + "-261101-0042", "receivedAt", "2026-11-01T01:02:03.004Z",
            "expectedResultBy", "2026-11-04");
        String otherUnit = otherUnit(gw, first.getString("receivingUnit"));

        try (AutoCloseable stopped = replica.freeze()) {
          openTheEnqueueBreaker(gw, proxy, 900);
          long queuedBefore = queuedInAll(gw);
          HttpResponse<Buffer> otherBody = gw.post(first.copy().put("note", "changed").encode(), key);
          HttpResponse<Buffer> otherUnitsBody = gw.post(first.copy().put("receivingUnit", otherUnit).encode(), key);
          HttpResponse<Buffer> otherThanLegacy = gw.post(first.copy().put("note", "changed").encode(), legacyKey);
          HttpResponse<Buffer> sameBody = gw.post(first.encode(), key);
          // a key nobody used: its claim (several partitions) lets the direct path write it, as with the replica
          // running; with one partition there is no claim, and the unknown key is a 503 with min-replicas-ack 1
          String newKey = "unreplicated-new-" + UUID.randomUUID();
          HttpResponse<Buffer> newKeys = gw.post(AdmissionTest.dossierOf(44), newKey);

          assertProblem(otherBody, 409, "idempotency-key-reused");
          assertProblem(otherUnitsBody, 409, "idempotency-key-reused");
          assertProblem(otherThanLegacy, 409, "idempotency-key-reused");
          // its receipt would need the stopped replica: retry later, as today
          assertThat(sameBody.statusCode()).as(sameBody.bodyAsString()).isEqualTo(503);
          assertThat(sameBody.getHeader("Retry-After")).isNotNull();
          if (partitions == 1) {
            assertThat(newKeys.statusCode()).as(newKeys.bodyAsString()).isEqualTo(503);
          } else {
            assertThat(newKeys.statusCode()).as(newKeys.bodyAsString()).isEqualTo(202);
            assertThat(DossierCode.isDirect(sequence(newKeys))).isTrue();
          }
          assertThat(TestServers.queryLong(gw.config.postgres().url(), "SELECT count(*) FROM dossier WHERE "
              + "idempotency_key = '" + newKey + "'")).isEqualTo(partitions == 1 ? 0 : 1);
          assertThat(TestServers.queryLong(gw.config.postgres().url(), "SELECT count(*) FROM dossier WHERE "
              + "idempotency_key IN ('" + key + "', '" + legacyKey + "')")).as("nothing written directly").isZero();
          assertThat(queuedInAll(gw)).as("nothing queued").isEqualTo(queuedBefore);
          assertThat(gw.get("/metrics").bodyAsString()).as("the breaker was still open")
              .contains("resilience4j_circuitbreaker_state{name=\"redis_enqueue\",state=\"open\"} 1.0");
        }
        // the replica back, the breaker still open: the same body's receipt once the replica confirms it
        AtomicReference<HttpResponse<Buffer>> retry = new AtomicReference<>();
        Await.until(Duration.ofSeconds(20), "the same body replayed once the replica answers", () -> {
          retry.set(gw.post(first.encode(), key));
          return retry.get().statusCode() == 202;
        });
        assertThat(retry.get().getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.get().bodyAsJsonObject().getString("id")).isEqualTo(queued.bodyAsJsonObject().getString("id"));
        assertProblem(gw.post(first.copy().put("note", "changed").encode(), key), 409, "idempotency-key-reused");
        assertThat(TestServers.queryLong(gw.config.postgres().url(), "SELECT count(*) FROM dossier WHERE "
            + "idempotency_key = '" + key + "'")).as("nothing written directly").isZero();
        assertThat(gw.registry.get("resilience4j.circuitbreaker.state").tag("name", "redis_enqueue")
            .tag("state", "open").gauge().value()).as("the breaker was still open").isEqualTo(1.0);
      }
    }
  }

  /** A unit whose dossiers go to another partition than {@code unit}'s, or any other unit with one partition. */
  private static String otherUnit(GatewayFixture gw, String unit) {
    int partition = gw.keys.partitions().ofUnit(unit);
    return Stream.of("000.00.21.H48", "000.00.77.H48", "000.00.18.H48", "000.00.00.H26", "000.00.00.H29")
        .filter(u -> !u.equals(unit))
        .filter(u -> gw.keys.partitions().count() == 1 || gw.keys.partitions().ofUnit(u) != partition)
        .findFirst().orElseThrow();
  }

  private static long queuedInAll(GatewayFixture gw) {
    return gw.keys.all().stream().mapToLong(p -> gw.redis(Command.XLEN, p.stream()).toLong()).sum();
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
        assertThat(queuedInAll(gw)).as("only the later dossier is queued").isEqualTo(1);
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
