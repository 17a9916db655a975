package vn.onewindow.common.infra;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;
import vn.onewindow.common.infra.Backlog.Partition;
import vn.onewindow.common.metrics.MeterNames;

/**
 * The gauges of a {@link BacklogMonitor}: each reads the monitor's latest sample (a scrape never waits on Redis), and
 * holds the monitor itself (Micrometer keeps only a weak reference to a gauge's object).
 */
final class BacklogGauges {
  private BacklogGauges() {
  }

  /**
   * The count of masters without a replica only where replicas are expected ({@code RedisConfig.replicasExpected}): a
   * standalone server without them by design (the embedded one in development) would show a permanent alarm.
   */
  static void register(MeterRegistry registry, BacklogMonitor monitor, int partitions, boolean replicasExpected) {
    gauge(registry, monitor, MeterNames.STREAM_LENGTH, "Entries queued in the dossier streams", Backlog::length);
    gauge(registry, monitor, MeterNames.STREAM_PENDING, "Entries delivered to a worker, not yet written",
        Backlog::pending);
    gauge(registry, monitor, MeterNames.STREAM_LAG, "Entries not yet delivered to any worker", Backlog::undelivered);
    gauge(registry, monitor, MeterNames.STREAM_OLDEST_AGE, "Age of the oldest queued entry",
        Backlog::oldestAgeSeconds);
    gauge(registry, monitor, MeterNames.STREAM_SAMPLE_AGE, "Seconds since the backlog figures were last read in full",
        b -> (System.currentTimeMillis() - b.sampledAtMillis()) / 1000.0);
    gauge(registry, monitor, MeterNames.DEAD_LETTER_LENGTH, "Entries in the dead-letter streams",
        Backlog::deadLetters);
    gauge(registry, monitor, MeterNames.REDIS_MEMORY_USED, "Memory used by the fullest Redis master",
        Backlog::usedMemoryBytes);
    gauge(registry, monitor, MeterNames.REDIS_MEMORY_MAX, "maxmemory of the fullest Redis master (0: no limit)",
        Backlog::maxMemoryBytes);
    Gauge.builder(MeterNames.REDIS_EVICTING, monitor, m -> m.evicting() ? 1 : 0)
        .description("1 while a Redis master's maxmemory-policy evicts keys (anything but noeviction)")
        .register(registry);
    if (replicasExpected) {
      gauge(registry, monitor, MeterNames.REDIS_MASTERS_WITHOUT_REPLICA,
          "Redis masters with no connected replica (a failover's promoted master until the failed node rejoins)",
          Backlog::mastersWithoutReplica);
    }
    for (int i = 0; i < partitions; i++) {
      partitionGauge(registry, monitor, i, MeterNames.PARTITION_LENGTH, "Entries queued in one partition",
          Partition::length);
      partitionGauge(registry, monitor, i, MeterNames.PARTITION_PENDING,
          "Entries of one partition delivered, not yet written", Partition::pending);
      partitionGauge(registry, monitor, i, MeterNames.PARTITION_LAG, "Entries of one partition not yet delivered",
          Partition::undelivered);
      partitionGauge(registry, monitor, i, MeterNames.PARTITION_OLDEST_AGE, "Age of the oldest entry of one partition",
          Partition::oldestAgeSeconds);
      partitionGauge(registry, monitor, i, MeterNames.PARTITION_CONSUMERS, "Workers reading one partition recently",
          Partition::consumers);
    }
  }

  private static void gauge(MeterRegistry registry, BacklogMonitor monitor, String name, String description,
                            ToDoubleFunction<Backlog> value) {
    Gauge.builder(name, monitor, m -> value.applyAsDouble(m.latest())).description(description).register(registry);
  }

  private static void partitionGauge(MeterRegistry registry, BacklogMonitor monitor, int index, String name,
                                     String description, ToDoubleFunction<Partition> value) {
    Gauge.builder(name, monitor, m -> value.applyAsDouble(m.latest().partitions().get(index)))
        .tag(MeterNames.TAG_PARTITION, Integer.toString(index)).description(description).register(registry);
  }
}
