package vn.onewindow.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * The reader's limits a request cannot reach over HTTP with the test configuration (a string or a field name longer
 * than the body limit lets through), and how the reader's own messages are cut before they name its classes.
 * The HTTP answers themselves: {@code GatewayApiTest.shouldWordMalformedJsonForTheUser}.
 */
class DossierParserTest {

  @Test
  void shouldWordAStringOrNameOverTheLimitsForTheUser() {
    DossierParser parser = new DossierParser(1000, "dossier");

    assertThat(detail(parser, "{\"note\":\"" + "x".repeat(5000) + "\"}"))
        .startsWith("the body holds a string of more than 1000 characters at line 1, column ");
    assertThat(detail(parser, "{\"" + "n".repeat(60_000) + "\":1}"))
        .startsWith("the body holds a field name of more than 50000 characters at line 1, column ");
  }

  @Test
  void shouldCutTheReadersMessageBeforeItNamesItsOwnClassesOrSettings() {
    assertThat(DossierParser.reason("Unexpected end-of-input: expected close marker for Object (start marker at "
        + "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])"))
        .isEqualTo("Unexpected end-of-input: expected close marker for Object");
    assertThat(DossierParser.reason("Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to "
        + "allow")).isEqualTo("Non-standard token 'NaN'");
    assertThat(DossierParser.reason("Duplicate field 'channel'\n at [Source: x]")).isEqualTo("Duplicate field 'channel'");
    // a bare word of the body (a citizen ID or a name sent unquoted) is not echoed back
    assertThat(DossierParser.reason("Unrecognized token 'x079188800122': was expecting (JSON String, Number, Array, "
        + "Object or token 'null', 'true' or 'false')\n at [Source: REDACTED]"))
        .isEqualTo("Unrecognized token: was expecting (JSON String, Number, Array, Object or token 'null', 'true' or "
            + "'false')");
    assertThat(DossierParser.reason("`Something` odd")).isEqualTo("unreadable JSON");
    assertThat(DossierParser.reason("Unexpected character ('`' (code 96)): expected a valid value"))
        .as("a backtick from the body is not a library name").isEqualTo(
            "Unexpected character ('`' (code 96)): expected a valid value");
  }

  private static String detail(DossierParser parser, String body) {
    HttpFailure failure = catchThrowableOfType(HttpFailure.class,
        () -> parser.parse(body.getBytes(StandardCharsets.UTF_8)));
    assertThat(failure).as(body.substring(0, 20)).isNotNull();
    assertThat(failure.status()).isEqualTo(400);
    return failure.getMessage();
  }
}
