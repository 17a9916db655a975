package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.infra.Digests;
import vn.onewindow.common.testing.TestServers;

/**
 * The appointment date an event may carry (QA pass of agency progress events): a supplement re-dates the dossier
 * when it arrives (the 4 that follows a 5), with the agency's date or, without one, the working days that remained
 * when it was requested counted after the arrival; and every date taken is a working day of the official calendar,
 * not before the event's own day and, at acceptance, not after the statutory date. A refusal records nothing.
 */
class DueDateEventTest extends OneGatewayPerClass {
  /** Cấp Giấy xác nhận tình trạng hôn nhân: 3 working days, no cut-off. */
  private static final String THREE_DAYS = "1.004884";
  /** Chứng thực bản sao từ bản chính: same day (0 working days), cut-off 15:00. */
  private static final String SAME_DAY_CUT_OFF = "2.000815.000.00.00.H48";

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldRedateOnTheSupplementsArrivalFromTheWorkingDaysThatRemained() {
    AgencyEvents agency = new AgencyEvents(gw);
    // accepted Mon 2 Mar 2026: due Thu 5 Mar; supplement requested Tue 3 Mar without a date (Wed 4, Thu 5 remain)
    String id = inProcessing(agency, "2026-03-02");
    HttpResponse<Buffer> requested = agency.post(id, event(id, "5", 5, "2026-03-03T10:00:00+07:00"));
    assertThat(requested.statusCode()).as(requested.bodyAsString()).isEqualTo(201);
    assertThat(requested.bodyAsJsonObject().getString("dueDate")).as("unchanged until it arrives")
        .isEqualTo("2026-03-05");

    // arrives Sat 7 Mar: counted after Mon 9 Mar, the two remaining days give Wed 11 Mar
    HttpResponse<Buffer> arrived = agency.post(id, event(id, "4b", 4, "2026-03-07T10:00:00+07:00"));

    assertThat(arrived.statusCode()).as(arrived.bodyAsString()).isEqualTo(201);
    assertThat(arrived.bodyAsJsonObject().getString("dueDate")).isEqualTo("2026-03-11");
    assertThat(dueDate(id)).isEqualTo("2026-03-11");
    assertThat(TestServers.queryLong(gw.config.postgres().url(), "SELECT count(*) FROM dossier_event WHERE "
        + "dossier_id = '" + id + "' AND status = 4 AND due_date = '2026-03-11' AND previous_due_date = '2026-03-05'"))
        .isEqualTo(1);
    assertThat(changes(id)).containsExactly("2 acceptance: null->2026-03-05",
        "4 supplement-received: 2026-03-05->2026-03-11");
    // a retry is the same event: the same answer, nothing re-dated again
    HttpResponse<Buffer> retry = agency.post(id, event(id, "4b", 4, "2026-03-07T10:00:00+07:00"));
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(retry.bodyAsJsonObject()).isEqualTo(arrived.bodyAsJsonObject());
  }

  @Test
  void shouldTakeTheAgencysNewDateWhenTheSupplementArrives() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = inProcessing(agency, "2026-03-02");
    // the QA repro: a 5 with a date, then the 4 of the arrival with the agency's new date (NgayHenTraMoi); each no
    // later than the three working days counted from its own event (Tue 3 Mar: Fri 6; Fri 6 Mar: Wed 11)
    assertThat(agency.post(id, event(id, "5", 5, "2026-03-03T10:00:00+07:00").put("dueDate", "2026-03-06"))
        .statusCode()).isEqualTo(201);

    HttpResponse<Buffer> arrived = agency.post(id, event(id, "4b", 4, "2026-03-06T10:00:00+07:00")
        .put("dueDate", "2026-03-11"));

    assertThat(arrived.statusCode()).as(arrived.bodyAsString()).isEqualTo(201);
    assertThat(arrived.bodyAsJsonObject().getString("dueDate")).isEqualTo("2026-03-11");
    assertThat(changes(id)).containsExactly("2 acceptance: null->2026-03-05",
        "5 supplement-requested: 2026-03-05->2026-03-06", "4 supplement-received: 2026-03-06->2026-03-11");
  }

  @Test
  void shouldKeepTheDateOfASupplementRequestThatCarriedOne() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = inProcessing(agency, "2026-03-02");
    assertThat(agency.post(id, event(id, "5", 5, "2026-03-03T10:00:00+07:00").put("dueDate", "2026-03-06"))
        .statusCode()).isEqualTo(201);

    // as before this rule: the agency re-dated at the request, the arrival without a date keeps it
    HttpResponse<Buffer> arrived = agency.post(id, event(id, "4b", 4, "2026-03-04T10:00:00+07:00"));

    assertThat(arrived.bodyAsJsonObject().getString("dueDate")).isEqualTo("2026-03-06");
    assertThat(changes(id)).containsExactly("2 acceptance: null->2026-03-05",
        "5 supplement-requested: 2026-03-05->2026-03-06");
  }

  @Test
  void shouldDateADossierRequestedOnItsDueDateOnTheFirstWorkingDayFromTheArrivalOnAHoliday() {
    AgencyEvents agency = new AgencyEvents(gw);
    // due Thu 5 Mar, supplement requested that day (no day remains), arrives Thu 30 Apr (a holiday)
    String id = inProcessing(agency, "2026-03-02");
    assertThat(agency.post(id, event(id, "5", 5, "2026-03-05T10:00:00+07:00")).statusCode()).isEqualTo(201);

    HttpResponse<Buffer> arrived = agency.post(id, event(id, "4b", 4, "2026-04-30T10:00:00+07:00"));

    // 30 Apr, 1 May and the weekend are off: Mon 4 May
    assertThat(arrived.bodyAsJsonObject().getString("dueDate")).as(arrived.bodyAsString()).isEqualTo("2026-05-04");
  }

  @Test
  void shouldKeepAnOverdueDossierOverdueThroughASupplementRequestedAfterItsDueDate() {
    AgencyEvents agency = new AgencyEvents(gw);
    // the tryout's repro: due Thu 5 Mar, a supplement requested Fri 6 Mar (overdue) and "received" a minute later,
    // then decided: re-dated to Fri 6 Mar it would have counted on time
    String id = inProcessing(agency, "2026-03-02");
    HttpResponse<Buffer> requested = agency.post(id, event(id, "5", 5, "2026-03-06T10:00:00+07:00"));
    assertThat(requested.statusCode()).as(requested.bodyAsString()).isEqualTo(201);

    HttpResponse<Buffer> arrived = agency.post(id, event(id, "4b", 4, "2026-03-06T10:01:00+07:00"));

    assertThat(arrived.statusCode()).as(arrived.bodyAsString()).isEqualTo(201);
    assertThat(arrived.bodyAsJsonObject().getString("dueDate")).isEqualTo("2026-03-05");
    assertThat(dueDate(id)).isEqualTo("2026-03-05");
    assertThat(changes(id)).containsExactly("2 acceptance: null->2026-03-05");
    HttpResponse<Buffer> decided = agency.post(id, event(id, "9", 9, "2026-03-06T10:02:00+07:00")
        .put("result", new JsonArray().add(new JsonObject().put("name", "KQ").put("documentId", "D1"))));
    assertThat(decided.statusCode()).as(decided.bodyAsString()).isEqualTo(201);
    assertThat(decided.bodyAsJsonObject().getString("dueDate")).as("ended a day after it: overdue")
        .isEqualTo("2026-03-05");
  }

  @Test
  void shouldRefuseADateWithASupplementRequestedAfterTheDueDateOrWithItsArrival() {
    AgencyEvents agency = new AgencyEvents(gw);
    // due Thu 5 Mar; 17:30 UTC on Thu 5 Mar is already Fri 6 Mar in Hà Nội
    String id = inProcessing(agency, "2026-03-02");
    JsonObject atRequest = assertProblem(agency.post(id, event(id, "5-dated", 5, "2026-03-05T17:30:00Z")
        .put("dueDate", "2026-03-09")), 422, "invalid-event");
    assertThat(detail(atRequest)).contains("2026-03-05").contains("2026-03-06").contains("overdue")
        .contains("without a dueDate");
    assertNothingRecorded(agency, id, 4, "2026-03-05", 2);
    assertThat(agency.post(id, event(id, "5", 5, "2026-03-05T17:30:00Z")).statusCode()).isEqualTo(201);

    JsonObject atArrival = assertProblem(agency.post(id, event(id, "4-dated", 4, "2026-03-09T10:00:00+07:00")
        .put("dueDate", "2026-03-12")), 422, "invalid-event");

    assertThat(detail(atArrival)).contains("2026-03-05").contains("2026-03-06").contains("overdue");
    assertNothingRecorded(agency, id, 5, "2026-03-05", 3);
  }

  @Test
  void shouldNotRedateAnArrivalBeyondTheStatutoryDateItWouldRefuseFromTheAgency() {
    AgencyEvents agency = new AgencyEvents(gw);
    // the same-day certified copy (0 working days, cut-off 15:00): accepted Wed 11 Mar 2026 at 15:00:01, due Thu 12
    String id = agency.dossierReceived(SAME_DAY_CUT_OFF, "'2026-03-11T14:50:00+07:00'");
    HttpResponse<Buffer> accepted = agency.post(id, event(id, "2", 2, "2026-03-11T15:00:01+07:00"));
    assertThat(accepted.bodyAsJsonObject().getString("dueDate")).as(accepted.bodyAsString()).isEqualTo("2026-03-12");
    assertThat(agency.post(id, event(id, "4", 4, "2026-03-11T15:10:00+07:00")).statusCode()).isEqualTo(201);
    // a supplement requested that evening, before the day the count started: Thu 12 still lies after it
    assertThat(agency.post(id, event(id, "5", 5, "2026-03-11T15:30:00+07:00")).statusCode()).isEqualTo(201);
    // the supplement arrives Thu 12 at 10:00: the agency may not send Fri 13, the statutory date of a dossier
    // received then being Thu 12 (a supplement restarts the count at most)
    assertProblem(agency.post(id, event(id, "4-fri", 4, "2026-03-12T10:00:00+07:00").put("dueDate", "2026-03-13")),
        422, "invalid-event");

    HttpResponse<Buffer> arrived = agency.post(id, event(id, "4b", 4, "2026-03-12T10:00:00+07:00"));

    // nor may the hub's own re-dating give it (README: "the days that remained never exceed the statutory ones")
    assertThat(arrived.statusCode()).as(arrived.bodyAsString()).isEqualTo(201);
    assertThat(arrived.bodyAsJsonObject().getString("dueDate")).isEqualTo("2026-03-12");
    assertThat(dueDate(id)).isEqualTo("2026-03-12");
  }

  @Test
  void shouldRefuseADueDateWithAFourThatDoesNotFollowASupplementRequest() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = agency.dossierReceived(THREE_DAYS, "'2026-03-02T08:00:00+07:00'");
    assertThat(agency.post(id, event(id, "2", 2, "2026-03-02T09:00:00+07:00")).statusCode()).isEqualTo(201);

    JsonObject problem = assertProblem(agency.post(id, event(id, "4", 4, "2026-03-02T09:30:00+07:00")
        .put("dueDate", "2026-03-05")), 422, "invalid-event");

    assertThat(detail(problem)).contains("follows 5").contains("not after 2");
    assertNothingRecorded(agency, id, 2, "2026-03-05", 1);
  }

  @Test
  void shouldRefuseDatesOnClosedDays() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = inProcessing(agency, "2026-03-02");
    Map<String, String> closed = Map.of("2026-03-08", "Sunday", "2026-04-30", "Reunification Day",
        "2026-03-14", "Saturday", "2027-01-01", "New Year's Day");
    closed.forEach((date, why) -> {
      JsonObject problem = assertProblem(agency.post(id, event(id, "5-" + date, 5, "2026-03-03T10:00:00+07:00")
          .put("dueDate", date)), 422, "invalid-event");
      assertThat(detail(problem)).contains(date).contains("not a working day").contains(why);
    });
    assertNothingRecorded(agency, id, 4, "2026-03-05", 2);
    // Tết 2027, with an acceptance of a 30-day procedure
    String fresh = agency.dossierReceived("1.004227.000.00.00.H48", "'2026-12-01T08:00:00+07:00'");
    JsonObject tet = assertProblem(agency.post(fresh, event(fresh, "2", 2, "2026-12-01T09:00:00+07:00")
        .put("dueDate", "2027-02-08")), 422, "invalid-event");
    assertThat(detail(tet)).contains("2027-02-08").contains("Tết");
    assertNothingRecorded(agency, fresh, 1, null, 0);
  }

  @Test
  void shouldRefuseADateBeforeTheEventsOwnDay() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = inProcessing(agency, "2026-03-02");

    // a supplement request on Wed 4 Mar moving the date back to Tue 3 Mar; 01:00 on Wed 4 Mar in Hà Nội is still
    // Tue 3 Mar in UTC: the dossier's zone decides
    JsonObject problem = assertProblem(agency.post(id, event(id, "5", 5, "2026-03-03T18:00:00Z")
        .put("dueDate", "2026-03-03")), 422, "invalid-event");

    assertThat(detail(problem)).contains("before the event's own day").contains("2026-03-04");
    assertNothingRecorded(agency, id, 4, "2026-03-05", 2);
  }

  @Test
  void shouldRefuseAnAppointmentLaterThanTheStatutoryDateAndTakeItOrAnEarlierOne() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = agency.dossierReceived(THREE_DAYS, "'2026-03-02T08:00:00+07:00'");

    // 3 working days from Mon 2 Mar: Thu 5 Mar; two months out is refused, naming that date
    JsonObject far = assertProblem(agency.post(id, event(id, "2-far", 2, "2026-03-02T09:00:00+07:00")
        .put("dueDate", "2026-05-04")), 422, "invalid-event");
    assertThat(detail(far)).contains("2026-05-04").contains("later than").contains("2026-03-05");
    JsonObject dayAfter = assertProblem(agency.post(id, event(id, "2-fri", 2, "2026-03-02T09:00:00+07:00")
        .put("dueDate", "2026-03-06")), 422, "invalid-event");
    assertThat(detail(dayAfter)).contains("2026-03-05");
    assertNothingRecorded(agency, id, 1, null, 0);

    HttpResponse<Buffer> statutory = agency.post(id, event(id, "2", 2, "2026-03-02T09:00:00+07:00")
        .put("dueDate", "2026-03-05"));
    assertThat(statutory.statusCode()).as(statutory.bodyAsString()).isEqualTo(201);
    String earlier = agency.dossierReceived(THREE_DAYS, "'2026-03-02T08:00:00+07:00'");
    assertThat(agency.post(earlier, event(earlier, "2", 2, "2026-03-02T09:00:00+07:00").put("dueDate", "2026-03-03"))
        .statusCode()).as("sooner than the law requires").isEqualTo(201);
  }

  @Test
  void shouldRefuseASupplementsDateLaterThanTheStatutoryDateCountedFromItsEvent() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = inProcessing(agency, "2026-03-02");

    // a supplement request on Tue 3 Mar may restart the three days at most (Fri 6 Mar), not push the date to
    // December: the dossier would sit paused "in time" and be ranked before its deadline for good
    JsonObject far = assertProblem(agency.post(id, event(id, "5-far", 5, "2026-03-03T10:00:00+07:00")
        .put("dueDate", "2026-12-31")), 422, "invalid-event");
    assertThat(detail(far)).contains("2026-12-31").contains("later than").contains("2026-03-06")
        .contains("supplement request");
    assertNothingRecorded(agency, id, 4, "2026-03-05", 2);
    assertThat(agency.post(id, event(id, "5", 5, "2026-03-03T10:00:00+07:00").put("dueDate", "2026-03-06"))
        .statusCode()).isEqualTo(201);

    // its arrival on Mon 9 Mar at 23:30 (16:30 UTC, still Mon 9 in Hà Nội): Tue 10, Wed 11, Thu 12 at most
    JsonObject farArrival = assertProblem(agency.post(id, event(id, "4-far", 4, "2026-03-09T16:30:00Z")
        .put("dueDate", "2027-06-01")), 422, "invalid-event");
    assertThat(detail(farArrival)).contains("2027-06-01").contains("2026-03-12").contains("supplement's arrival");
    JsonObject dayAfter = assertProblem(agency.post(id, event(id, "4-fri", 4, "2026-03-09T16:30:00Z")
        .put("dueDate", "2026-03-13")), 422, "invalid-event");
    assertThat(detail(dayAfter)).contains("2026-03-12");
    assertNothingRecorded(agency, id, 5, "2026-03-06", 3);

    HttpResponse<Buffer> arrived = agency.post(id, event(id, "4b", 4, "2026-03-09T16:30:00Z")
        .put("dueDate", "2026-03-12"));
    assertThat(arrived.statusCode()).as(arrived.bodyAsString()).isEqualTo(201);
    assertThat(changes(id)).containsExactly("2 acceptance: null->2026-03-05",
        "5 supplement-requested: 2026-03-05->2026-03-06", "4 supplement-received: 2026-03-06->2026-03-12");
  }

  @Test
  void shouldAnswerTheReplayOfAnEventRecordedWhenItsDateWasNotRefused() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = inProcessing(agency, "2026-03-02");
    // a supplement request dated Sat 7 Mar, recorded before dates were checked on the calendar (or before the
    // calendar files said that day was off), as the event store wrote it; its 201 was lost
    String eventId = "due-5-sat-" + id;
    String at = "2026-03-03T03:00:00Z";
    String fingerprint = Digests.sha256Hex(new JsonObject().put("at", at).put("dossierId", id)
        .put("dueDate", "2026-03-07").put("eventId", eventId).putNull("note").putNull("officer").putNull("result")
        .put("status", 5).encode());
    TestServers.execute(gw.config.postgres().url(), "WITH ev AS (INSERT INTO dossier_event (dossier_id, client_id, "
        + "event_id, status, at, due_date, previous_due_date, fingerprint) VALUES ('" + id + "', 'agency-dev', '"
        + eventId + "', 5, '" + at + "', '2026-03-07', '2026-03-05', '" + fingerprint + "') RETURNING seq), "
        + "upd AS (UPDATE dossier SET status = 5, status_changed_at = '" + at + "', due_date = '2026-03-07' "
        + "WHERE id = '" + id + "' RETURNING id, client_id) INSERT INTO dossier_status_history (dossier_id, status, "
        + "changed_at, due_date, event_seq, client_id) SELECT upd.id, 5, '" + at + "', '2026-03-07', ev.seq, "
        + "upd.client_id FROM upd, ev");

    // the agency's retry is that very event: its replay, not a refusal that would make it think nothing was recorded
    HttpResponse<Buffer> retry = agency.post(id, new JsonObject().put("eventId", eventId).put("status", 5)
        .put("at", "2026-03-03T10:00:00+07:00").put("dueDate", "2026-03-07"));

    assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(200);
    assertThat(retry.getHeader("Event-Replayed")).isEqualTo("true");
    assertThat(retry.bodyAsJsonObject().getString("dueDate")).isEqualTo("2026-03-07");
    // the same date in a new event is refused, and so is the retry with other content
    assertProblem(agency.post(id, event(id, "5-sat-again", 5, "2026-03-03T10:00:00+07:00")
        .put("dueDate", "2026-03-07")), 422, "invalid-event");
    assertProblem(agency.post(id, new JsonObject().put("eventId", eventId).put("status", 5)
        .put("at", "2026-03-03T10:00:00+07:00").put("dueDate", "2026-03-07").put("note", "other")), 422,
        "invalid-event");
    assertNothingRecorded(agency, id, 5, "2026-03-07", 3);
  }

  @Test
  void shouldRefuseADateOutsideTheLoadedCalendarAsCalendarNotCovered() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = inProcessing(agency, "2026-03-02");

    JsonObject problem = assertProblem(agency.post(id, event(id, "5", 5, "2026-03-03T10:00:00+07:00")
        .put("dueDate", "2029-01-03")), 422, "calendar-not-covered");

    assertThat(problem.getString("detail")).contains("covers 2025-2028 only").contains("dueDate")
        .contains("nothing was recorded").doesNotContain("2029-01-03");
    assertNothingRecorded(agency, id, 4, "2026-03-05", 2);
  }

  /** A dossier of {@link #THREE_DAYS} received and accepted on {@code day} (no date sent), then in processing. */
  private static String inProcessing(AgencyEvents agency, String day) {
    String id = agency.dossierReceived(THREE_DAYS, "'" + day + "T08:00:00+07:00'");
    HttpResponse<Buffer> accepted = agency.post(id, event(id, "2", 2, day + "T09:00:00+07:00"));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
    assertThat(agency.post(id, event(id, "4", 4, day + "T09:30:00+07:00")).statusCode()).isEqualTo(201);
    return id;
  }

  private static JsonObject event(String id, String step, int status, String at) {
    return new JsonObject().put("eventId", "due-" + step + "-" + id).put("status", status).put("at", at);
  }

  /** The dossier's due-date history in the citizen's view: "status reason: previous->due". */
  private static List<String> changes(String id) {
    JsonArray changes = gw.get("/v1/dossiers/" + id).bodyAsJsonObject().getJsonArray("dueDateChanges");
    return changes.stream().map(JsonObject.class::cast).map(c -> c.getInteger("status") + " " + c.getString("reason")
        + ": " + c.getString("previousDueDate") + "->" + c.getString("dueDate")).toList();
  }

  private static String dueDate(String id) {
    return TestServers.queryString(gw.config.postgres().url(),
        "SELECT due_date::text FROM dossier WHERE id = '" + id + "'");
  }

  /** The one violation's detail, on /dueDate. */
  private static String detail(JsonObject problem) {
    JsonArray errors = problem.getJsonArray("errors");
    assertThat(errors).as(problem.encode()).hasSize(1);
    assertThat(errors.getJsonObject(0).getString("pointer")).isEqualTo("/dueDate");
    return errors.getJsonObject(0).getString("detail");
  }

  /** The dossier as it was: its status, due date, events and history rows (the reception's and one per event). */
  private static void assertNothingRecorded(AgencyEvents agency, String id, int status, String due, int events) {
    assertThat(agency.status(id)).isEqualTo(status);
    assertThat(dueDate(id)).isEqualTo(due);
    assertThat(agency.events(id)).isEqualTo(events);
    assertThat(TestServers.queryLong(gw.config.postgres().url(),
        "SELECT count(*) FROM dossier_status_history WHERE dossier_id = '" + id + "'")).isEqualTo(events + 1);
  }
}
