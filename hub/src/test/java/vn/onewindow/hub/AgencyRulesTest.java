package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.hub.AgencyHub.AGENCY_KEY;
import static vn.onewindow.hub.AgencyHub.HANOI_KEY;
import static vn.onewindow.hub.AgencyHub.PORTAL_KEY;
import static vn.onewindow.hub.AgencyHub.assertProblem;
import static vn.onewindow.hub.AgencyHub.event;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.ZoneId;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.calendar.OfficialCalendar;
import vn.onewindow.common.calendar.DueDates;

/** Every refusal of the agency side answers its problem and leaves PostgreSQL exactly as it was. */
class AgencyRulesTest {
  private static AgencyHub hub;

  @BeforeAll
  static void start() {
    hub = new AgencyHub(Map.of("dossier.event-clock-skew-seconds", "60"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void shouldAnswer404ToAnAgencyThatDoesNotCoverTheDossier() {
    String id = hub.submitPersisted("birth-registration.json").getString("id");
    long events = events();

    assertProblem(hub.get(HANOI_KEY, "/v1/agencies/000.21.53.H48/dossiers"), 404, "not-found");
    assertProblem(hub.get(HANOI_KEY, "/v1/dossiers/" + id), 404, "not-found");
    assertProblem(hub.event(HANOI_KEY, id, acceptance("hn-1", Instant.now())), 404, "not-found");
    assertProblem(hub.get(AGENCY_KEY, "/v1/agencies/000.00.99.H48/dossiers"), 404, "not-found");
    assertProblem(hub.event(AGENCY_KEY, "00000000-0000-4000-8000-000000000000", acceptance("none-1", Instant.now())),
        404, "not-found");
    assertThat(hub.get(HANOI_KEY, "/v1/agencies/000.00.00.H26/dossiers").statusCode()).as("its own").isEqualTo(200);
    assertThat(events()).isEqualTo(events);
    assertThat(hub.count("SELECT status FROM dossier WHERE id = '" + id + "'")).isEqualTo(1);
  }

  @Test
  void shouldReplayAnEventIdWithTheSameAnswerAndChangeNothing() {
    String id = hub.submitPersisted("birth-registration.json").getString("id");
    JsonObject accept = acceptance("replay-" + id, Instant.now()).put("officer", AgencyHub.OTHER_OFFICER);
    HttpResponse<Buffer> first = hub.event(AGENCY_KEY, id, accept);
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(hub.event(AGENCY_KEY, id, event("replay-" + id + "-4", 4, Instant.now())).statusCode()).isEqualTo(201);
    long events = events();
    long history = history(id);

    HttpResponse<Buffer> replay = hub.event(AGENCY_KEY, id, accept);

    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat(replay.getHeader("Event-Replayed")).isEqualTo("true");
    assertThat(replay.bodyAsJsonObject()).as("the state right after the first call")
        .isEqualTo(first.bodyAsJsonObject());
    assertProblem(hub.event(AGENCY_KEY, id, accept.copy().put("note", "khác")), 409, "event-id-reused");
    String other = hub.submitPersisted("birth-registration.json").getString("id");
    assertProblem(hub.event(AGENCY_KEY, other, accept), 409, "event-id-reused");
    assertThat(events()).isEqualTo(events);
    assertThat(history(id)).isEqualTo(history);
    assertThat(hub.count("SELECT status FROM dossier WHERE id = '" + id + "'")).isEqualTo(4);
    assertThat(hub.count("SELECT status FROM dossier WHERE id = '" + other + "'")).isEqualTo(1);
  }

  @Test
  void shouldRefuseAnIllegalTransitionNamingTheCurrentAndAllowedStatuses() {
    String id = hub.submitPersisted("driving-licence-renewal.json").getString("id");
    long events = events();

    JsonObject problem = assertProblem(hub.event(AGENCY_KEY, id, event("ill-" + id, 9, Instant.now())
        .put("result", new JsonArray().add(new JsonObject().put("name", "GPLX").put("documentId", "1")))),
        409, "illegal-transition");

    assertThat(problem.getJsonObject("currentStatus"))
        .isEqualTo(new JsonObject().put("code", 1).put("name", "Mới đăng ký"));
    assertThat(problem.getJsonObject("requestedStatus").getInteger("code")).isEqualTo(9);
    assertThat(problem.getJsonArray("allowedNext").stream().map(s -> ((JsonObject) s).getInteger("code")).toList())
        .containsExactly(2, 3, 7);
    assertThat(problem.getString("detail")).contains("allowed next: 2, 3, 7");
    assertThat(events()).isEqualTo(events);

    assertThat(hub.event(AGENCY_KEY, id, event("ill-" + id + "-3", 3, Instant.now())).statusCode()).isEqualTo(201);
    JsonObject terminal = assertProblem(hub.event(AGENCY_KEY, id, acceptance("ill-" + id + "-2", Instant.now())),
        409, "illegal-transition");
    assertThat(terminal.getJsonArray("allowedNext")).isEmpty();
    assertThat(terminal.getString("detail")).contains("it is final");
    assertThat(hub.count("SELECT status FROM dossier WHERE id = '" + id + "'")).isEqualTo(3);
  }

  @Test
  void shouldRefuseEventsBeforeTheLastOneOrBeyondTheClock() {
    JsonObject receipt = hub.submitPersisted("business-registration.json");
    String id = receipt.getString("id");
    Instant received = Instant.parse(receipt.getString("receivedAt"));

    JsonObject beforeReceipt = assertProblem(hub.event(AGENCY_KEY, id, acceptance("t-0", received.minusSeconds(1))),
        422, "event-in-the-past");
    assertThat(beforeReceipt.getString("lastEventAt")).isEqualTo(received.toString());
    Instant accepted = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    assertThat(hub.event(AGENCY_KEY, id, acceptance("t-1-" + id, accepted)).statusCode()).isEqualTo(201);
    long events = events();

    // compared to the second: the millisecond before the acceptance's second is in the past
    Instant previousSecond = accepted.truncatedTo(ChronoUnit.SECONDS).minusMillis(1);
    JsonObject past = assertProblem(hub.event(AGENCY_KEY, id, event("t-2-" + id, 4, previousSecond)),
        422, "event-in-the-past");
    assertThat(past.getString("lastEventAt")).isEqualTo(accepted.toString());
    JsonObject future = assertProblem(hub.event(AGENCY_KEY, id, event("t-3-" + id, 4, Instant.now().plusSeconds(600))),
        422, "event-in-the-future");
    assertThat(Instant.parse(future.getString("latestAcceptedAt"))).isBefore(Instant.now().plusSeconds(61));
    assertThat(events()).isEqualTo(events);
    assertThat(hub.event(AGENCY_KEY, id, event("t-4-" + id, 4, accepted.truncatedTo(ChronoUnit.SECONDS))).statusCode())
        .as("same second, in whole seconds").isEqualTo(201);
  }

  @Test
  void shouldGiveAnAcceptanceWithoutDateTheAppointmentOfTheOfficialCalendar() {
    String id = hub.submitPersisted("birth-registration.json").getString("id");
    Instant accepted = Instant.now();
    long events = events();
    // birth registration takes 1 working day, no cut-off; the calendar's own tests cover Tết and the swapped
    // Saturdays, ProgressEventTest an acceptance after a cut-off
    LocalDate expected = new DueDates(OfficialCalendar.load(Path.of("../config/calendar/vn"), 2025, 2028),
        ZoneId.of("Asia/Ho_Chi_Minh")).due(accepted, 1).due();

    HttpResponse<Buffer> answer = hub.event(AGENCY_KEY, id, event("acc-" + id, 2, accepted));

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(201);
    assertThat(answer.bodyAsJsonObject().getString("dueDate")).isEqualTo(expected.toString());
    assertThat(events()).isEqualTo(events + 1);
  }

  @Test
  void shouldRefuseAnEventMissingWhatItsStatusRequires() {
    String id = hub.submitPersisted("birth-registration.json").getString("id");
    long events = events();

    JsonObject noResult = assertProblem(hub.event(AGENCY_KEY, id, event("inv-1", 9, Instant.now())), 422,
        "invalid-event");
    assertThat(noResult.getJsonArray("errors").getJsonObject(0).getString("pointer")).isEqualTo("/result");
    JsonObject misplaced = assertProblem(hub.event(AGENCY_KEY, id, event("inv-2", 3, Instant.now())
        .put("dueDate", LocalDate.now().toString()).put("result", new JsonArray().add(new JsonObject()
            .put("name", "x").put("documentId", "y")))), 422, "invalid-event");
    assertThat(misplaced.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("pointer")).toList())
        .containsExactly("/dueDate", "/result");
    JsonObject schema = assertProblem(hub.postRaw(AGENCY_KEY, "/v1/dossiers/" + id + "/events", new JsonObject()
        .put("eventId", "bad id!").put("status", 11).put("at", "yesterday").put("officerPhone", "0901234567")), 422,
        "invalid-event");
    assertThat(schema.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("pointer")).toList())
        .contains("/eventId", "/status", "/at", "/officerPhone");
    assertThat(schema.getJsonArray("errors")).contains(
        new JsonObject().put("pointer", "/eventId").put("detail", "must be 1 to 128 characters, each an ASCII letter, "
            + "a digit or one of . _ : -"),
        new JsonObject().put("pointer", "/at").put("detail", "must be an RFC 3339 date-time (for example "
            + "2026-11-23T09:12:44+07:00)"));
    assertProblem(hub.postRaw(AGENCY_KEY, "/v1/dossiers/" + id + "/events", new JsonObject()), 422, "invalid-event");
    assertProblem(hub.postRaw(AGENCY_KEY, "/v1/dossiers/not-a-uuid/events", acceptance("inv-3", Instant.now())), 404,
        "not-found");
    assertThat(events()).isEqualTo(events);
  }

  @Test
  void shouldKeepEachKindOfClientToItsOwnRoutes() {
    String id = hub.submitPersisted("birth-registration.json").getString("id");
    long dossiers = hub.count("SELECT count(*) FROM dossier");
    long events = events();

    assertProblem(hub.event(PORTAL_KEY, id, acceptance("kind-1", Instant.now())), 403, "client-kind-not-allowed");
    assertProblem(hub.get(PORTAL_KEY, "/v1/agencies/000.21.53.H48/dossiers"), 403, "client-kind-not-allowed");
    assertProblem(hub.get(AGENCY_KEY, "/v1/changes"), 403, "client-kind-not-allowed");
    JsonObject submit = assertProblem(hub.post(AGENCY_KEY, "/v1/dossiers",
        new JsonObject(HubEndToEndTest.example("birth-registration.json"))), 403, "client-kind-not-allowed");
    assertThat(submit.getString("detail")).contains("cannot submit dossiers");
    JsonObject rating = assertProblem(hub.post(AGENCY_KEY, "/v1/dossiers/" + id + "/rating", new JsonObject()
        .put("answers", new JsonArray().add(5)).put("channel", "online")), 403, "client-kind-not-allowed");
    assertThat(rating.getString("detail")).contains("cannot rate dossiers");
    assertProblem(hub.getRaw(AGENCY_KEY, "/v1/agencies/000.21.53.H48/dossiers?limit=1001"), 400, "malformed-request");
    assertProblem(hub.getRaw(AGENCY_KEY, "/v1/agencies/000.21.53.H48/dossiers?limit=5&limit=6"), 400,
        "malformed-request");
    assertProblem(hub.get(AGENCY_KEY, "/v1/agencies/000.21.53.H48/dossiers?after=bm9wZQ"), 400, "malformed-request");
    String changes = hub.get(PORTAL_KEY, "/v1/changes").bodyAsJsonObject().getString("next");
    assertProblem(hub.get(AGENCY_KEY, "/v1/agencies/000.21.53.H48/dossiers?after=" + changes), 400,
        "malformed-request");
    assertThat(events()).isEqualTo(events);
    assertThat(hub.count("SELECT count(*) FROM dossier")).isEqualTo(dossiers);
  }

  private static JsonObject acceptance(String eventId, Instant at) {
    // no date: the hub gives the statutory one (a date the agency sends must be a working day not after it)
    return event(eventId, 2, at);
  }

  private static long events() {
    return hub.count("SELECT count(*) FROM dossier_event");
  }

  private static long history(String dossierId) {
    return hub.count("SELECT count(*) FROM dossier_status_history WHERE dossier_id = '" + dossierId + "'");
  }
}
