package vn.onewindow.intake;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.infra.Deadlines;

/**
 * The batches one worker has in flight, shared by its read and sweep loops (both on the worker's event loop):
 * which entries are being processed (never swept from under ourselves), the pause after PostgreSQL failed
 * transiently, and the drain on stop. Their timeouts fire on that event loop ({@link Deadlines#bounded}): a
 * {@code Future.timeout} on a chain that starts from {@code Future.succeededFuture} has no context and fires on
 * Netty's global executor thread, and the in-flight set, the batches running and the backoff were then changed there,
 * beside the event loop that reads them ({@code IntakeSweepScenariosTest}).
 */
final class Batches {
  private static final Logger LOG = LoggerFactory.getLogger(Batches.class);

  private final BatchProcessor processor;
  private final Duration batchTimeout;
  private final Duration backoff;
  private final String consumerName;
  private final Set<String> inFlight = new HashSet<>();
  private final Set<Future<?>> running = new HashSet<>();
  /** System.nanoTime() before which PostgreSQL is left alone after a transient failure. */
  private long postgresBackoffUntil = System.nanoTime();

  Batches(BatchProcessor processor, Duration batchTimeout, Duration backoff, String consumerName) {
    this.processor = processor;
    this.batchTimeout = batchTimeout;
    this.backoff = backoff;
    this.consumerName = consumerName;
  }

  /** Writes, dead-letters and acknowledges a batch; never fails (a failed batch stays in the stream). */
  Future<BatchProcessor.Result> process(List<Delivery> batch) {
    if (batch.isEmpty()) {
      return Future.succeededFuture(BatchProcessor.Result.EMPTY);
    }
    batch.forEach(d -> inFlight.add(d.entryId()));
    Future<BatchProcessor.Result> done = Deadlines.bounded(Future.<Void>succeededFuture()
            .compose(v -> processor.process(batch)), "batch", batchTimeout)
        .andThen(ar -> {
          batch.forEach(d -> inFlight.remove(d.entryId()));
          if (ar.failed()) {
            LOG.error("batch of {} entries failed unexpectedly ({}); they stay in the stream", batch.size(),
                FailureKind.describe(ar.cause()));
          } else if (LOG.isDebugEnabled()) {
            LOG.debug("consumer {} batch {}", consumerName, ar.result());
          }
        })
        .recover(err -> Future.succeededFuture(new BatchProcessor.Result(0, 0, 0, batch.size(), false)))
        .andThen(ar -> {
          if (ar.result().transientFailure()) {
            postgresBackoffUntil = System.nanoTime() + backoff.toNanos();
          }
        });
    running.add(done);
    done.onComplete(ar -> running.remove(done));
    return done;
  }

  boolean inFlight(String entryId) {
    return inFlight.contains(entryId);
  }

  /** Milliseconds left of the pause after a transient PostgreSQL failure; 0 when PostgreSQL may be tried. */
  long backoffRemainingMs() {
    long left = postgresBackoffUntil - System.nanoTime();
    return left > 0 ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)) : 0;
  }

  /** Completes when the batches in flight finished, or after {@code bound}: their entries then stay in the stream. */
  Future<Void> drain(Duration bound) {
    return Deadlines.bounded(Future.join(new ArrayList<>(running)), "drain", bound)
        .<Void>mapEmpty()
        .recover(err -> {
          LOG.warn("intake consumer {} stopped with a batch still in flight after {} ms; "
              + "its entries stay in the stream",
              consumerName, bound.toMillis());
          return Future.succeededFuture();
        });
  }
}
