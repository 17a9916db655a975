package vn.onewindow.common.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * The log lines one logger writes during each test, for asserting what an operator would read (and what personal
 * data must never reach): {@code @RegisterExtension final LogCapture logged = LogCapture.of(Problems.class);}.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(Logger logger) {
    this.logger = logger;
  }

  public static LogCapture of(Class<?> source) {
    return new LogCapture((Logger) LoggerFactory.getLogger(source));
  }

  /** A library's logger by its name (its class may not be public: Vert.x's {@code ConnectionBase}). */
  public static LogCapture of(String loggerName) {
    return new LogCapture((Logger) LoggerFactory.getLogger(loggerName));
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    appender.list.clear();
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    logger.detachAppender(appender);
    appender.stop();
  }

  /** Every event so far in this test (a copy: the gateway's threads may still be logging). */
  public List<ILoggingEvent> events() {
    // AppenderBase.doAppend holds the appender's lock while it adds to the list
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  /** The formatted lines so far in this test that contain {@code text} ("" for all). */
  public List<String> lines(String text) {
    return events().stream().map(ILoggingEvent::getFormattedMessage).filter(line -> line.contains(text)).toList();
  }
}
