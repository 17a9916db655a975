package vn.onewindow.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * Runs the shipped logback.xml (not the test configuration) in a logger context of its own, capturing stdout: both
 * formats write the line, and both mask citizen IDs and phone numbers that slip into a message or an exception.
 */
class LogFormatTest {
  private static final String CITIZEN_ID = "001203004567";
  private static final String PHONE = "0912345678";

  @AfterEach
  void restoreDefault() {
    LogFormat.use(LogFormat.JSON);
  }

  @Test
  void shouldWriteReadableLinesWithPersonalDataMaskedInTextFormat() throws Exception {
    String out = logWithShippedConfig(LogFormat.TEXT);

    assertThat(out).doesNotContain(CITIZEN_ID).doesNotContain(PHONE)
        .contains("INFO ", "LogFormatTest", "applicant *********567 called from *******678")
        .contains("IllegalStateException: bad id *********567")
        .doesNotStartWith("{");
    assertThat(out.lines().filter(l -> l.startsWith("{")).count()).as("JSON lines in text format").isZero();
  }

  @Test
  void shouldWriteJsonLinesWithPersonalDataMaskedByDefault() throws Exception {
    String out = logWithShippedConfig(LogFormat.JSON);

    assertThat(out).doesNotContain(CITIZEN_ID).doesNotContain(PHONE);
    JsonObject line = new JsonObject(out.lines().findFirst().orElseThrow());
    assertThat(line.getString("message")).isEqualTo("applicant *********567 called from *******678");
    assertThat(line.getString("level")).isEqualTo("INFO");
  }

  /**
   * HUB_LOG_LEVEL=DEBUG (README, Running) turns on the libraries' DEBUG lines too, and the JSON Schema library's
   * quotes the value it refused ("Invalid date-time: ... found 2: <the value>"): a date of birth, or whatever name or
   * address a caller wrote in a date field. Vert.x's ERROR for a broken HTTP/2 start quotes the client's bytes.
   */
  @Test
  void shouldKeepLibrariesThatQuoteRequestValuesQuietEvenAtDebug() throws Exception {
    String out = logWithShippedConfig(LogFormat.JSON, "DEBUG", context -> {
      context.getLogger(LogFormatTest.class).debug("the hub's own debug line");
      context.getLogger("com.networknt.schema.format.DateTimeFormat")
          .debug("Invalid date-time: Expected character - at position 5, found g: Nguyễn Văn An");
      context.getLogger(ClientProtocolErrorFilter.CONNECTION_LOGGER)
          .error("First received frame was not SETTINGS. Hex dump for first 5 bytes: 3037393132");
    });

    assertThat(out).contains("the hub's own debug line").doesNotContain("Nguy").doesNotContain("3037393132");
  }

  @Test
  void shouldStartFromTheEnvironmentAndFallBackToJson() {
    assertThat(LogFormat.initial("text")).isEqualTo(LogFormat.TEXT);
    assertThat(LogFormat.initial(" TEXT ")).isEqualTo(LogFormat.TEXT);
    assertThat(LogFormat.initial(null)).isEqualTo(LogFormat.JSON);
    assertThat(LogFormat.initial("xml")).as("HubConfig refuses it; until then JSON").isEqualTo(LogFormat.JSON);
  }

  private String logWithShippedConfig(LogFormat format) throws Exception {
    return logWithShippedConfig(format, "INFO", context -> {
      Logger log = context.getLogger(LogFormatTest.class);
      log.info("applicant {} called from {}", CITIZEN_ID, PHONE);
      log.warn("write failed", new IllegalStateException("bad id " + CITIZEN_ID));
    });
  }

  private String logWithShippedConfig(LogFormat format, String level, Consumer<LoggerContext> logging)
      throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      context.putProperty("HUB_LOG_LEVEL", level);
      configurator.doConfigure(LogFormatTest.class.getClassLoader().getResource("logback.xml"));
      LogFormat.use(format);
      logging.accept(context);
    } finally {
      context.stop(); // flushes the async appender
      System.setOut(stdout);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
