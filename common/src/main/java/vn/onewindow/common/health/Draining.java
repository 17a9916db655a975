package vn.onewindow.common.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import vn.onewindow.common.metrics.MeterNames;

/**
 * Whether this process drains for shutdown (SIGTERM): readiness answers 503 from then on. Exported as
 * {@code hub_draining} (0, then 1) by whichever part owns the process's drain: the gateway's admission, or the hub
 * of a worker-only process, so that every role reports it (alert HubDrainingTooLong, dashboard "Targets up /
 * draining").
 */
public final class Draining implements BooleanSupplier {
  private final AtomicBoolean draining = new AtomicBoolean();

  /** Registers {@code hub.draining} on {@code registry}; once per process. */
  public Draining bindTo(MeterRegistry registry) {
    Gauge.builder(MeterNames.DRAINING, draining, d -> d.get() ? 1 : 0)
        .description("1 while this process drains for shutdown").register(registry);
    return this;
  }

  /** From now on the process drains; there is no way back. */
  public void begin() {
    draining.set(true);
  }

  @Override
  public boolean getAsBoolean() {
    return draining.get();
  }
}
