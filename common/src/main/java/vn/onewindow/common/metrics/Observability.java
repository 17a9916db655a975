package vn.onewindow.common.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import vn.onewindow.common.config.SecurityConfig;
import vn.onewindow.common.http.ListenerGuards;

/** One Prometheus registry per process, shared by Vert.x's own metrics, JVM binders and the hub's meters. */
public final class Observability {
  private Observability() {
  }

  public static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // before any meter exists: Vert.x's HTTP server meters label the method as the client sent it
    registry.config().meterFilter(MeterFilter.replaceTagValues("method", HttpMethodNames::bounded));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /** A Vert.x whose listeners have no connection guards: for tests of other things than listeners. */
  public static Vertx vertx(PrometheusMeterRegistry registry) {
    return builder(registry).with(options().setPreferNativeTransport(true)).build();
  }

  /**
   * A Vert.x on the native transport where it loads, whose every listener is guarded ({@link ListenerGuards}:
   * {@code security.max-connections}, HTTP/2's idle rule).
   */
  public static Vertx vertx(PrometheusMeterRegistry registry, SecurityConfig security) {
    return builder(registry).with(options())
        .withTransport(ListenerGuards.of(security.maxConnections(), registry)).build();
  }

  private static VertxOptions options() {
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setJvmMetricsEnabled(false).setServerRequestTagsProvider(RequestOrigins::of));
  }

  private static VertxBuilder builder(PrometheusMeterRegistry registry) {
    return Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry));
  }
}
