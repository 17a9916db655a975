package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.testing.Await;
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
