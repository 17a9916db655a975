package vn.onewindow.common.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Locale;

/**
 * Lets an event through to its appender only while that appender's format is the {@link LogFormat#active() active}
 * one. logback.xml attaches one async console appender per format, each with this filter and its {@code <format>}:
 * the other one denies before queueing or encoding, so the unused format costs one comparison per event.
 */
public final class LogFormatFilter extends Filter<ILoggingEvent> {
  private LogFormat format = LogFormat.JSON;

  public void setFormat(String format) {
    this.format = LogFormat.valueOf(format.trim().toUpperCase(Locale.ROOT));
  }

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return LogFormat.active() == format ? FilterReply.NEUTRAL : FilterReply.DENY;
  }
}
