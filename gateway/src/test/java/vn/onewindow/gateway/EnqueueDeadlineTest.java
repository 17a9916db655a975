package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.submit.DossierQueue;
import vn.onewindow.gateway.submit.EnqueueResult;
import vn.onewindow.gateway.submit.Submission;

/**
 * The enqueue script's deadline, on a real redis-server: a call Redis runs after the request's deadline (on its own
 * clock) queues nothing, so a call that reached a stalled Redis and ran when it resumed cannot become a second dossier
 * of a key whose retry was written directly meanwhile (a tryout: Redis SIGSTOPped, 30 keyed submissions, the 16
 * answered "uncertain" retried onto the direct path, and after SIGCONT each of the 16 had two dossiers). An earlier
 * dossier of the key is still replayed past the deadline: that writes nothing new.
 */
class EnqueueDeadlineTest {

  @Test
  void aCallRunAfterItsDeadlineQueuesNothingAndTakesNoNumber() throws Exception {
    try (OwnRedis own = new OwnRedis("enqueue-deadline")) {
      HubConfig config = TestServers.get().config(Map.of("redis.url", own.url()));
      RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
      PartitionKeys partition = keys.forUnit("000.00.53.H48");
      own.command("SET", partition.epoch(), "seeded");
      Submission late = DirectWriterTest.submission(UUID.randomUUID().toString(), "deadline-key-0001",
          DirectWriterTest.body(1));
      long past = System.currentTimeMillis() - 1;
      long future = System.currentTimeMillis() + 60_000;
      Vertx vertx = Vertx.vertx();
      try {
        Context context = vertx.getOrCreateContext();
        Promise<List<EnqueueResult>> results = Promise.promise();
        AtomicReference<String> afterExpired = new AtomicReference<>();
        context.runOnContext(v -> {
          DossierQueue queue = new DossierQueue(RedisClients.create(vertx, config.redis(), "test"), keys,
              config.dossier(), config.redis(), Duration.ofSeconds(30), new SimpleMeterRegistry());
          Future<EnqueueResult> expired = queue.enqueueBy(late, past, () -> false, () -> { });
          expired.onComplete(first -> {
            // what Redis holds after the expired call, read before the next call writes
            afterExpired.set(own.command("XLEN", partition.stream()) + " "
                + own.command("EXISTS", partition.idempotency(late.clientId(), late.idempotencyKey())) + " "
                + own.command("EXISTS", partition.sequence(late.receivingUnit(), "261123")));
            queue.enqueueBy(late, future, () -> false, () -> { })
                .compose(accepted -> queue.enqueueBy(late, past, () -> false, () -> { })
                    .map(replayed -> List.of(first.result(), accepted, replayed)))
                .onComplete(results);
          });
        });
        List<EnqueueResult> answered = results.future().await();

        assertThat(answered.get(0)).isInstanceOf(EnqueueResult.Expired.class);
        assertThat(afterExpired.get()).as("stream length, idempotency record, unit counter").isEqualTo(":0 :0 :0");
        EnqueueResult.Accepted accepted = (EnqueueResult.Accepted) answered.get(1);
        assertThat(accepted.receipt().replayed()).isFalse();
        assertThat(accepted.receipt().code()).as("the expired call took no number")
            .isEqualTo("000.00.53.H48-261123-0001");
        EnqueueResult.Accepted replayed = (EnqueueResult.Accepted) answered.get(2);
        assertThat(replayed.receipt().replayed()).as("a replay past the deadline writes nothing new").isTrue();
        assertThat(replayed.receipt().code()).isEqualTo(accepted.receipt().code());
        assertThat(own.command("XLEN", partition.stream())).isEqualTo(":1");
      } finally {
        vertx.close().await();
      }
    }
  }
}
