package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TestServers;

/**
 * A gateway whose official calendar does not cover today, as when a process keeps running past the last loaded
 * year. Without touching the clock: it loads next year only (the configuration requires the last year to be at
 * least next year, not the first one to be this year), so today's due dates cannot be computed. Nothing may be
 * accepted without its due date, and the client cannot fix it: 503 calendar-not-loaded, never a 500.
 */
class CalendarEndTest extends OneGatewayPerClass {
  private static final ZoneId HCM = ZoneId.of("Asia/Ho_Chi_Minh");
  private static final String BIRTH = "1.001612.000.00.00.H48";
  /** Covered by the development agency client ("*"), and by no other test's agency filters. */
  private static final String AGENCY = "000.00.01.H99";
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
    String id = UUID.randomUUID().toString();
    TestServers.execute(gw.config.postgres().url(), "INSERT INTO dossier (id, code, client_id, procedure_code, "
        + "receiving_unit, handling_agency, channel, applicant_type, payload, received_at, stream_entry_id) VALUES ('"
        + id + "', 'calendar-end-" + id + "', 'portal-web', '" + BIRTH + "', '" + AGENCY + "', '" + AGENCY
        + "', 'online', 'citizen', '{}', now() - interval '1 hour', '1-0')");
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    // closed with the fixture's Vert.x
    WebClient agency = agencyClient();
    HttpResponse<Buffer> refused = event(agency, id, new JsonObject().put("eventId", "cal-" + id).put("status", 2)
        .put("at", at.toString()));

    JsonObject problem = assertProblem(refused, 503, "calendar-not-loaded");
    assertThat(refused.getHeader("Retry-After")).isEqualTo("3600");
    assertThat(problem.getString("detail")).contains("nothing was recorded").contains("dueDate");
    assertThat(status(id)).isEqualTo(1);
    assertThat(TestServers.queryLong(gw.config.postgres().url(),
        "SELECT count(*) FROM dossier_event WHERE dossier_id = '" + id + "'")).isZero();

    // the agency can give the appointment itself: nothing to compute then
    String due = LocalDate.ofInstant(at, HCM).plusDays(1).toString();
    HttpResponse<Buffer> dated = event(agency, id, new JsonObject().put("eventId", "cal-dated-" + id)
        .put("status", 2).put("at", at.toString()).put("dueDate", due));
    assertThat(dated.statusCode()).as(dated.bodyAsString()).isEqualTo(201);
    assertThat(dated.bodyAsJsonObject().getString("dueDate")).isEqualTo(due);
  }

  @Test
  void shouldExportTheDaysLeftUntilTheCalendarEnds() {
    long expected = ChronoUnit.DAYS.between(LocalDate.now(HCM), LocalDate.of(NEXT_YEAR, 12, 31));

    assertThat(gw.get("/metrics").bodyAsString()).contains("hub_calendar_days_left " + expected + ".0");
  }

  /** The development agency system's key (config/clients.json), every exchange checked against the contract. */
  private static WebClient agencyClient() {
    return ContractCheck.get().validating(WebClientSession.create(WebClient.create(gw.vertx,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port), new PoolOptions()))
        .addHeader("X-Api-Key", "dev-agency-key"));
  }

  private static HttpResponse<Buffer> event(WebClient agency, String id, JsonObject event) {
    return agency.post("/v1/dossiers/" + id + "/events").putHeader("Content-Type", "application/json")
        .sendBuffer(event.toBuffer()).await();
  }

  private static long status(String id) {
    return TestServers.queryLong(gw.config.postgres().url(), "SELECT status FROM dossier WHERE id = '" + id + "'");
  }
}
