package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.infra.RedisReplies;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.submit.DossierQueue;
import vn.onewindow.gateway.submit.EnqueueResult;
import vn.onewindow.gateway.submit.Submission;

/**
 * The group commit on real Redis: dossiers handed to the queue in one event-loop turn, or while its call to the
 * partition is in flight, share a call (at most redis.enqueue-batch-max), and each keeps its own answer: a code of its
 * own, a retry of a key in the same call as its first use gets that dossier back, another body under it a conflict,
 * a replay of an unused key "absent". All nine are handed over in one turn, so which call carries which is fixed:
 * four and four at the end of the turn (a full call goes beside the one in flight), then one. The first two are in
 * flight at once, so which of them Redis runs first, and numbers first, is not: within a call the codes follow
 * arrival, and the stream holds them in the order they were numbered.
 */
class EnqueueBatchingTest {

  @Test
  void dossiersWaitingForTheInFlightCallShareTheNextOneAndEachGetsItsOwnAnswer() throws Exception {
    try (OwnRedis own = new OwnRedis("enqueue-batching")) {
      HubConfig config = TestServers.get().config(Map.of("redis.url", own.url(), "redis.enqueue-batch-max", "4"));
      Vertx vertx = Vertx.vertx();
      try {
        Context context = vertx.getOrCreateContext();
        Promise<List<EnqueueResult>> all = Promise.promise();
        RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
        // counters already seeded (CodeSequences, which the gateway runs and this queue alone does not)
        own.command("SET", keys.forUnit("000.00.53.H48").epoch(), "seeded");
        List<Submission> submissions = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
          submissions.add(submission("batch-key-000" + i, i));
        }
        submissions.add(submission("batch-key-0005", 5)); // the fifth's retry
        submissions.add(submission("batch-key-0005", 99)); // another body under its key
        submissions.add(submission("batch-key-never", 7)); // a replay only (a limited applicant's retry)
        submissions.add(submission(null, 8)); // no key
        Redis[] redis = new Redis[1];
        context.runOnContext(v -> {
          redis[0] = RedisClients.create(vertx, config.redis(), "test");
          DossierQueue queue = new DossierQueue(redis[0], keys, config.dossier(), config.redis(),
              Duration.ofSeconds(30), new SimpleMeterRegistry());
          List<Future<EnqueueResult>> results = new ArrayList<>();
          for (int i = 0; i < submissions.size(); i++) {
            results.add(i == 7 ? queue.replay(submissions.get(i), () -> false)
                : queue.enqueueBy(submissions.get(i), 0, () -> false, () -> { }));
          }
          Future.all(results).map(done -> results.stream().map(Future::result).toList()).onComplete(all);
        });
        List<EnqueueResult> results = all.future().await();

        List<String> codes = new ArrayList<>();
        for (int i : new int[] {0, 1, 2, 3, 4, 8}) {
          EnqueueResult.Accepted accepted = (EnqueueResult.Accepted) results.get(i);
          assertThat(accepted.receipt().replayed()).isFalse();
          codes.add(accepted.receipt().code());
        }
        assertThat(codes).containsExactlyInAnyOrder("000.00.53.H48-261123-0001", "000.00.53.H48-261123-0002",
            "000.00.53.H48-261123-0003", "000.00.53.H48-261123-0004", "000.00.53.H48-261123-0005",
            "000.00.53.H48-261123-0006");
        // the first call carried submissions 0-3, the second 4-7 (4, its retry, its other body, the replay), the
        // third 8, sent once both were answered
        assertThat(codes.subList(0, 4)).as("one call, numbered in arrival order").isSorted();
        assertThat(codes.get(5)).as("the call after both").isEqualTo("000.00.53.H48-261123-0006");
        EnqueueResult.Accepted retry = (EnqueueResult.Accepted) results.get(5);
        assertThat(retry.receipt().replayed()).isTrue();
        EnqueueResult.Accepted fifth = (EnqueueResult.Accepted) results.get(4);
        assertThat(retry.receipt().dossierId()).isEqualTo(fifth.receipt().dossierId());
        assertThat(retry.receipt().code()).isEqualTo(fifth.receipt().code());
        assertThat(results.get(6)).isInstanceOf(EnqueueResult.Conflict.class);
        assertThat(results.get(7)).isInstanceOf(EnqueueResult.Absent.class);

        PartitionKeys partition = keys.forUnit("000.00.53.H48");
        Response entries = redis[0].send(Request.cmd(Command.XRANGE).arg(partition.stream()).arg("-").arg("+"))
            .await();
        List<String> queued = new ArrayList<>();
        entries.forEach(entry -> queued.add(StreamEntry.fromFields(RedisReplies.pairs(entry.get(1)), entry.get(0).toString()).code()));
        assertThat(queued).as("one entry per new dossier, in the order they were numbered")
            .containsExactlyInAnyOrderElementsOf(codes).isSorted();
        // three calls: four, four and one (the script runs EVALSHA first on every call)
        String stats = redis[0].send(Request.cmd(Command.INFO).arg("commandstats")).await().toString();
        assertThat(stats).contains("cmdstat_evalsha:calls=3,");
      } finally {
        vertx.close().await();
      }
    }
  }

  /**
   * A Redis that accepts the connection and never answers (a socket that died silently): the partition's call is
   * given up after the call timeout, so the next dossier gets its own call (and its own failure) instead of waiting
   * behind the first forever.
   */
  @Test
  @Timeout(60)
  void aCallThatNeverAnswersDoesNotHoldThePartitionsLaterDossiersBack() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      HubConfig config = TestServers.get().config(Map.of(
          "redis.url", "redis://127.0.0.1:" + silent.getLocalPort(), "redis.enqueue-batch-max", "4"));
      Vertx vertx = Vertx.vertx();
      try {
        Submission first = submission("silent-key-0001", 1);
        Submission second = submission("silent-key-0002", 2);
        Promise<List<Throwable>> failures = Promise.promise();
        Context context = vertx.getOrCreateContext();
        context.runOnContext(v -> {
          DossierQueue queue = new DossierQueue(RedisClients.create(vertx, config.redis(), "test"),
              RedisKeys.of(config.redis(), config.stream()), config.dossier(), config.redis(), Duration.ofMillis(300),
              new SimpleMeterRegistry());
          Future<EnqueueResult> a = queue.enqueueBy(first, 0, () -> false, () -> { });
          // a later turn, after the first one's call has gone: the second waits for that call
          context.runOnContext(later -> {
            Future<EnqueueResult> b = queue.enqueueBy(second, 0, () -> false, () -> { });
            Future.join(a, b).onComplete(done -> failures.complete(List.of(a.cause(), b.cause())));
          });
        });
        assertThat(failures.future().await()).allSatisfy(cause -> assertThat(cause)
            .isInstanceOf(TimeoutException.class).hasMessageContaining("did not answer within 300 ms"));
      } finally {
        vertx.close().await();
      }
    }
  }

  private static Submission submission(String idempotencyKey, int n) throws Exception {
    return DirectWriterTest.submission(UUID.randomUUID().toString(), idempotencyKey, DirectWriterTest.body(n));
  }
}
