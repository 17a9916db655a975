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
 * A gateway whose official calendar does not cover today, as when a process keeps running past the last loaded
 * year. Without touching the clock: it loads next year only (the configuration requires the last year to be at
 * least next year, not the first one to be this year), so today's due dates cannot be computed. Nothing may be
 * accepted without its due date, and the client cannot fix it: 503 calendar-not-loaded, never a 500.
 */
class CalendarEndTest extends OneGatewayPerClass {
  private static final ZoneId HCM = ZoneId.of("Asia/Ho_Chi_Minh");
  private static final String BIRTH = AgencyEvents.BIRTH;
  private static final int NEXT_YEAR = LocalDate.now(HCM).getYear() + 1;

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("calendar.first-year", Integer.toString(NEXT_YEAR),
        "calendar.last-year", Integer.toString(NEXT_YEAR)));
  }

  @Test
  void shouldRefuseASubmissionWhoseDueDateCannotBeComputedAs503AndQueueNothing() {
    HttpResponse<Buffer> response = gw.post(GatewayFixture.birthRegistration().encode());

    JsonObject problem = assertProblem(response, 503, "calendar-not-loaded");
    assertThat(response.getHeader("Retry-After")).isEqualTo("3600");
    assertThat(problem.getString("title")).isEqualTo("Official calendar not loaded");
    assertThat(problem.getString("detail")).contains("covers " + NEXT_YEAR + " only").contains("nothing was queued");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
    assertThat(gw.get("/metrics").bodyAsString())
        .contains("hub_submissions_total{channel=\"online\",outcome=\"upstream_error\"} 1.0");
  }

  @Test
  void shouldTellTheClientsFaultFromTheOperatorsOnTheDueDateLookUp() {
    // a receivedAt inside the loaded year is answered; now, outside it, is the operators' to fix (503)
    assertThat(gw.get("/v1/procedures/" + BIRTH + "/due-date?receivedAt=" + NEXT_YEAR + "-03-10T10:00:00Z")
        .statusCode()).isEqualTo(200);
    HttpResponse<Buffer> now = gw.get("/v1/procedures/" + BIRTH + "/due-date");
    assertProblem(now, 503, "calendar-not-loaded");
    assertThat(now.getHeader("Retry-After")).isEqualTo("3600");
    assertProblem(gw.get("/v1/procedures/" + BIRTH + "/due-date?receivedAt=" + (NEXT_YEAR + 1) + "-03-10T10:00:00Z"),
        422, "calendar-not-covered");
  }

  @Test
  void shouldRefuseAnAcceptanceWithoutDueDateAs503AndRecordNothing() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = agency.dossierReceived("now() - interval '1 hour'");
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    // at lies before the calendar's first year, but so does now: the operators' to fix (503), not the agency's (422)
    HttpResponse<Buffer> refused = agency.post(id, new JsonObject().put("eventId", "cal-" + id).put("status", 2)
        .put("at", at.toString()));

    JsonObject problem = assertProblem(refused, 503, "calendar-not-loaded");
    assertThat(refused.getHeader("Retry-After")).isEqualTo("3600");
    assertThat(problem.getString("detail")).contains("nothing was recorded").contains("dueDate");
    assertThat(agency.status(id)).isEqualTo(1);
    assertThat(agency.events(id)).isZero();

    // nor can an appointment the agency gives itself be checked against the calendar: the same 503, nothing recorded
    String due = LocalDate.ofInstant(at, HCM).plusDays(1).toString();
    JsonObject dated = assertProblem(agency.post(id, new JsonObject().put("eventId", "cal-dated-" + id)
        .put("status", 2).put("at", at.toString()).put("dueDate", due)), 503, "calendar-not-loaded");
    assertThat(dated.getString("detail")).contains("nothing was recorded").doesNotContain(due);
    assertThat(agency.status(id)).isEqualTo(1);
    assertThat(agency.events(id)).isZero();
  }

  @Test
  void shouldExportTheDaysLeftUntilTheCalendarEnds() {
    long expected = ChronoUnit.DAYS.between(LocalDate.now(HCM), LocalDate.of(NEXT_YEAR, 12, 31));

    assertThat(gw.get("/metrics").bodyAsString()).contains("hub_calendar_days_left " + expected + ".0");
  }

}
