package vn.onewindow.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's "This Gauge has been already registered" warning, which every start of the hub logged.
 * vertx-micrometer-metrics registers its gauges once per client (every Redis client, every verticle's pool) under the
 * same meter id and keeps the figure in one LongAdder per meter id that all of them share (its LongGaugeBuilder), so
 * the repeated registration loses nothing; Micrometer warns about it all the same. A WARN at every start teaches
 * operators to read past WARNs. Anything else Micrometer logs, the same warning about a meter not named vertx.*, and
 * this text from any other logger pass as before.
 */
public final class RepeatedGaugeRegistrationFilter extends TurboFilter {
  static final String MESSAGE = "This Gauge has been already registered";
  /** Only vert.x's own meters: a gauge of ours registered twice would be a bug, and keeps its warning. */
  static final String VERTX_METER = "name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                            Throwable t) {
    return level == Level.WARN && format != null && format.startsWith(MESSAGE) && format.contains(VERTX_METER)
        && logger.getName().startsWith("io.micrometer.") ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
