package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The procedure catalogue and due dates as a portal's procedure pages read them, on the official calendar. */
class ProcedureApiTest extends OneGatewayPerClass {
  private static final String BIRTH = "1.001612.000.00.00.H48";          // 1 working day
  private static final String CERTIFIED_COPY = "2.000815.000.00.00.H48"; // same day, cut-off 15:00

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldListTheCatalogueWithWhatEachProcedureNeeds() {
    HttpResponse<Buffer> response = gw.get("/v1/procedures");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(response.getHeader("Cache-Control")).isEqualTo("private, max-age=300");
    assertThat(response.getHeader("Vary")).isEqualToIgnoringCase("Origin");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("version")).isEqualTo("2026-11-01");
    JsonArray items = body.getJsonArray("items");
    assertThat(items).hasSize(35);
    JsonObject birth = items.getJsonObject(0);
    assertThat(birth.getString("code")).isEqualTo(BIRTH);
    assertThat(birth.getString("name")).isEqualTo("Đăng ký khai sinh");
    assertThat(birth.getInteger("processingDays")).isEqualTo(1);
    assertThat(birth.getJsonArray("channels")).containsExactly("counter", "online", "postal");
    assertThat(birth.getJsonArray("requiredFields")).contains("childFullName");
    assertThat(birth.getInteger("requiredAttachments")).isEqualTo(1);
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldServeOneProcedureAndA404ForAnUnknownCode() {
    JsonObject copy = gw.get("/v1/procedures/" + CERTIFIED_COPY).bodyAsJsonObject();

    assertThat(copy.getInteger("processingDays")).isZero();
    assertThat(copy.getString("cutOff")).isEqualTo("15:00");
    assertProblem(gw.get("/v1/procedures/9.999999"), 404, "not-found");
    assertProblem(gw.get("/v1/procedures/9.999999/due-date"), 404, "not-found");
  }

  @Test
  void shouldCountTetAndTheJanuarySwapOnTheOfficialCalendar() {
    // received Fri 13 Feb 2026, the last working day before Tết (Sat 14 - Sun 22 Feb): due Mon 23 Feb
    assertThat(due(BIRTH, "2026-02-13T10:00:00+07:00").getString("dueDate")).isEqualTo("2026-02-23");
    // received Wed 31 Dec 2025: Thu 1 - Sun 4 Jan off (Fri 2 Jan swapped): due Mon 5 Jan
    assertThat(due(BIRTH, "2025-12-31T10:00:00+07:00").getString("dueDate")).isEqualTo("2026-01-05");
    // received Fri 9 Jan 2026: Saturday 10 Jan is worked in exchange, so it is the next working day
    JsonObject swap = due(BIRTH, "2026-01-09T10:00:00+07:00");
    assertThat(swap.getString("dueDate")).isEqualTo("2026-01-10");
    assertThat(swap.getBoolean("provisional")).isFalse();
    assertThat(swap.getString("calendarVersion")).startsWith("vn-2025-2028@");
    // the offset decides the local day: 23:30 UTC on Thu 12 Feb is Fri 13 Feb 06:30 in Hà Nội
    assertThat(due(BIRTH, "2026-02-12T23:30:00Z").getString("countedFrom")).isEqualTo("2026-02-13");
  }

  @Test
  void shouldCountFromTheNextWorkingDayAfterTheCutOff() {
    assertThat(due(CERTIFIED_COPY, "2026-03-10T14:59:00+07:00").getString("dueDate")).isEqualTo("2026-03-10");
    assertThat(due(CERTIFIED_COPY, "2026-03-10T15:01:00+07:00").getString("dueDate")).isEqualTo("2026-03-11");
    // Friday after the cut-off: the weekend is skipped
    assertThat(due(CERTIFIED_COPY, "2026-03-13T16:00:00+07:00").getString("dueDate")).isEqualTo("2026-03-16");
  }

  @Test
  void shouldRefuseATimestampWithoutOffsetOrUnreadable() {
    assertProblem(gw.getRaw("/v1/procedures/" + BIRTH + "/due-date?receivedAt=2026-02-13T10:00:00"), 400,
        "malformed-request");
    assertProblem(gw.getRaw("/v1/procedures/" + BIRTH + "/due-date?receivedAt=yesterday"), 400, "malformed-request");
    // a timestamp java.time reads but cannot count days with (security tryout: it was a 500 with a stack trace)
    assertProblem(gw.getRaw("/v1/procedures/" + BIRTH + "/due-date?receivedAt=%2B999999999-12-31T23:59:59Z"), 400,
        "malformed-request");
  }

  /**
   * The offset's '+' written into the URL as it is (the detail's own example pasted, a date library's local time):
   * a query string reads it as a space (frontend tryout), so the 400 says to write it as %2B rather than repeat the
   * example the caller believes it sent.
   */
  @Test
  void shouldSayToEncodeThePlusOfAnOffsetTheQueryStringReadAsASpace() {
    JsonObject problem = assertProblem(gw.getRaw("/v1/procedures/" + BIRTH
        + "/due-date?receivedAt=2026-02-13T14:30:00+07:00"), 400, "malformed-request");

    assertThat(problem.getString("detail")).isEqualTo("receivedAt must be an ISO-8601 timestamp with its offset, "
        + "e.g. 2026-02-13T14:30:00+07:00; in a query string a '+' reads as a space: write the offset's + as %2B");
    // and as encoded, the same instant is read
    assertThat(due(BIRTH, "2026-02-13T14:30:00+07:00").getString("receivedAt")).isEqualTo("2026-02-13T07:30:00Z");
  }

  @Test
  void shouldAnswer422NamingTheCoveredYearsWhenTheCalendarCannotGiveTheDueDate() {
    // after the loaded years (2025-2028), before them, and inside the last one with the count running past it
    for (String receivedAt : new String[] {"2035-01-01T10:00:00+07:00", "2024-12-31T10:00:00+07:00",
        "2028-12-31T10:00:00+07:00"}) {
      HttpResponse<Buffer> response = gw.get("/v1/procedures/" + BIRTH + "/due-date?receivedAt="
          + URLEncoder.encode(receivedAt, StandardCharsets.UTF_8));

      JsonObject problem = assertProblem(response, 422, "calendar-not-covered");
      assertThat(problem.getString("title")).isEqualTo("Date outside the official calendar");
      assertThat(problem.getString("detail")).as(receivedAt)
          .contains("covers 2025-2028 only").contains("no due date can be computed")
          .doesNotContain(receivedAt.substring(0, 10));
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldGiveTheReceiptTheDueDateTheCatalogueAnnounces() {
    JsonObject receipt = gw.post(GatewayFixture.birthRegistration().encode()).bodyAsJsonObject();

    JsonObject announced = due(BIRTH, receipt.getString("receivedAt"));
    assertThat(receipt.getString("expectedResultBy")).isEqualTo(announced.getString("dueDate"));
    assertThat(announced.getBoolean("active")).isTrue();
  }

  /**
   * Without receivedAt the date is a receipt's now: its time written as a receipt's is, to the millisecond. It was the
   * clock's nanoseconds ("2026-12-06T07:32:12.740335592Z"), which a mobile app's parser of the receipts' form refuses
   * (frontend QA, 2026-12-06).
   */
  @Test
  void shouldDateNowToTheMillisecondAsAReceiptDoes() {
    HttpResponse<Buffer> response = gw.get("/v1/procedures/" + BIRTH + "/due-date");

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("receivedAt"))
        .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?Z");
  }

  @Test
  void shouldSayWhenTheProcedureIsNoLongerInForce() {
    String inactive = "1.003191.000.00.00.H48";   // "active": false in config/procedures.json
    assertThat(due(inactive, "2026-11-23T10:00:00+07:00").getBoolean("active")).isFalse();
    JsonObject refused = assertProblem(gw.post(GatewayFixture.birthRegistration().put("procedureCode", inactive)
        .encode()), 422, "invalid-dossier");
    assertThat(refused.encode()).contains("is no longer in force");
  }

  private static JsonObject due(String procedure, String receivedAt) {
    HttpResponse<Buffer> response = gw.get("/v1/procedures/" + procedure + "/due-date?receivedAt="
        + URLEncoder.encode(receivedAt, StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("procedureCode")).isEqualTo(procedure);
    return body;
  }
}
