package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.TestServers;

/**
 * QA pass (timeliness): the statistics of dossiers driven through the real event API, not written by SQL. Each
 * dossier's appointment is the one the hub gave at acceptance or re-dated at a supplement's arrival; each is then
 * classified by AGENCY.md section 4 (processed by the local calendar date of NgayKetThucXuLy against NgayHenTra; open
 * 2/4 at the period's end; paused 5/6, stopped 8; withdrawn 7 split three ways), and the counts agree with
 * PostgreSQL's rows.
 */
class TimelinessFromEventsTest extends OneGatewayPerClass {
  /** Cấp Giấy xác nhận tình trạng hôn nhân: 3 working days, no cut-off. */
  private static final String THREE_DAYS = "1.004884";
  /** Đăng ký khai sinh: 1 working day, no cut-off. */
  private static final String ONE_DAY = AgencyEvents.BIRTH;
  private static final String AGENCY = AgencyEvents.AGENCY;

  private static AgencyEvents agency;
  private static final java.util.Map<String, String> IDS = new java.util.HashMap<>();

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("stats.cache-ms", "0"));
    agency = new AgencyEvents(gw);
    // every dossier of March: received Mon 2 Mar 08:00 and (but F, H) accepted at 09:00, due Thu 5 Mar
    IDS.put("A", inProcessing(THREE_DAYS, "2026-03-02"));
    step("A", 9, "2026-03-05T23:30:00+07:00");                       // the due date, late evening: on time
    IDS.put("B", inProcessing(THREE_DAYS, "2026-03-02"));
    step("B", 9, "2026-03-06T00:30:00+07:00");                       // Fri 00:30 local, Thu 17:30 UTC: overdue
    IDS.put("C", inProcessing(THREE_DAYS, "2026-03-02"));
    step("C", 9, "2026-03-04T10:00:00+07:00");                       // before
    IDS.put("D", inProcessing(THREE_DAYS, "2026-03-02"));
    step("D", 5, "2026-03-03T10:00:00+07:00");                       // Wed 4, Thu 5 remain
    step("D", 4, "2026-03-09T10:00:00+07:00");                       // re-dated: Wed 11 Mar
    step("D", 9, "2026-03-11T16:00:00+07:00");                       // on time against the re-dated date
    IDS.put("E", inProcessing(THREE_DAYS, "2026-03-02"));
    step("E", 5, "2026-03-03T10:00:00+07:00");
    step("E", 7, "2026-03-09T10:00:00+07:00");                       // withdrawn after the due date: overdue
    IDS.put("F", agency.dossierReceived(THREE_DAYS, "'2026-03-02T08:00:00+07:00'"));
    step("F", 7, "2026-03-03T10:00:00+07:00");                       // withdrawn before acceptance: on time
    IDS.put("G", inProcessing(THREE_DAYS, "2026-03-02"));
    step("G", 8, "2026-03-04T10:00:00+07:00");                       // stopped
    IDS.put("H", agency.dossierReceived(THREE_DAYS, "'2026-03-02T08:00:00+07:00'"));
    step("H", 3, "2026-03-02T09:00:00+07:00");                       // refused at intake: counted nowhere
    IDS.put("I", inProcessing(THREE_DAYS, "2026-03-02"));
    step("I", 9, "2026-03-05T10:00:00+07:00");                       // on time in March
    step("I", 10, "2026-04-02T10:00:00+07:00");                      // returned in April: not processed again
    IDS.put("J", inProcessing(THREE_DAYS, "2026-03-30"));            // due Thu 2 Apr: open in time at 31 Mar
    step("J", 9, "2026-04-03T10:00:00+07:00");                       // processed in April, overdue
    IDS.put("K", inProcessing(ONE_DAY, "2026-03-30"));               // due Tue 31 Mar: open, due within 24 h
    IDS.put("L", inProcessing(THREE_DAYS, "2026-03-02"));            // still 4 at the end: open overdue
    IDS.put("M", inProcessing(THREE_DAYS, "2026-03-02"));
    step("M", 5, "2026-03-03T10:00:00+07:00");                       // paused at the end, overdue
    IDS.put("N", inProcessing(THREE_DAYS, "2026-03-02"));
    step("N", 6, "2026-03-04T10:00:00+07:00");                       // awaiting payment at the end, overdue
    IDS.put("O", inProcessing(THREE_DAYS, "2026-03-30"));            // due Thu 2 Apr
    step("O", 6, "2026-03-31T10:00:00+07:00");                       // awaiting payment at the end, in time
    IDS.put("P", inProcessing(THREE_DAYS, "2026-03-02"));
    step("P", 8, "2026-03-06T00:30:00+07:00");                       // stopped Fri 00:30 local, Thu in UTC: overdue
  }

  @Test
  void shouldClassifyEveryTerminalAndOpenStatusOfAMonthAsAgencyMdSectionFour() {
    JsonObject march = stats("2026-03-01", "2026-03-31");

    assertThat(march.getJsonObject("processed").copy().put("shares", (Object) null)).isEqualTo(new JsonObject()
        .put("total", 5).put("beforeDeadline", 1).put("onTime", 3).put("overdue", 1).put("shares", (Object) null));
    assertThat(march.getJsonObject("open")).isEqualTo(new JsonObject().put("total", 3).put("inTime", 2)
        .put("overdue", 1).put("dueWithin24Hours", 1));
    JsonObject paused = march.getJsonObject("paused");
    assertThat(paused).isEqualTo(new JsonObject().put("supplement", 1).put("supplementOverdue", 1)
        .put("payment", 2).put("paymentOverdue", 1).put("stopped", 2).put("stoppedOverdue", 1));
    assertThat(march.getLong("withdrawn")).isEqualTo(2);
    assertThat(march.getJsonObject("withdrawnByDeadline")).isEqualTo(new JsonObject().put("beforeDeadline", 0)
        .put("onTime", 1).put("overdue", 1));
    // the processed count is PostgreSQL's: status 9 or 10, processing ended on a March date in Vietnam
    assertThat(sqlCount("status IN (9, 10) AND (processed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date "
        + "BETWEEN '2026-03-01' AND '2026-03-31'")).isEqualTo(5);
    assertThat(sqlCount("status IN (9, 10) AND (processed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date "
        + "> due_date AND (processed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= '2026-03-31'")).isEqualTo(1);
    // the paused counts are PostgreSQL's too: awaiting payment past the appointment at the end; stopped on a March
    // date in Vietnam after the appointment (none of these dossiers moved after March)
    assertThat(sqlCount("status = 6 AND due_date < '2026-03-31'")).isEqualTo(paused.getLong("paymentOverdue"));
    assertThat(sqlCount("status = 8 AND (status_changed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date "
        + "BETWEEN '2026-03-01' AND '2026-03-31' AND (status_changed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date "
        + "> due_date")).isEqualTo(paused.getLong("stoppedOverdue"));
  }

  /**
   * A stop (8) may end a wait for a supplement (5) or a payment (6): the citizen never brought it or never paid. A stop
   * that directly follows a supplement request is judged by the local date of that request against the appointment
   * (README "Timeliness statistics", paused): while a dossier waits for a supplement the agency's clock stands (the
   * arrival would give back the working days left at the request), so the citizen's delay is not the agency's; it is
   * overdue only when the request itself came after the appointment. Every other stop (after a payment request, whose
   * wait the clock runs through, or after a 4) is judged by its own date, as a withdrawal is. No stop moves the
   * appointment. Another agency's dossiers, so the month of the other tests keeps its figures.
   *
   * <p>Each dossier is received Mon 2 Mar 08:00, accepted 09:00, due Thu 5 Mar; every event at 10:00. By hand:
   * <ol>
   *   <li>5 on 3 Mar, 8 on 9 Mar: the request (3 Mar) is before the appointment: in time (by the stop's date it
   *   would be overdue);</li>
   *   <li>6 on 5 Mar, 8 on 9 Mar: after a payment request, the stop's date: overdue;</li>
   *   <li>6 on 6 Mar, 8 on 9 Mar: overdue;</li>
   *   <li>5 on 3 Mar, 8 on 4 Mar: in time either way;</li>
   *   <li>8 from 4 on 9 Mar: overdue;</li>
   *   <li>8 from 4 on 4 Mar: in time;</li>
   *   <li>5 on 5 Mar (the appointment day), 8 on 9 Mar: the request is not after the appointment: in time;</li>
   *   <li>5 on 6 Mar, 8 on 9 Mar: the request came after the appointment: still overdue;</li>
   *   <li>5 on 3 Mar, supplement received (4) on Mon 9 Mar, which re-dates the dossier to Wed 11 Mar (Wed 4 and Thu 5
   *   remained at the request), 8 on 12 Mar: the stop follows a 4, so its own date against the re-dated appointment:
   *   overdue (by the old request's date it would not be).</li>
   * </ol>
   * stopped 9, stoppedOverdue 5 (2, 3, 5, 8, 9); the stop's date alone would make 7 overdue (1 and 7 too).
   */
  @Test
  void shouldJudgeAStopThatEndsASupplementWaitByTheDateOfTheRequestAndEveryOtherStopByItsOwnDate() {
    String stopper = "000.00.03.H99";
    Map<String, List<String>> steps = new java.util.LinkedHashMap<>();
    steps.put("supplement asked before the appointment, stop after it", List.of("5 2026-03-03", "8 2026-03-09"));
    steps.put("payment asked on the appointment, stop after it", List.of("6 2026-03-05", "8 2026-03-09"));
    steps.put("payment asked after the appointment", List.of("6 2026-03-06", "8 2026-03-09"));
    steps.put("supplement asked and stop before the appointment", List.of("5 2026-03-03", "8 2026-03-04"));
    steps.put("from 4, after the appointment", List.of("8 2026-03-09"));
    steps.put("from 4, before it", List.of("8 2026-03-04"));
    steps.put("supplement asked on the appointment, stop after it", List.of("5 2026-03-05", "8 2026-03-09"));
    steps.put("supplement asked after the appointment", List.of("5 2026-03-06", "8 2026-03-09"));
    steps.put("supplement received, stop after the new appointment",
        List.of("5 2026-03-03", "4 2026-03-09", "8 2026-03-12"));
    for (List<String> each : steps.values()) {
      String id = inProcessing(THREE_DAYS, stopper, "2026-03-02");
      for (String step : each) {
        HttpResponse<Buffer> answer = agency.post(id, event(id, Integer.parseInt(step.substring(0, 1)),
            step.substring(2) + "T10:00:00+07:00"));
        assertThat(answer.statusCode()).as(step + ": " + answer.bodyAsString()).isEqualTo(201);
      }
    }

    JsonObject march = gw.get("/v1/stats/timeliness?agency=" + stopper + "&from=2026-03-01&to=2026-03-31")
        .bodyAsJsonObject();

    assertThat(march.getJsonObject("paused")).isEqualTo(new JsonObject().put("supplement", 0)
        .put("supplementOverdue", 0).put("payment", 0).put("paymentOverdue", 0).put("stopped", 9)
        .put("stoppedOverdue", 5));
    assertThat(march.getJsonObject("open").getLong("total")).isZero();
    String stops = "SELECT count(*) FROM dossier WHERE handling_agency = '" + stopper + "' AND status = 8 AND ";
    assertThat(TestServers.queryLong(gw.config.postgres().url(), stops + "due_date = '2026-03-05'"))
        .as("no stop re-dated its dossier; only the received supplement did").isEqualTo(8);
    assertThat(TestServers.queryLong(gw.config.postgres().url(), stops + "due_date = '2026-03-11'")).isEqualTo(1);
    assertThat(TestServers.queryLong(gw.config.postgres().url(), stops
        + "(status_changed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date > due_date"))
        .as("the stop's date alone").isEqualTo(7);
  }

  @Test
  void shouldKeepAPublishedMonthWhenTheNextMonthsEventsArriveAndCountThemThere() {
    JsonObject before = stats("2026-03-01", "2026-03-31");
    // K finishes at the first second of April (local), which is still 31 March in UTC
    step("K", 9, "2026-04-01T00:00:00+07:00");

    assertThat(stats("2026-03-01", "2026-03-31")).isEqualTo(before);
    JsonObject april = stats("2026-04-01", "2026-04-30");
    assertThat(april.getJsonObject("processed").getLong("total")).as(april.encode()).isEqualTo(2);
    assertThat(april.getJsonObject("processed").getLong("overdue")).as("J due 2 Apr, K due 31 Mar").isEqualTo(2);
    assertThat(april.getJsonObject("open")).isEqualTo(new JsonObject().put("total", 1).put("inTime", 0)
        .put("overdue", 1).put("dueWithin24Hours", 0));
    assertThat(april.getLong("withdrawn")).isZero();
    assertThat(april.getJsonObject("paused").getLong("stopped")).isZero();
  }

  @Test
  void shouldShowTheCitizenTheAppointmentTheStatisticsJudged() {
    JsonObject view = gw.get("/v1/dossiers/" + IDS.get("D")).bodyAsJsonObject();

    assertThat(view.getJsonObject("status").getInteger("code")).isEqualTo(9);
    assertThat(view.getString("dueDate")).isEqualTo("2026-03-11").isEqualTo(dueDate("D"));
    JsonArray changes = view.getJsonArray("dueDateChanges");
    assertThat(changes).hasSize(2);
    assertThat(changes.getJsonObject(1).getString("previousDueDate")).isEqualTo("2026-03-05");
    JsonObject refused = gw.get("/v1/dossiers/" + IDS.get("H")).bodyAsJsonObject();
    assertThat(refused.getJsonObject("status").getInteger("code")).isEqualTo(3);
    assertThat(refused.getString("dueDate")).isNull();
  }

  /** A working Saturday is a due date (Sat 10 Jan 2026 repays Fri 2 Jan), and Tết and compensatory days are not. */
  @Test
  void shouldDateAcceptancesOnTheOfficialCalendar() {
    assertThat(acceptedOn(ONE_DAY, "2026-01-09T09:00:00+07:00")).isEqualTo("2026-01-10");
    assertThat(acceptedOn(ONE_DAY, "2026-01-02T09:00:00+07:00")).as("swapped day off").isEqualTo("2026-01-06");
    assertThat(acceptedOn(ONE_DAY, "2026-02-13T10:00:00+07:00")).as("Tết 14-22 Feb").isEqualTo("2026-02-23");
    assertThat(acceptedOn(ONE_DAY, "2026-02-13T17:30:00Z")).as("Sat 00:30 local").isEqualTo("2026-02-24");
    assertThat(acceptedOn(ONE_DAY, "2026-04-24T10:00:00+07:00")).as("Mon 27 Apr compensatory")
        .isEqualTo("2026-04-28");
    assertThat(acceptedOn(THREE_DAYS, "2026-04-28T10:00:00+07:00")).as("30 Apr, 1 May").isEqualTo("2026-05-05");
  }

  /**
   * AGENCY.md section 5 keeps "the procedure and calendar versions behind each deadline", and the README says the
   * calendar's version is stored with every due date: each event that set or re-dated the appointment carries the
   * version of the calendar files that dated (or checked) it, so the date can be reproduced after the files change.
   */
  @Test
  void shouldKeepTheCalendarVersionBehindEachAppointmentAnEventSet() {
    String version = gw.get("/v1/procedures/" + ONE_DAY + "/due-date?receivedAt=2026-03-02T09:00:00%2B07:00")
        .bodyAsJsonObject().getString("calendarVersion");
    String d = IDS.get("D");

    assertThat(TestServers.queryString(gw.config.postgres().url(), "SELECT string_agg(status || ':' || "
        + "COALESCE(calendar_version, '-'), ' ' ORDER BY seq) FROM dossier_event WHERE dossier_id = '" + d + "'"))
        .as("2 and the arriving 4 dated the dossier; 4, 5 and 9 did not")
        .isEqualTo("2:" + version + " 4:- 5:- 4:" + version + " 9:-");
  }

  private static String acceptedOn(String procedure, String at) {
    // another agency: these acceptances stay open, outside the month the other tests count
    String id = agency.dossierReceived(procedure, "000.00.02.H99", "'" + at + "'::timestamptz - interval '1 hour'");
    HttpResponse<Buffer> accepted = agency.post(id, event(id, 2, at));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
    return accepted.bodyAsJsonObject().getString("dueDate");
  }

  private static String inProcessing(String procedure, String day) {
    return inProcessing(procedure, AGENCY, day);
  }

  private static String inProcessing(String procedure, String handlingAgency, String day) {
    String id = agency.dossierReceived(procedure, handlingAgency, "'" + day + "T08:00:00+07:00'");
    HttpResponse<Buffer> accepted = agency.post(id, event(id, 2, day + "T09:00:00+07:00"));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
    HttpResponse<Buffer> processing = agency.post(id, event(id, 4, day + "T09:30:00+07:00"));
    assertThat(processing.statusCode()).as(processing.bodyAsString()).isEqualTo(201);
    return id;
  }

  private static void step(String name, int status, String at) {
    String id = IDS.get(name);
    JsonObject event = event(id, status, at);
    if (status == 9) {
      event.put("result", new JsonArray().add(new JsonObject().put("name", "Kết quả").put("documentId", "kq-" + name)
          .put("uri", "https://example.vn/kq/" + name)));
    }
    HttpResponse<Buffer> answer = agency.post(id, event);
    assertThat(answer.statusCode()).as(name + " " + status + ": " + answer.bodyAsString()).isEqualTo(201);
  }

  private static JsonObject event(String id, int status, String at) {
    return new JsonObject().put("eventId", "qa-" + status + "-" + at.replace(':', '.').replace('+', 'p') + "-" + id)
        .put("status", status).put("at", at);
  }

  private static JsonObject stats(String from, String to) {
    HttpResponse<Buffer> answer = gw.get("/v1/stats/timeliness?agency=" + AGENCY + "&from=" + from + "&to=" + to);
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    return answer.bodyAsJsonObject();
  }

  private static long sqlCount(String where) {
    return TestServers.queryLong(gw.config.postgres().url(),
        "SELECT count(*) FROM dossier WHERE handling_agency = '" + AGENCY + "' AND " + where);
  }

  private static String dueDate(String name) {
    return TestServers.queryString(gw.config.postgres().url(),
        "SELECT due_date::text FROM dossier WHERE id = '" + IDS.get(name) + "'");
  }
}
