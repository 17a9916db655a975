package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway whose official calendar covers today but begins after a dossier was received (this year and next
 * loaded; the dossier from last year). An acceptance the agency backdates before the first year cannot be dated, and
 * only the agency can change that: 422 calendar-not-covered, never the 503 "retry later" of a calendar that ran out.
 */
class CalendarStartTest extends OneGatewayPerClass {
  private static final ZoneId HCM = ZoneId.of("Asia/Ho_Chi_Minh");
  private static final int THIS_YEAR = LocalDate.now(HCM).getYear();
  private static final int LAST_YEAR = THIS_YEAR - 1;

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("calendar.first-year", Integer.toString(THIS_YEAR),
        "calendar.last-year", Integer.toString(THIS_YEAR + 1)));
  }

  @Test
  void shouldRefuseAnAcceptanceBackdatedBeforeTheCalendarAs422AndRecordNothing() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = agency.dossierReceived("'" + LAST_YEAR + "-06-01T09:00:00+07:00'");
    String at = LAST_YEAR + "-06-02T10:00:00+07:00";

    HttpResponse<Buffer> refused = agency.post(id, new JsonObject().put("eventId", "backdated-" + id)
        .put("status", 2).put("at", at));

    JsonObject problem = assertProblem(refused, 422, "calendar-not-covered");
    assertThat(refused.getHeader("Retry-After")).as("no retry helps").isNull();
    assertThat(problem.getString("title")).isEqualTo("Date outside the official calendar");
    assertThat(problem.getString("detail"))
        .contains("covers " + THIS_YEAR + "-" + (THIS_YEAR + 1) + " only")
        .contains("acceptance").contains("nothing was recorded").contains("dueDate")
        .as("years only, never the time asked about").doesNotContain(at).doesNotContain(LAST_YEAR + "-06");
    assertThat(agency.status(id)).isEqualTo(1);
    assertThat(agency.events(id)).isZero();
    assertThat(gw.get("/metrics").bodyAsString())
        .contains("hub_agency_events_total{outcome=\"invalid\",status=\"2\"} 1.0");

    // an appointment the agency gives itself must be a working day of the calendar, which does not reach it either
    String due = LAST_YEAR + "-06-12";
    JsonObject dated = assertProblem(agency.post(id, new JsonObject().put("eventId", "backdated-dated-" + id)
        .put("status", 2).put("at", at).put("dueDate", due)), 422, "calendar-not-covered");
    assertThat(dated.getString("detail")).contains("covers " + THIS_YEAR + "-" + (THIS_YEAR + 1) + " only")
        .contains("dueDate").contains("nothing was recorded").doesNotContain(due);
    assertThat(agency.status(id)).isEqualTo(1);
    assertThat(agency.events(id)).isZero();
  }

  @Test
  void shouldStillDateAnAcceptanceInsideTheCalendar() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = agency.dossierReceived("now() - interval '1 hour'");

    HttpResponse<Buffer> accepted = agency.post(id, new JsonObject().put("eventId", "dated-" + id).put("status", 2)
        .put("at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));

    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
    assertThat(accepted.bodyAsJsonObject().getString("dueDate")).isNotNull();
  }
}
