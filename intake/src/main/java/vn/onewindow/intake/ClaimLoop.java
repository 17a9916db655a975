package vn.onewindow.intake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.IntakeConfig;

/**
 * Stale entries: every {@code intake.claim-interval-ms}, XPENDING + XCLAIM of entries idle longer than
 * {@code intake.claim-idle-ms} on any consumer (a crashed worker's, or this one's unacknowledged ones), then the
 * batch. A full claim starts the next round at once: more may be waiting.
 */
final class ClaimLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ClaimLoop.class);

  private final Vertx vertx;
  private final IntakeConfig config;
  private final StreamReader reader;
  private final Batches batches;
  private final IntakeMetrics metrics;
  private final String consumerName;
  private long timer = -1;
  private boolean claiming;
  private volatile boolean stopped;

  ClaimLoop(Vertx vertx, IntakeConfig config, StreamReader reader, Batches batches, IntakeMetrics metrics,
            String consumerName) {
    this.vertx = vertx;
    this.config = config;
    this.reader = reader;
    this.batches = batches;
    this.metrics = metrics;
    this.consumerName = consumerName;
  }

  void start() {
    timer = vertx.setPeriodic(config.claimInterval().toMillis(), id -> round());
  }

  void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void round() {
    if (stopped || claiming || batches.backoffRemainingMs() > 0) {
      return;
    }
    claiming = true;
    long minIdle = config.claimIdle().toMillis();
    reader.pendingIdle(minIdle, config.batchSize())
        .map(pending -> pending.stream().filter(p -> !batches.inFlight(p.entryId())).toList())
        .compose(pending -> pending.isEmpty()
            ? Future.succeededFuture(new StreamReader.Claimed(List.of(), List.of()))
            : reader.claim(pending, minIdle))
        .compose(this::process)
        .timeout(config.claimRoundTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          claiming = false;
          if (ar.failed()) {
            metrics.redisFailures.increment();
            LOG.warn("claim round of consumer {} failed ({})", consumerName, FailureKind.describe(ar.cause()));
          } else if (ar.result() >= config.batchSize() && batches.backoffRemainingMs() == 0) {
            vertx.runOnContext(x -> round());
          }
        });
  }

  private Future<Integer> process(StreamReader.Claimed claimed) {
    int count = claimed.deliveries().size() + claimed.vanished().size();
    if (count == 0) {
      return Future.succeededFuture(0);
    }
    metrics.claimed.increment(count);
    LOG.info("consumer {} claimed {} idle pending entries ({} already deleted)", consumerName, count,
        claimed.vanished().size());
    return reader.ackAndDelete(claimed.vanished())
        .compose(v -> stopped ? Future.succeededFuture(BatchProcessor.Result.EMPTY)
            : batches.process(claimed.deliveries()))
        .map(result -> count);
  }
}
