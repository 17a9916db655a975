package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;

/**
 * Two gateways on one Redis and one PostgreSQL, one over {@code shed.redis-memory-max-ratio} (direct path) and the
 * other under its own (the queue), as two processes sampling Redis at different moments are around the ratio, or one
 * meeting OOM while the other's enqueue got through. The same Idempotency-Key and body sent to both at once (a
 * frontend's retry through another gateway) must be one dossier with one code. Ops tryout 2026-12-08 (two gateways,
 * ratios 0.80 and 1.0, concurrent duplicates sent to both): 453 of 2,174 such keys got two 202s with two codes (a
 * 9xxx and a queued one), both persisted. The over-ratio gateway asks Redis whether the key is queued, finds nothing,
 * then writes to PostgreSQL; the other looks the key up in PostgreSQL (nothing committed yet), then queues it. Neither
 * store was told of the other's attempt in between; now the direct path marks the key in Redis first.
 */
class CrossGatewayMemoryShedTest {
  /** A filler value big enough to put a small maxmemory between the two gateways' ratios. */
  private static final String FILLER = "x".repeat(4_000_000);

  @Test
  void shouldGiveOneCodePerKeyWhenOneGatewayWritesDirectlyAndTheOtherQueuesTheSameKey() throws Exception {
    try (OwnRedis redis = new OwnRedis("hub-memshed-cross")) {
      Map<String, String> common = Map.of("redis.url", redis.url(), "shed.backlog-poll-ms", "100",
          "ratelimit.applicant-per-minute", "60000", "ratelimit.applicant-burst", "60000",
          "dossier.direct-check-ms", "100");
      HubConfig overConfig = TestServers.get().migratedConfig(common);
      Map<String, String> under = new HashMap<>(common);
      under.put("postgres.url", overConfig.postgres().url());
      under.put("redis.key-prefix", overConfig.redis().keyPrefix());
      under.put("shed.redis-memory-max-ratio", "1.0");
      try (GatewayFixture over = new GatewayFixture(overConfig);
           GatewayFixture queuing = new GatewayFixture(TestServers.get().migratedConfig(under))) {
        over.postUntilAccepted(AdmissionTest.dossierOf(700), "cross-set-up-" + UUID.randomUUID());
        queuing.postUntilAccepted(AdmissionTest.dossierOf(701), "cross-set-up-" + UUID.randomUUID());
        // ~90% of maxmemory: over the first gateway's 0.80, under the second's 1.0, and writes still taken
        over.redis(Command.SET, "memshed-filler", FILLER);
        long used = MemoryShedDirectTest.settledMemory(over);
        over.redis(Command.CONFIG, "SET", "maxmemory", Long.toString((long) (used / 0.9)));
        Duration sampled = over.config.resilience().shedding().backlogPoll().multipliedBy(50);
        Await.until(sampled, "the first gateway to sample Redis over the ratio",
            () -> MemoryShedDirectTest.sampledRatio(over) >= 0.8);

        // a first direct write: the unit's direct counter row, and the queuing gateway now looks every keyed
        // submission up in PostgreSQL first (RecentDirectWrites), which its replay of that key shows
        String firstKey = "cross-first-" + UUID.randomUUID();
        String firstBody = AdmissionTest.dossierOf(702);
        HttpResponse<Buffer> first = over.post(firstBody, firstKey);
        assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
        Await.until(Duration.ofSeconds(10), "the queuing gateway to replay the direct dossier from PostgreSQL",
            () -> code(first).equals(code(queuing.post(firstBody, firstKey))));

        String key = "cross-" + UUID.randomUUID();
        String body = AdmissionTest.dossierOf(703);
        HttpResponse<Buffer> direct;
        HttpResponse<Buffer> queued;
        // the direct write held after Redis said the key is not queued (its transaction waits for the unit's
        // counter row, locked here), while the same key reaches the other gateway: the tryout's race, every time
        PostgresClients.Jdbc jdbc = PostgresClients.jdbc(overConfig.postgres());
        try (Connection lock = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password())) {
          lock.setAutoCommit(false);
          try (Statement st = lock.createStatement()) {
            st.execute("SELECT * FROM dossier_code_sequence FOR UPDATE");
          }
          Future<HttpResponse<Buffer>> viaOver = over.postAsync(body, key);
          Await.until(Duration.ofSeconds(10), "the direct write to wait for the counter row",
              () -> TestServers.queryLong(overConfig.postgres().url(), "SELECT count(*) FROM pg_stat_activity "
                  + "WHERE wait_event_type = 'Lock' AND query LIKE '%dossier_code_sequence%'") > 0);
          Future<HttpResponse<Buffer>> viaQueue = queuing.postAsync(body, key);
          // answered (queued: the race), or waiting behind the direct write's lock of the key
          Await.until(Duration.ofSeconds(10), "the other gateway's answer, or its wait for the key's lock",
              () -> viaQueue.isComplete() || TestServers.queryLong(overConfig.postgres().url(),
                  "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory'") > 0);
          lock.rollback();
          direct = viaOver.await();
          queued = viaQueue.await();
        }

        assertThat(direct.statusCode()).as(direct.bodyAsString()).isEqualTo(202);
        assertThat(queued.statusCode()).as(queued.bodyAsString()).isIn(202, 503);
        if (queued.statusCode() == 202) {
          assertThat(code(queued)).as("one code for the key").isEqualTo(code(direct));
        }
        assertThat(MemoryShedDirectTest.rowsOfKey(over, key) + queuedOfKey(over, key))
            .as("dossiers of the key (direct rows + queued entries)").isEqualTo(1);
        HttpResponse<Buffer> retry = queuing.post(body, key);
        assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(202);
        assertThat(code(retry)).isEqualTo(code(direct));
      }
    }
  }

  /** Entries of the unit's stream carrying this key (no worker runs here: every queued dossier stays there). */
  private static long queuedOfKey(GatewayFixture gw, String key) {
    String unit = GatewayFixture.birthRegistration().getString("receivingUnit");
    return gw.redis(Command.XRANGE, gw.keys.forUnit(unit).stream(), "-", "+").toString().contains(key) ? 1 : 0;
  }

  private static String code(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getString("code");
  }
}
