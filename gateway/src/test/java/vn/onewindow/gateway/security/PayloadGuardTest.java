package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.validation.Violation;

/** What PayloadGuard.check refuses after parsing, without servers (parsed like DossierParser does). */
class PayloadGuardTest {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

  @Test
  void shouldPassAValidDossierWithAnyUnicodeUntouched() throws Exception {
    String text = "{\"note\":\"Nguyễn 👨‍👩‍👧 \\ud83d\\ude00 \u202E\",\"n\":1e308,\"m\":-1.5e-300,\"z\":0e99999,\"i\":"
        + "123456789012345678901234567890}";

    assertThat(check(text.getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  @Test
  void shouldRefuseBytesThatAreNotStrictUtf8OrStartWithABom() throws Exception {
    byte[][] bodies = {
        {'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0x80, '"', '}'},
        {'{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'},
        {'{', '"', 'a', '"', ':', '"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"', '}'},
        {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'}};
    for (byte[] body : bodies) {
      HttpFailure failure = check(body).orElseThrow();
      assertThat(failure.status()).isEqualTo(400);
      assertThat(failure.type()).isEqualTo("malformed-request");
    }
  }

  @Test
  void shouldNameFieldsWithUnpairedSurrogatesOrNumbersBeyondADouble() throws Exception {
    String text = "{\"note\":\"a\\ud800\",\"formData\":{\"big\":1e309,\"tiny\":1e-400,\"ok\":1e300,"
        + "\"x\\udc00\":1},\"list\":[\"\\udfff\\ud800\"]}";

    HttpFailure failure = check(text.getBytes(StandardCharsets.UTF_8)).orElseThrow();

    assertThat(failure.status()).isEqualTo(422);
    assertThat(failure.violations()).extracting(Violation::pointer)
        .containsExactlyInAnyOrder("/note", "/formData/big", "/formData/tiny", "/formData/x\udc00", "/list/0");
  }

  @Test
  void shouldRefuseABodyThatIsMostlyWhitespaceBetweenValuesOnly() throws Exception {
    String value = "{\"note\":\"a\"}";
    String padded = value + " \t\r\n".repeat(10_000);
    // spaces inside strings are content, however many (the schema bounds each string)
    String spacedText = "{\"note\":\"" + " ".repeat(40_000) + "\",\"q\":\"\\\" " + " ".repeat(40_000) + "\"}";
    String smallPadding = value + " ".repeat(16 * 1024);

    HttpFailure failure = check(padded.getBytes(StandardCharsets.UTF_8)).orElseThrow();
    assertThat(failure.status()).isEqualTo(400);
    assertThat(failure.getMessage()).contains("40000 bytes of whitespace between its values");
    assertThat(check(spacedText.getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(check(smallPadding.getBytes(StandardCharsets.UTF_8))).isEmpty();
    // over 16 KiB and over half of a body under 32 KiB is padding too
    String justOver = value + " ".repeat(16 * 1024 + 1);
    assertThat(check(justOver.getBytes(StandardCharsets.UTF_8)).orElseThrow().getMessage())
        .contains("16385 bytes of whitespace between its values");
  }

  private static Optional<HttpFailure> check(byte[] body) throws Exception {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(body);
    } catch (Exception e) {
      tree = MAPPER.readTree("{}");
    }
    return PayloadGuard.check(body, tree);
  }
}
