package vn.onewindow.common.logging;

import java.util.Locale;

/**
 * How log lines are written to stdout (config key {@code log.format}): {@code json}, one object a line for log
 * collectors (the default), or {@code text}, human-readable lines for a terminal. Both mask ID- and phone-like
 * numbers. Logback starts before the configuration is read, so it begins with {@code HUB_LOG_FORMAT} from the
 * environment; {@code HubMain} then applies the validated value (which may come from {@code HUB_CONFIG_FILE}).
 */
public enum LogFormat {
  JSON, TEXT;

  private static volatile LogFormat active = initial(System.getenv("HUB_LOG_FORMAT"));

  /** The format logback's appenders write now ({@link LogFormatFilter} lets only its appender through). */
  public static LogFormat active() {
    return active;
  }

  public static void use(LogFormat format) {
    active = format;
  }

  /** Lenient on purpose: an unknown value logs JSON until HubConfig refuses it with a message naming log.format. */
  static LogFormat initial(String value) {
    return value != null && value.trim().toLowerCase(Locale.ROOT).equals("text") ? TEXT : JSON;
  }
}
