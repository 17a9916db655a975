package vn.onewindow.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.Problem;

/** A 422 lists each offending field once, whatever its violations, and its detail counts the entries it lists. */
class OneEntryPerFieldTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchemas EVENT = JsonSchemas.load("config/schema/dossier-event.schema.json");

  @Test
  void shouldMergeTheViolationsOfOneFieldIntoOneEntry() {
    HttpFailure failure = HttpFailure.invalid(Problem.INVALID_RATING, "rating", List.of(
        new Violation("/answers", "must be an array"), new Violation("/answers", "must hold 1 to 5 levels"),
        new Violation("/channel", "must be one of online, counter, postal")));

    assertThat(failure.violations()).containsExactly(
        new Violation("/answers", "must be an array; must hold 1 to 5 levels"),
        new Violation("/channel", "must be one of online, counter, postal"));
    assertThat(failure.getMessage()).isEqualTo("2 fields of the rating are invalid");
  }

  @Test
  void shouldListAProgressEventsFieldOnceWhenItBreaksTwoKeywords() throws Exception {
    String event = "{\"eventId\":\"e-1\",\"status\":2,\"at\":\"" + "x".repeat(45) + "\"}";

    HttpFailure failure = HttpFailure.invalid(Problem.INVALID_EVENT, "event",
        new ArrayList<>(EVENT.validate(JSON.readTree(event))));

    assertThat(failure.violations()).extracting(Violation::pointer).containsExactly("/at");
    assertThat(failure.violations().get(0).detail()).contains("at most 40", "RFC 3339 date-time");
    assertThat(failure.getMessage()).isEqualTo("1 field of the event is invalid");
  }

  @Test
  void shouldKeepOnlyTheHubsPatternWordsWhenTheFormatFailsToo() throws Exception {
    JsonSchemas dossier = JsonSchemas.load(DossierValidator.SCHEMA_RESOURCE);
    JsonNode body = JSON.readTree(GatewayFixture.example("birth-registration.json"));
    ((ObjectNode) body.get("applicant")).put("email", "not an email");

    assertThat(dossier.validate(body)).containsExactly(new Violation("/applicant/email", SchemaWording.PATTERNS.get(
        SchemaPatterns.EMAIL)));
  }
}
