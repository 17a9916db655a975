package vn.onewindow.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RepeatedGaugeRegistrationFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final RepeatedGaugeRegistrationFilter filter = new RepeatedGaugeRegistrationFilter();

  @Test
  void shouldDropOnlyMicrometersWarningAboutARepeatedGaugeRegistration() {
    String registry = MeterRegistry.class.getName();
    String text = RepeatedGaugeRegistrationFilter.MESSAGE + " (MeterId{name='vertx.pool.queue.pending'}), the"
        + " registration will be ignored.";
    assertThat(decide(registry, Level.WARN, text)).isEqualTo(FilterReply.DENY);
    assertThat(decide(registry, Level.WARN, RepeatedGaugeRegistrationFilter.MESSAGE + " (MeterId{name='hub.backlog'})"))
        .as("a gauge of ours registered twice").isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide(registry, Level.WARN, "A MeterFilter is being configured after a Meter has been registered"))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide(registry, Level.ERROR, text)).isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide("vn.onewindow.hub.Hub", Level.WARN, text)).isEqualTo(FilterReply.NEUTRAL);
  }

  /**
   * The warning's text as this Micrometer version writes it, so a reworded one is noticed here. Micrometer logs it
   * at WARN once per JVM and at DEBUG after that (another test of this JVM may have had the WARN): either will do.
   */
  @Test
  void shouldMatchTheWarningMicrometerActuallyLogs() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicLong first = new AtomicLong(1);
    AtomicLong second = new AtomicLong(2);
    Gauge.builder("vertx.repeated", first, AtomicLong::doubleValue).register(registry);
    ch.qos.logback.classic.Logger micrometer =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(MeterRegistry.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
        new ch.qos.logback.core.read.ListAppender<>();
    seen.start();
    Level level = micrometer.getLevel();
    micrometer.setLevel(Level.DEBUG);
    micrometer.addAppender(seen);
    try {
      Gauge.builder("vertx.repeated", second, AtomicLong::doubleValue).register(registry);
    } finally {
      micrometer.detachAppender(seen);
      micrometer.setLevel(level);
    }
    assertThat(seen.list).singleElement().satisfies(event -> {
      assertThat(event.getLevel()).isIn(Level.WARN, Level.DEBUG);
      assertThat(event.getMessage()).startsWith(RepeatedGaugeRegistrationFilter.MESSAGE)
          .contains(RepeatedGaugeRegistrationFilter.VERTX_METER);
    });
  }

  private FilterReply decide(String logger, Level level, String format) {
    return filter.decide(null, context.getLogger(logger), level, format, null, null);
  }
}
