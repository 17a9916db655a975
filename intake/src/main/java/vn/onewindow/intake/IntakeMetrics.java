package vn.onewindow.intake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import vn.onewindow.common.metrics.LatencyTimers;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.metrics.ThrottledLog;

/** The intake worker's meters; names from {@link MeterNames}, tag values from fixed sets only. */
final class IntakeMetrics {
  final Counter persisted;
  final DistributionSummary batchSize;
  final Timer batchWrite;
  final Timer endToEnd;
  final Counter claimed;
  final Counter unreplicated;
  final Counter redisFailures;
  final Counter postgresFailures;
  /**
   * The worker's outage lines, one per class per 10 s for all its partitions, as its failure counters count them all:
   * a read loop's or a batch processor's own window logged up to one line per partition (16 in cluster mode).
   */
  final ThrottledLog outageLog = ThrottledLog.everyTenSeconds();

  IntakeMetrics(MeterRegistry registry) {
    persisted = Counter.builder(MeterNames.PERSISTED).description("Dossiers this process's statements inserted into "
        + "PostgreSQL, each once: when the statement's result arrives, after intake.statement-timeout-ms too; a "
        + "redelivery found already written is not counted").register(registry);
    batchSize = DistributionSummary.builder(MeterNames.BATCH_SIZE).description("Entries per batch statement")
        .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(10_000.0).register(registry);
    batchWrite = latency(MeterNames.BATCH_WRITE_LATENCY, "One batch statement (one round trip)", registry);
    endToEnd = latency(MeterNames.END_TO_END_LATENCY, "From receipt (202) to commit in PostgreSQL", registry);
    claimed = Counter.builder(MeterNames.CLAIMED).description("Entries delivered long ago, not written, swept by this worker")
        .register(registry);
    unreplicated = Counter.builder(MeterNames.UNREPLICATED_READS)
        .description("Read or sweep rounds held back until Redis replicas confirm the entries").register(registry);
    redisFailures = failures(Upstream.REDIS, registry);
    postgresFailures = failures(Upstream.POSTGRES, registry);
  }

  /**
   * What a statement inserted: the dossiers it returned (a redelivered dossier already written is not among them, so
   * each is counted by the one statement that inserted it, in whichever process) and their receipt-to-commit times.
   */
  void inserted(DossierWriter.Written written) {
    persisted.increment(written.inserted());
    Instant now = Instant.now();
    for (Instant receivedAt : written.insertedReceivedAt()) {
      Duration e2e = Duration.between(receivedAt, now);
      if (!e2e.isNegative()) {
        endToEnd.record(e2e);
      }
    }
  }

  private static Timer latency(String name, String description, MeterRegistry registry) {
    return LatencyTimers.register(name, description, registry);
  }

  private static Counter failures(Upstream upstream, MeterRegistry registry) {
    return Counter.builder(MeterNames.INTAKE_FAILURES).tag(MeterNames.TAG_UPSTREAM, upstream.tag())
        .description("Intake rounds failed on an unreachable upstream").register(registry);
  }
}
