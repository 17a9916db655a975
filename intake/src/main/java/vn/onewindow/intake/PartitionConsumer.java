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
 * assigned to the worker, stopped (its batches finished within the drain bound) when it moves to another. A worker
 * that only stands by for a partition's sweep ({@link Assignment#standbysOf}) has a consumer of it without a read
 * loop.
 */
final class PartitionConsumer {
  private final PartitionKeys partition;
  private final IntakeConfig intake;
  private final StreamReader reader;
  private final Batches batches;
  private final ReadLoop readLoop;
  private final SweepLoop sweepLoop;

  PartitionConsumer(Vertx vertx, HubConfig config, PartitionKeys partition, String group, String consumerName,
                    boolean reads, Redis redis, Supplier<Redis> readClient, Pool pool, DossierWriter writer,
                    IntakeMetrics metrics, MeterRegistry registry) {
    this.intake = config.intake();
    this.partition = partition;
    this.reader = new StreamReader(redis, partition, group, consumerName, config.redis());
    BatchProcessor processor = new BatchProcessor(writer, reader,
        new DeadLetters(pool, reader, registry), metrics, intake.maxDeliveries());
    this.batches = new Batches(processor, intake.batchTimeout(), intake.retryBackoff(), consumerName);
    this.readLoop = reads ? new ReadLoop(vertx, intake, reader, batches, metrics, readClient, consumerName) : null;
    this.sweepLoop = new SweepLoop(vertx, intake, reader, batches, metrics, consumerName);
  }

  PartitionKeys partition() {
    return partition;
  }

  /** Whether this consumer reads the partition (false: it only stands by for its sweep). */
  boolean reads() {
    return readLoop != null;
  }

  Future<Void> start() {
    // the sweep's first look comes before the read loop's first read (SweepLoop.start)
    return reader.ensureGroup(intake.callBound())
        .compose(v -> sweepLoop.start())
        .compose(v -> readLoop == null ? Future.<Void>succeededFuture() : readLoop.start());
  }

  /** What this worker does for the partition's sweep ({@link Assignment.Share#sweepRole}). */
  void sweep(SweepLoop.Role role) {
    sweepLoop.role(role);
  }

  /** Lets the batches in flight finish within {@code bound}; unfinished ones stay in the stream for a sweep. */
  Future<Void> stop(Duration bound) {
    sweepLoop.stop();
    return batches.drain(bound).eventually(() -> readLoop == null ? Future.<Void>succeededFuture() : readLoop.stop());
  }
}
