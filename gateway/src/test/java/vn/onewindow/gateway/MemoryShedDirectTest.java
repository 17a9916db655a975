package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;

/**
 * Redis near its maxmemory, held mostly by Idempotency-Key records that free only as they expire (24 h): new dossiers
 * go the direct path to PostgreSQL instead of a 503 for the rest of the day (a deadline-day failure), with one code
 * per key across the switch both ways. An own redis-server (noeviction) each, filled by a test key.
 */
class MemoryShedDirectTest {
  /** A filler value big enough that deleting it brings a small maxmemory well below the ratio. */
  private static final String FILLER = "x".repeat(4_000_000);

  @Test
  void shouldWriteNewDossiersDirectlyWhileRedisMemoryIsOverTheRatioAndReplayThemOnceItFrees() throws Exception {
    directWhileOverTheRatio("1");
  }

  /** Several partitions: the key's claim (its own slot) is asked before the direct write, and says NEW. */
  @Test
  void shouldWriteDirectlyOverTheRatioWithSeveralPartitionsToo() throws Exception {
    directWhileOverTheRatio("4");
  }

  private void directWhileOverTheRatio(String partitions) throws Exception {
    try (OwnRedis redis = new OwnRedis("hub-memshed-direct");
         GatewayFixture gw = new GatewayFixture(Map.of("redis.url", redis.url(), "shed.backlog-poll-ms", "100",
             "ratelimit.applicant-per-minute", "6000", "stream.partitions", partitions))) {
      Duration sampled = gw.config.resilience().shedding().backlogPoll().multipliedBy(50);
      String queuedKey = "memshed-queued-" + UUID.randomUUID();
      String queuedBody = AdmissionTest.dossierOf(500);
      HttpResponse<Buffer> queued = gw.postUntilAccepted(queuedBody, queuedKey);
      // filled: a big key, then a maxmemory the used memory is ~90% of (over the 0.80 ratio, under maxmemory)
      gw.redis(Command.SET, "memshed-filler", FILLER);
      gw.redis(Command.CONFIG, "SET", "maxmemory", Long.toString((long) (settledMemory(gw) / 0.9)));
      Await.until(sampled, "the monitor to sample Redis over the ratio", () -> sampledRatio(gw) >= 0.8);

      String directKey = "memshed-direct-" + UUID.randomUUID();
      String directBody = AdmissionTest.dossierOf(501);
      HttpResponse<Buffer> direct = gw.post(directBody, directKey);
      HttpResponse<Buffer> retry = gw.post(directBody, directKey);
      HttpResponse<Buffer> retryOfQueued = gw.post(queuedBody, queuedKey);
      HttpResponse<Buffer> unkeyed = gw.post(AdmissionTest.dossierOf(502));
      HttpResponse<Buffer> otherBody = gw.postRaw(AdmissionTest.dossierOf(503), directKey);

      assertThat(direct.statusCode()).as(direct.bodyAsString()).isEqualTo(202);
      assertThat(isDirect(direct)).as(code(direct)).isTrue();
      assertThat(direct.getHeader("Idempotent-Replayed")).isEqualTo("false");
      assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(202);
      assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(code(retry)).isEqualTo(code(direct));
      assertThat(id(retry)).isEqualTo(id(direct));
      assertThat(retryOfQueued.statusCode()).as(retryOfQueued.bodyAsString()).isEqualTo(202);
      assertThat(retryOfQueued.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(code(retryOfQueued)).isEqualTo(code(queued));
      assertThat(id(retryOfQueued)).isEqualTo(id(queued));
      assertThat(unkeyed.statusCode()).as(unkeyed.bodyAsString()).isEqualTo(202);
      assertThat(isDirect(unkeyed)).as(code(unkeyed)).isTrue();
      assertThat(otherBody.statusCode()).as("the key's direct dossier has another body").isEqualTo(409);
      assertThat(queued(gw)).as("only the dossier queued before the fill").isEqualTo(1);
      assertThat(rowsOfKey(gw, directKey)).isEqualTo(1);
      assertThat(TestServers.queryLong(gw.config.postgres().url(), "SELECT count(*) FROM dossier WHERE id = '"
          + id(unkeyed) + "' AND stream_entry_id = 'direct'")).isEqualTo(1);
      assertThat(gw.get("/metrics").bodyAsString())
          .contains("hub_submissions_total{channel=\"online\",outcome=\"degraded\"} 2.0")
          .contains("hub_submissions_direct_total{reason=\"redis_memory\"} 2.0")
          .containsPattern("hub_refusals_total\\{reason=\"redis_memory\"} 0.0");

      // memory frees: the Redis path again, and the key first used on the direct path is still replayed from there
      gw.redis(Command.DEL, "memshed-filler");
      Await.until(sampled, "the monitor to sample Redis below the ratio", () -> sampledRatio(gw) < 0.8);
      HttpResponse<Buffer> afterFreed = gw.post(directBody, directKey);
      HttpResponse<Buffer> fresh = gw.post(AdmissionTest.dossierOf(504), "memshed-fresh-" + UUID.randomUUID());

      assertThat(afterFreed.statusCode()).as(afterFreed.bodyAsString()).isEqualTo(202);
      assertThat(afterFreed.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(code(afterFreed)).isEqualTo(code(direct));
      assertThat(fresh.statusCode()).as(fresh.bodyAsString()).isEqualTo(202);
      assertThat(isDirect(fresh)).as(code(fresh)).isFalse();
      assertThat(queued(gw)).isEqualTo(2);
      assertThat(rowsOfKey(gw, directKey)).isEqualTo(1);
    }
  }

  /**
   * Redis at its maxmemory refuses the enqueue script's first write (OOM): nothing of the call was queued, a definite
   * answer, so the direct path may take it. Admission's last sample was taken before the fill (one per 10 minutes),
   * so the script meets the full Redis itself.
   */
  @Test
  void shouldTakeTheDirectPathWhenTheEnqueueScriptIsRefusedForMemory() throws Exception {
    try (OwnRedis redis = new OwnRedis("hub-memshed-oom");
         GatewayFixture gw = new GatewayFixture(Map.of("redis.url", redis.url(), "shed.backlog-poll-ms", "600000",
             "shed.redis-memory-max-ratio", "1.0", "ratelimit.applicant-per-minute", "6000"))) {
      String queuedKey = "memshed-oom-queued-" + UUID.randomUUID();
      String queuedBody = AdmissionTest.dossierOf(510);
      HttpResponse<Buffer> queued = gw.postUntilAccepted(queuedBody, queuedKey);
      fill(gw);

      String key = "memshed-oom-" + UUID.randomUUID();
      String body = AdmissionTest.dossierOf(511);
      HttpResponse<Buffer> first = gw.post(body, key);
      HttpResponse<Buffer> retry = gw.post(body, key);
      HttpResponse<Buffer> retryOfQueued = gw.post(queuedBody, queuedKey);

      assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
      assertThat(isDirect(first)).as(code(first)).isTrue();
      assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(202);
      assertThat(code(retry)).isEqualTo(code(first));
      assertThat(retryOfQueued.statusCode()).as(retryOfQueued.bodyAsString()).isEqualTo(202);
      assertThat(code(retryOfQueued)).isEqualTo(code(queued));
      assertThat(queued(gw)).isEqualTo(1);
      assertThat(rowsOfKey(gw, key)).isEqualTo(1);
    }
  }

  /** With degraded.redis-down=refuse the OOM is a definite 503 that says why, not "did not answer in time". */
  @Test
  void shouldRefuseDefinitelyAndSayWhyWhenTheScriptIsRefusedForMemoryAndTheDirectPathIsOff() throws Exception {
    try (OwnRedis redis = new OwnRedis("hub-memshed-oom-refuse");
         GatewayFixture gw = new GatewayFixture(Map.of("redis.url", redis.url(), "shed.backlog-poll-ms", "600000",
             "shed.redis-memory-max-ratio", "1.0", "degraded.redis-down", "refuse"))) {
      gw.postUntilAccepted(AdmissionTest.dossierOf(520), "memshed-refuse-set-up-" + UUID.randomUUID());
      fill(gw);
      String key = "memshed-refuse-" + UUID.randomUUID();

      HttpResponse<Buffer> refused = gw.post(AdmissionTest.dossierOf(521), key);

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.getHeader("Retry-After")).isNotNull();
      assertThat(refused.bodyAsJsonObject().getString("type")).endsWith("/problems/overloaded");
      assertThat(refused.bodyAsJsonObject().getString("detail")).doesNotContain("did not answer in time")
          .contains("memory").contains("nothing was queued").contains("expire");
      assertThat(queued(gw)).isEqualTo(1);
      assertThat(rowsOfKey(gw, key)).isZero();
    }
  }

  /** Redis past its maxmemory (noeviction): every write refused with OOM, reads answered. */
  private static void fill(GatewayFixture gw) {
    gw.redis(Command.SET, "memshed-filler", FILLER);
    gw.redis(Command.CONFIG, "SET", "maxmemory", Long.toString(usedMemory(gw) - 1_000_000));
    assertThat(gw.redis(Command.CONFIG, "GET", "maxmemory-policy").toString()).contains("noeviction");
  }

  /** Entries in the stream of the partition of the unit every dossier here names. */
  private static long queued(GatewayFixture gw) {
    String unit = GatewayFixture.birthRegistration().getString("receivingUnit");
    return gw.redis(Command.XLEN, gw.keys.forUnit(unit).stream()).toLong();
  }

  static long usedMemory(GatewayFixture gw) {
    return infoMemory(gw, "used_memory:");
  }

  private static long infoMemory(GatewayFixture gw, String field) {
    for (String line : gw.redis(Command.INFO, "memory").toString().split("\r?\n")) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).trim());
      }
    }
    throw new IllegalStateException("no " + field + " in INFO memory");
  }

  /**
   * used_memory less the clients' buffers: right after the filler's SET its 4 MB query buffer is counted too, until
   * Redis frees it a moment later, when a maxmemory set from used_memory put the ratio near 0.5 (the first test then
   * met the Redis path in 1 of 3 runs, at whichever request came after that moment).
   */
  static long settledMemory(GatewayFixture gw) {
    return usedMemory(gw) - infoMemory(gw, "mem_clients_normal:");
  }

  static double sampledRatio(GatewayFixture gw) {
    double max = gw.registry.get(MeterNames.REDIS_MEMORY_MAX).gauge().value();
    return max <= 0 ? 0 : gw.registry.get(MeterNames.REDIS_MEMORY_USED).gauge().value() / max;
  }

  static long rowsOfKey(GatewayFixture gw, String key) {
    return TestServers.queryLong(gw.config.postgres().url(),
        "SELECT count(*) FROM dossier WHERE idempotency_key = '" + key + "'");
  }

  private static String code(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getString("code");
  }

  private static String id(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getString("id");
  }

  private static boolean isDirect(HttpResponse<Buffer> response) {
    String code = code(response);
    return DossierCode.isDirect(Long.parseLong(code.substring(code.lastIndexOf('-') + 1)));
  }
}
