package vn.onewindow.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/** receivingUnit and handlingAgency against config/agencies.json, on a real gateway: 422 and nothing enqueued. */
class AgencyDirectoryValidationTest extends OneGatewayPerClass {

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("ratelimit.applicant-per-minute", "6000", "ratelimit.applicant-burst", "1000"));
  }

  @Test
  void shouldRefuseAnUnknownAgencyCodeNamingTheField() {
    JsonObject dossier = GatewayFixture.birthRegistration().put("handlingAgency", "000.00.99.H48");

    JsonObject problem = assertProblem(gw.post(dossier.encode()), 422, "invalid-dossier");

    assertThat(problem.getJsonArray("errors")).containsExactly(new JsonObject().put("pointer", "/handlingAgency")
        .put("detail", "handlingAgency 000.00.99.H48 is not in the agency directory"));
    assertThat(problem.getString("detail")).isEqualTo("1 field of the dossier is invalid");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldRefuseACodeClosedByTheMergersNamingItsSuccessor() {
    JsonObject dossier = GatewayFixture.birthRegistration().put("receivingUnit", "000.00.00.H49")
        .put("handlingAgency", "000.00.00.H30");

    JsonArray errors = assertProblem(gw.post(dossier.encode()), 422, "invalid-dossier").getJsonArray("errors");

    assertThat(errors).hasSize(2);
    assertThat(errors.getJsonObject(0).getString("pointer")).isEqualTo("/handlingAgency");
    assertThat(errors.getJsonObject(0).getString("detail")).isEqualTo("handlingAgency 000.00.00.H30 was closed on "
        + "2025-07-01 (province merger); use its successor 000.00.00.H31 (Ủy ban nhân dân thành phố Hải Phòng)");
    assertThat(errors.getJsonObject(1).getString("pointer")).isEqualTo("/receivingUnit");
    assertThat(errors.getJsonObject(1).getString("detail")).contains("000.00.00.H49 was closed on 2025-07-01")
        .contains("use its successor 000.00.00.H48");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldReportDirectoryAndSchemaViolationsTogetherButAShapelessCodeOnce() {
    JsonObject dossier = GatewayFixture.birthRegistration().put("receivingUnit", "H48")
        .put("handlingAgency", "000.00.99.H48").put("channel", "fax");

    // a shapeless code and an unknown channel break the submission schema on purpose: only the answer is checked
    JsonArray errors = assertProblem(gw.postRaw(dossier.encode()), 422, "invalid-dossier").getJsonArray("errors");

    assertThat(errors.stream().map(e -> ((JsonObject) e).getString("pointer")).toList())
        .containsExactly("/channel", "/handlingAgency", "/receivingUnit");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldResolveCodesOnTheReceptionDate() throws Exception {
    DossierValidator validator = gw.shared.validator();
    JsonObject birth = GatewayFixture.birthRegistration()
        .put("receivingUnit", "000.00.00.H49").put("handlingAgency", "000.00.00.H49");
    // a child born before both days of receipt (a date of birth may not be later than the day of receipt)
    birth.getJsonObject("formData").put("childDateOfBirth", "2025-06-20");
    var dossier = new ObjectMapper().readTree(birth.encode());

    assertThat(validator.validate(dossier, LocalDate.of(2025, 6, 30))).as("received before the merger").isEmpty();
    assertThat(validator.validate(dossier, LocalDate.of(2025, 7, 1))).extracting(Violation::pointer)
        .containsExactly("/handlingAgency", "/receivingUnit");
    assertThat(gw.post(GatewayFixture.example("birth-registration.json")).statusCode()).isEqualTo(202);
  }
}
