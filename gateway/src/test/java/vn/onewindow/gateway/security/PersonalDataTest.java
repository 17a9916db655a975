package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.privacy.PersonalData;
import vn.onewindow.common.privacy.PersonalDataMasker;
import vn.onewindow.gateway.GatewayFixture;

/** Personal data never leaves the process in clear: masks, the log safety net, and what a real run logs. */
class PersonalDataTest {

  @Test
  void shouldMaskIdsPhonesNamesAndAddresses() {
    assertThat(PersonalData.maskId("001203004567")).isEqualTo("*********567");
    assertThat(PersonalData.maskPhone("0912345678")).isEqualTo("*******678");
    assertThat(PersonalData.maskPhone("+84912345678")).isEqualTo("*********678");
    assertThat(PersonalData.maskName("Nguyễn Thị Ánh Tuyết")).isEqualTo("N. T. Á. T.");
    assertThat(PersonalData.maskAddress("Số 1 Đường Thử, Phường Mẫu, Hà Nội")).isEqualTo("***, Hà Nội");
    assertThat(PersonalData.maskAddress("Hà Nội")).isEqualTo("***");
    assertThat(PersonalData.maskId("")).isEmpty();
    assertThat(PersonalData.maskName(null)).isEmpty();
  }

  @Test
  void shouldMaskIdAndPhoneLikeNumbersInFreeTextButNotIdsCodesOrTimestamps() {
    String text = "citizen 001203004567 called from 0912345678 / +84987654321, CMND 123456789; dossier "
        + "6f1c9b2e-1d2a-4c3b-9a8b-123456789012 code 000.00.53.H48-261123-0001 at 1732345678901 entry 1732345678901-0";

    String masked = PersonalData.maskFreeText(text);

    assertThat(masked).doesNotContain("001203004567", "0912345678", "+84987654321", "123456789;")
        .contains("*********567", "*******678", "*********321", "******789;")
        .contains("6f1c9b2e-1d2a-4c3b-9a8b-123456789012", "000.00.53.H48-261123-0001", "1732345678901-0");
    assertThat(PersonalData.maskFreeText("nothing personal")).isEqualTo("nothing personal");
    assertThat(PersonalData.containsIdOrPhone("request 42")).isFalse();
  }

  @Test
  void shouldMaskEveryStringTheJsonEncoderWritesWhenTheMaskerIsConfigured() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogstashEncoder encoder = new LogstashEncoder();
    MaskingJsonGeneratorDecorator decorator = new MaskingJsonGeneratorDecorator();
    decorator.addValueMasker(new PersonalDataMasker());
    decorator.start();
    encoder.setJsonGeneratorDecorator(decorator);
    encoder.setContext(context);
    encoder.start();
    Logger logger = context.getLogger("masking-probe");
    ListAppender<ILoggingEvent> captured = capture(logger);
    try {
      logger.warn("lookup for citizen {} failed", "001203004567",
          new IllegalStateException("phone 0912345678 rejected"));
      String json = new String(encoder.encode(captured.list.get(0)), StandardCharsets.UTF_8);

      assertThat(json).doesNotContain("001203004567").doesNotContain("0912345678")
          .contains("lookup for citizen *********567 failed").contains("phone *******678 rejected");
    } finally {
      logger.detachAppender(captured);
      encoder.stop();
    }
  }

  @Test
  void shouldNeverLogNorExportApplicantDataDuringRealSubmissions() {
    TestTokens tokens = new TestTokens();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = capture(root);
    try (GatewayFixture gw = new GatewayFixture(pem(tokens))) {
      String citizen = "079203004567";
      JsonObject dossier = SecurityTestSupport.dossierOf(citizen);
      dossier.getJsonObject("applicant").put("fullName", "Phạm Thị Riêng Tư").put("phone", "0987654321")
          .put("address", "Số 9 Ngõ Kín Đáo, Phường Bí Mật, Quận Ẩn Danh");
      Map<String, String> withToken = Map.of("X-Api-Key", SecurityTestSupport.PORTAL_KEY,
          "Authorization", "Bearer " + tokens.rs256(citizen));
      var bare = SecurityTestSupport.bareClient(gw.vertx, gw.port);
      var hostile = SecurityTestSupport.hostileClient(gw.vertx, gw.port);

      HttpResponse<Buffer> accepted = SecurityTestSupport.post(bare, withToken, dossier.encode());
      HttpResponse<Buffer> invalid = SecurityTestSupport.post(hostile, withToken, dossier.copy().put("channel", "fax").encode());
      HttpResponse<Buffer> badToken = SecurityTestSupport.post(hostile, Map.of("X-Api-Key", SecurityTestSupport.PORTAL_KEY,
          "Authorization", "Bearer " + tokens.forged(citizen)), dossier.encode());
      HttpResponse<Buffer> status = SecurityTestSupport.send(bare, io.vertx.core.http.HttpMethod.GET,
          accepted.getHeader("Location"), withToken, null);
      String metrics = gw.get("/metrics").bodyAsString();

      assertThat(List.of(accepted.statusCode(), invalid.statusCode(), badToken.statusCode(), status.statusCode()))
          .containsExactly(202, 422, 401, 200);
      assertThat(captured.list).isNotEmpty();
      for (String secret : List.of(citizen, "0987654321", "Phạm Thị Riêng Tư", "Ngõ Kín Đáo", "Bí Mật",
          SecurityTestSupport.PORTAL_KEY)) {
        for (ILoggingEvent event : List.copyOf(captured.list)) {
          assertThat(event.getFormattedMessage()).as("log line").doesNotContain(secret);
          if (event.getThrowableProxy() != null) {
            assertThat(ThrowableProxyUtil.asString(event.getThrowableProxy())).doesNotContain(secret);
          }
          assertThat(event.getMDCPropertyMap().toString()).doesNotContain(secret);
        }
        assertThat(metrics).as("metrics").doesNotContain(secret);
        assertThat(invalid.bodyAsString()).as("problem body").doesNotContain(secret);
        assertThat(badToken.bodyAsString()).doesNotContain(secret);
      }
    } finally {
      root.detachAppender(captured);
    }
  }

  private static Map<String, String> pem(TestTokens tokens) {
    try {
      return tokens.pemConfig();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ListAppender<ILoggingEvent> capture(Logger logger) {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
    return appender;
  }
}
