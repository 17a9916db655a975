package vn.onewindow.common.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.ReadinessCheck;

/**
 * {@code hub_ready} and {@code hub_unready_reason}: the process's latest readiness verdict. Every scrape decides one
 * anew just before the registry is written out ({@link HealthHandler#metrics}), so the figures are the scrape's own
 * moment's, and no API request pays for them. One per process, shared by the health handlers of every event loop;
 * one verdict held whole, so that a scrape never mixes one verdict's hub_ready with another's reasons.
 */
public final class ReadinessGauges {
  private final AtomicReference<ReadinessVerdict> latest = new AtomicReference<>(ReadinessVerdict.UNDECIDED);

  /** Registers the gauges on {@code registry}; once per process. */
  public ReadinessGauges bindTo(MeterRegistry registry) {
    Gauge.builder(MeterNames.READY, latest, v -> v.get().ready() ? 1 : 0).strongReference(true)
        .description("1 while this process would answer /health/ready 200 (decided at each scrape), else 0")
        .register(registry);
    for (ReadinessCheck check : ReadinessCheck.values()) {
      Gauge.builder(MeterNames.UNREADY_REASON, latest, v -> v.get().blockedBy(check) ? 1 : 0).strongReference(true)
          .tag(MeterNames.TAG_REASON, check.tag())
          .description("1 for each check that makes /health/ready answer 503 now, else 0").register(registry);
    }
    return this;
  }

  void record(ReadinessVerdict verdict) {
    latest.set(verdict);
  }
}
