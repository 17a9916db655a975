package vn.onewindow.gateway.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.validation.Violation;

/** The survey's 422 names each offending member by an RFC 6901 pointer, as a dossier's and an event's do. */
class RatingValidationTest {
  @Test
  void shouldEscapeAnUnknownMemberNameInItsPointer() {
    JsonObject body = new JsonObject("{\"a/b\":1,\"m~n\":2,\"answers\":[5],\"channel\":\"online\"}");

    HttpFailure failure = catchThrowableOfType(HttpFailure.class, () -> RatingHandler.validate(body));

    assertThat(failure.status()).isEqualTo(422);
    assertThat(failure.violations()).extracting(Violation::pointer).containsExactlyInAnyOrder("/a~1b", "/m~0n");
  }
}
