package vn.onewindow.intake;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.function.Supplier;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.IntakeConfig;
import vn.onewindow.common.dossier.PartitionKeys;

/**
 * One worker's consumer of one partition: a {@link ReadLoop} of new entries and a {@link SweepLoop} of entries
 * delivered long ago and still in the stream, sharing their in-flight {@link Batches}. Started when the partition is
 * assigned to the worker, stopped (its batches finished within the drain bound) when it moves to another.
 */
final class PartitionConsumer {
  private final PartitionKeys partition;
  private final StreamReader reader;
  private final Batches batches;
  private final ReadLoop readLoop;
  private final SweepLoop sweepLoop;

  PartitionConsumer(Vertx vertx, HubConfig config, PartitionKeys partition, String group, String consumerName,
                    Redis redis, Supplier<Redis> readClient, Pool pool, DossierWriter writer, IntakeMetrics metrics,
                    MeterRegistry registry) {
    IntakeConfig intake = config.intake();
    this.partition = partition;
    this.reader = new StreamReader(redis, partition, group, consumerName, config.redis());
    BatchProcessor processor = new BatchProcessor(writer, reader,
        new DeadLetters(pool, reader, registry), metrics, intake.maxDeliveries());
    this.batches = new Batches(processor, intake.batchTimeout(), intake.retryBackoff(), consumerName);
    this.readLoop = new ReadLoop(vertx, intake, reader, batches, metrics, readClient, consumerName);
    this.sweepLoop = new SweepLoop(vertx, intake, reader, batches, metrics, consumerName);
  }

  PartitionKeys partition() {
    return partition;
  }

  Future<Void> start() {
    // the sweep's first look comes before the read loop's first read (SweepLoop.start)
    return reader.ensureGroup()
        .compose(v -> sweepLoop.start())
        .compose(v -> readLoop.start());
  }

  /** Whether this worker sweeps the partition ({@link Assignment#sweepsOf}). */
  void sweep(boolean sweeps) {
    sweepLoop.active(sweeps);
  }

  /** Lets the batches in flight finish within {@code bound}; unfinished ones stay in the stream for a sweep. */
  Future<Void> stop(Duration bound) {
    sweepLoop.stop();
    return batches.drain(bound).eventually(readLoop::stop);
  }
}
