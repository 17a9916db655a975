package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.hub.AgencyHub.AGENCY_CLIENT;
import static vn.onewindow.hub.AgencyHub.AGENCY_KEY;
import static vn.onewindow.hub.AgencyHub.OFFICER;
import static vn.onewindow.hub.AgencyHub.PORTAL_CLIENT;
import static vn.onewindow.hub.AgencyHub.PORTAL_KEY;
import static vn.onewindow.hub.AgencyHub.assertProblem;
import static vn.onewindow.hub.AgencyHub.event;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.calendar.DueDates;
import vn.onewindow.common.calendar.OfficialCalendar;
import vn.onewindow.common.testing.Await;

/**
 * A dossier's life after intake, on a whole hub over real servers: the portal submits, the handling agency's system
 * reads it from its feed and reports 2, 4, 9, 10, the citizen follows it, the portal's change feed tells it.
 */
class AgencyFlowTest {
  private static final String FEED = "/v1/agencies/000.21.53.H48/dossiers";
  private static final OfficialCalendar CALENDAR = OfficialCalendar.load(Path.of("../config/calendar/vn"), 2025, 2028);
  private static final DueDates DUE_DATES = new DueDates(CALENDAR, ZoneId.of("Asia/Ho_Chi_Minh"));
  private static AgencyHub hub;

  @BeforeAll
  static void start() {
    hub = new AgencyHub(Map.of());
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  /**
   * The agency reads the submission as the citizen sent it, byte for byte (the payload is stored as json, V9, and
   * served as stored): a number written 1.8432e5 stays so, where decoding and encoding it again gave 184320.0.
   */
  @Test
  void shouldServeTheSubmissionAsItWasSent() {
    String text = HubEndToEndTest.example("birth-registration.json")
        .replaceFirst("\"citizenId\": \"\\d+\"", "\"citizenId\": \"048099990001\"")
        .replace("\"sizeBytes\": 184320", "\"sizeBytes\":  1.8432e5");
    assertThat(text).contains("1.8432e5").contains("048099990001");
    HttpResponse<Buffer> accepted = hub.postText(AgencyHub.PORTAL_KEY, "/v1/dossiers", text);
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
    String id = accepted.bodyAsJsonObject().getString("id");
    Await.until(Duration.ofSeconds(10), "dossier persisted",
        () -> hub.count("SELECT count(*) FROM dossier WHERE id = '" + id + "'") == 1);

    String view = hub.get(AGENCY_KEY, "/v1/dossiers/" + id).bodyAsString();
    assertThat(view).contains("\"submission\":" + text);
    JsonObject item = item(hub.feedUntil(AGENCY_KEY, FEED, feed -> contains(feed, "id", id, 1)), id);
    assertThat(item.getJsonObject("submission")).isEqualTo(new JsonObject(text));
    String page = hub.get(AGENCY_KEY, FEED + "?limit=1000").bodyAsString();
    assertThat(page).contains("\"submission\":" + text);
  }

  @Test
  void shouldCarryADossierFromTheAgencyFeedThroughItsEventsToTheCitizen() {
    JsonObject receipt = hub.submitPersisted("birth-registration.json");
    String id = receipt.getString("id");

    JsonObject item = item(hub.feedUntil(AGENCY_KEY, FEED, feed -> contains(feed, "id", id, 1)), id);
    assertThat(item.getString("code")).isEqualTo(receipt.getString("code"));
    assertThat(item.getString("receivedAt")).isEqualTo(receipt.getString("receivedAt"));
    assertThat(item.getString("procedureCode")).isEqualTo("1.001612.000.00.00.H48");
    assertThat(item.getString("handlingAgency")).isEqualTo("000.21.53.H48");
    assertThat(item.getJsonObject("status")).isEqualTo(new JsonObject().put("code", 1).put("name", "Mới đăng ký"));
    assertThat(item.getJsonObject("submission")).isEqualTo(receipt.getJsonObject("submission"));

    Instant t = Instant.parse(receipt.getString("receivedAt")).plusSeconds(1);
    // the latest appointment the agency may give: the statutory one (birth registration, 1 working day)
    LocalDate due = DUE_DATES.due(t, 1).due();
    JsonArray result = new JsonArray().add(new JsonObject().put("name", "Giấy khai sinh bản chính")
        .put("documentId", "KS-2026-000123").put("uri", "https://storage.onewindow.test/results/ks-000123.pdf"));
    HttpResponse<Buffer> accepted = hub.event(AGENCY_KEY, id, event("flow-" + id + "-2", 2, t)
        .put("officer", OFFICER).put("note", "Hồ sơ hợp lệ, hẹn trả kết quả.").put("dueDate", due.toString()));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
    assertThat(accepted.getHeader("Event-Replayed")).isEqualTo("false");
    assertThat(accepted.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject state = accepted.bodyAsJsonObject();
    assertThat(state.getString("dossierId")).isEqualTo(id);
    assertThat(state.getJsonObject("status").getInteger("code")).isEqualTo(2);
    assertThat(state.getString("dueDate")).isEqualTo(due.toString());
    assertThat(state.getString("statusChangedAt")).isEqualTo(t.toString());
    assertThat(state.getJsonObject("event").getString("eventId")).isEqualTo("flow-" + id + "-2");

    assertCreated(hub.event(AGENCY_KEY, id, event("flow-" + id + "-4", 4, t.plusSeconds(1))
        .put("officer", OFFICER)), 4);
    assertCreated(hub.event(AGENCY_KEY, id, event("flow-" + id + "-9", 9, t.plusSeconds(2)).put("officer", OFFICER)
        .put("note", "Đã ký quyết định.").put("result", result)), 9);
    HttpResponse<Buffer> returned = hub.event(AGENCY_KEY, id, event("flow-" + id + "-10", 10, t.plusSeconds(3)));
    assertCreated(returned, 10);
    assertThat(returned.bodyAsJsonObject().getString("dueDate")).as("the appointment stays").isEqualTo(due.toString());

    HttpResponse<Buffer> citizen = hub.get(PORTAL_KEY, "/v1/dossiers/" + id);
    assertThat(citizen.statusCode()).isEqualTo(200);
    assertThat(citizen.bodyAsString()).doesNotContain(OFFICER).doesNotContain("officer").doesNotContain("events");
    JsonObject view = citizen.bodyAsJsonObject();
    assertThat(view.getJsonObject("status")).isEqualTo(new JsonObject().put("code", 10).put("name", "Đã trả kết quả"));
    assertThat(view.getJsonArray("history").stream().map(h -> ((JsonObject) h).getJsonObject("status")
        .getInteger("code")).toList()).containsExactly(1, 2, 4, 9, 10);
    JsonObject acceptance = view.getJsonArray("history").getJsonObject(1);
    assertThat(acceptance.getString("at")).isEqualTo(t.toString());
    assertThat(acceptance.getString("note")).isEqualTo("Hồ sơ hợp lệ, hẹn trả kết quả.");
    assertThat(view.getString("dueDate")).isEqualTo(due.toString());
    assertThat(view.getJsonArray("dueDateChanges")).containsExactly(new JsonObject().put("at", t.toString())
        .put("status", 2).put("reason", "acceptance").put("dueDate", due.toString()).put("previousDueDate", null));
    assertThat(view.getJsonArray("results")).isEqualTo(result);
    assertThat(view.getString("acceptedAt")).isEqualTo(t.toString());
    assertThat(view.getString("processedAt")).isEqualTo(t.plusSeconds(2).toString());
    assertThat(view.getString("returnedAt")).isEqualTo(t.plusSeconds(3).toString());

    JsonObject agencyView = hub.get(AGENCY_KEY, "/v1/dossiers/" + id).bodyAsJsonObject();
    assertThat(agencyView.getJsonArray("events")).hasSize(4);
    assertThat(agencyView.getJsonArray("events").getJsonObject(0).getString("officer")).isEqualTo(OFFICER);
    assertThat(agencyView.getJsonObject("submission")).isEqualTo(receipt.getJsonObject("submission"));

    String row = "FROM dossier WHERE id = '" + id + "'";
    assertThat(hub.count("SELECT status " + row)).isEqualTo(10);
    assertThat(hub.count("SELECT count(*) " + row + " AND due_date = '" + due + "' AND accepted_at IS NOT NULL"
        + " AND processed_at IS NOT NULL AND returned_at = status_changed_at")).isEqualTo(1);
    assertThat(hub.count("SELECT count(*) FROM dossier_event WHERE dossier_id = '" + id + "' AND client_id = '"
        + AGENCY_CLIENT + "'")).isEqualTo(4);
    assertThat(hub.count("SELECT count(*) FROM dossier_status_history WHERE dossier_id = '" + id
        + "' AND client_id = '" + PORTAL_CLIENT + "' AND (status = 1) = (event_seq IS NULL)")).isEqualTo(5);
    // the history has no foreign key (V10): its writers take the dossier's id from the row they write
    assertThat(hub.count("SELECT count(*) FROM dossier_status_history h "
        + "WHERE NOT EXISTS (SELECT 1 FROM dossier d WHERE d.id = h.dossier_id)")).isZero();
  }

  @Test
  void shouldTellThePortalEveryStatusChangeOfItsDossiersInOrder() {
    JsonObject receipt = hub.submitPersisted("driving-licence-renewal.json");
    String id = receipt.getString("id");
    Instant t = Instant.parse(receipt.getString("receivedAt")).plusMillis(10);
    assertCreated(hub.event(AGENCY_KEY, id, event("chg-" + id + "-2", 2, t)), 2);
    assertCreated(hub.event(AGENCY_KEY, id, event("chg-" + id + "-7", 7, t.plusMillis(1))
        .put("note", "Công dân rút hồ sơ.")), 7);

    List<JsonObject> mine = hub.feedUntil(PORTAL_KEY, "/v1/changes", feed -> contains(feed, "dossierId", id, 3))
        .stream().map(JsonObject.class::cast).filter(c -> id.equals(c.getString("dossierId"))).toList();

    assertThat(mine.stream().map(c -> c.getJsonObject("status").getInteger("code")).toList()).containsExactly(1, 2, 7);
    assertThat(mine.get(2).getString("note")).isEqualTo("Công dân rút hồ sơ.");
    assertThat(mine.get(2).getString("code")).isEqualTo(receipt.getString("code"));
    assertThat(hub.wholeFeed("dev-kiosk-key", "/v1/changes").stream()
        .noneMatch(c -> id.equals(((JsonObject) c).getString("dossierId")))).as("another frontend's feed").isTrue();
  }

  @Test
  void shouldRedateOnASupplementRequestKeepingThePreviousDate() {
    JsonObject receipt = hub.submitPersisted("business-registration.json");
    String id = receipt.getString("id");
    Instant t = Instant.parse(receipt.getString("receivedAt")).plus(1, ChronoUnit.SECONDS);
    // business registration takes 3 working days: accepted with a sooner date of the agency's, re-dated at the
    // request to the statutory three days (a supplement restarts the count at most: README "The due-date rule")
    LocalDate first = DUE_DATES.due(t, 1).due();
    LocalDate second = DUE_DATES.due(t, 3).due();
    assertCreated(hub.event(AGENCY_KEY, id, event("re-" + id + "-2", 2, t).put("dueDate", first.toString())), 2);
    assertCreated(hub.event(AGENCY_KEY, id, event("re-" + id + "-4", 4, t.plusSeconds(1))), 4);
    HttpResponse<Buffer> supplement = hub.event(AGENCY_KEY, id, event("re-" + id + "-5", 5, t.plusSeconds(2))
        .put("dueDate", second.toString()).put("note", "Bổ sung điều lệ công ty."));
    assertCreated(supplement, 5);
    assertCreated(hub.event(AGENCY_KEY, id, event("re-" + id + "-4b", 4, t.plusSeconds(3))), 4);

    JsonObject view = hub.get(PORTAL_KEY, "/v1/dossiers/" + id).bodyAsJsonObject();
    assertThat(view.getString("dueDate")).isEqualTo(second.toString());
    assertThat(view.getJsonArray("dueDateChanges").stream().map(JsonObject.class::cast)
        .map(c -> c.getInteger("status") + ":" + c.getString("previousDueDate") + "->" + c.getString("dueDate"))
        .toList())
        .containsExactly("2:null->" + first, "5:" + first + "->" + second);
    assertThat(view.getJsonArray("results")).isEmpty();
    assertThat(hub.count("SELECT count(*) FROM dossier_event WHERE dossier_id = '" + id + "' AND status = 5 AND "
        + "due_date = '" + second + "' AND previous_due_date = '" + first + "'")).isEqualTo(1);
  }

  /**
   * An agency's system reports every step of the processing (CapNhatTienDoHoSoMC, one event per step: another
   * department, another officer), most of them in status 4: each is recorded, shown to the citizen with its note, and
   * changes no date; a supplement's arrival after such steps still re-dates the dossier.
   */
  @Test
  void shouldRecordEveryProcessingStepWhileTheStatusStaysInProcessing() {
    JsonObject receipt = hub.submitPersisted("business-registration.json");
    String id = receipt.getString("id");
    Instant t = Instant.parse(receipt.getString("receivedAt")).plus(1, ChronoUnit.SECONDS);
    LocalDate due = DUE_DATES.due(t, 3).due();
    assertCreated(hub.event(AGENCY_KEY, id, event("step-" + id + "-2", 2, t)), 2);
    assertCreated(hub.event(AGENCY_KEY, id, event("step-" + id + "-4a", 4, t.plusSeconds(1))
        .put("officer", OFFICER).put("note", "Phòng Một cửa chuyển hồ sơ.")), 4);
    HttpResponse<Buffer> step = hub.event(AGENCY_KEY, id, event("step-" + id + "-4b", 4, t.plusSeconds(2))
        .put("officer", OFFICER).put("note", "Phòng Đăng ký kinh doanh thẩm định."));
    assertCreated(step, 4);
    assertThat(step.bodyAsJsonObject().getString("statusChangedAt")).isEqualTo(t.plusSeconds(2).toString());
    assertThat(step.bodyAsJsonObject().getString("dueDate")).as("a step changes no date").isEqualTo(due.toString());
    JsonObject dated = assertProblem(hub.event(AGENCY_KEY, id, event("step-" + id + "-4x", 4, t.plusSeconds(3))
        .put("dueDate", due.toString())), 422, "invalid-event");
    assertThat(dated.getJsonArray("errors").getJsonObject(0).getString("pointer")).isEqualTo("/dueDate");
    assertThat(dated.getJsonArray("errors").getJsonObject(0).encode()).contains("not after 4");
    assertCreated(hub.event(AGENCY_KEY, id, event("step-" + id + "-5", 5, t.plusSeconds(3))), 5);
    assertCreated(hub.event(AGENCY_KEY, id, event("step-" + id + "-4c", 4, t.plusSeconds(4))), 4);
    assertCreated(hub.event(AGENCY_KEY, id, event("step-" + id + "-4d", 4, t.plusSeconds(5))
        .put("note", "Trình lãnh đạo ký.")), 4);

    JsonObject view = hub.get(PORTAL_KEY, "/v1/dossiers/" + id).bodyAsJsonObject();
    assertThat(view.getJsonArray("history").stream().map(h -> ((JsonObject) h).getJsonObject("status")
        .getInteger("code")).toList()).containsExactly(1, 2, 4, 4, 5, 4, 4);
    assertThat(view.getJsonArray("history").getJsonObject(3).getString("note"))
        .isEqualTo("Phòng Đăng ký kinh doanh thẩm định.");
    assertThat(view.getString("statusChangedAt")).isEqualTo(t.plusSeconds(5).toString());
    assertThat(view.getJsonArray("dueDateChanges").stream().map(c -> ((JsonObject) c).getString("reason")).toList())
        .as("the steps set no date; the arrival after 5 re-dates").containsExactly("acceptance", "supplement-received");
    assertThat(view.encode()).doesNotContain(OFFICER);
    assertThat(hub.count("SELECT count(*) FROM dossier_event WHERE dossier_id = '" + id + "' AND status = 4"))
        .isEqualTo(4);
    assertThat(hub.count("SELECT count(*) FROM dossier_status_history WHERE dossier_id = '" + id + "'")).isEqualTo(7);
    List<JsonObject> changes = hub.feedUntil(PORTAL_KEY, "/v1/changes", feed -> contains(feed, "dossierId", id, 7))
        .stream().map(JsonObject.class::cast).filter(c -> id.equals(c.getString("dossierId"))).toList();
    assertThat(changes.stream().map(c -> c.getJsonObject("status").getInteger("code")).toList())
        .containsExactly(1, 2, 4, 4, 5, 4, 4);
  }

  /**
   * Agencies stop processing (8, form 05) exactly when the citizen never brought the supplement (5) or never paid (6)
   * in the time allowed. The stop follows the pause itself: no "supplement received" 4 first, which re-dated the
   * dossier and told the citizen of an arrival that never happened.
   */
  @Test
  void shouldStopADossierWaitingForASupplementOrAPaymentWithoutAnArrivalFirst() {
    for (int pause : List.of(5, 6)) {
      JsonObject receipt = hub.submitPersisted("business-registration.json");
      String id = receipt.getString("id");
      Instant t = Instant.parse(receipt.getString("receivedAt")).plus(1, ChronoUnit.SECONDS);
      LocalDate due = DUE_DATES.due(t, 3).due();
      assertCreated(hub.event(AGENCY_KEY, id, event("ps-" + id + "-2", 2, t)), 2);
      assertCreated(hub.event(AGENCY_KEY, id, event("ps-" + id + "-4", 4, t.plusSeconds(1))), 4);
      assertCreated(hub.event(AGENCY_KEY, id, event("ps-" + id + "-" + pause, pause, t.plusSeconds(2))), pause);

      HttpResponse<Buffer> stopped = hub.event(AGENCY_KEY, id, event("ps-" + id + "-8", 8, t.plusSeconds(3))
          .put("officer", OFFICER).put("note", "Quá hạn bổ sung, dừng xử lý."));

      assertCreated(stopped, 8);
      assertThat(stopped.bodyAsJsonObject().getString("dueDate")).as("after %d", pause).isEqualTo(due.toString());
      assertThat(stopped.bodyAsJsonObject().getString("statusChangedAt")).isEqualTo(t.plusSeconds(3).toString());
      String row = "FROM dossier WHERE id = '" + id + "'";
      assertThat(hub.count("SELECT status " + row)).isEqualTo(8);
      assertThat(hub.count("SELECT count(*) " + row + " AND due_date = '" + due + "' AND status_changed_at = '"
          + t.plusSeconds(3) + "' AND processed_at IS NULL")).isEqualTo(1);
      assertThat(hub.count("SELECT count(*) FROM dossier_status_history WHERE dossier_id = '" + id + "' AND status = 8"
          + " AND changed_at = '" + t.plusSeconds(3) + "' AND due_date = '" + due + "' AND event_seq = (SELECT seq "
          + "FROM dossier_event WHERE dossier_id = '" + id + "' AND status = 8 AND previous_due_date = '" + due + "')"))
          .isEqualTo(1);
      assertThat(hub.count("SELECT count(*) FROM dossier_status_history WHERE dossier_id = '" + id + "'"))
          .isEqualTo(5);

      JsonObject view = hub.get(PORTAL_KEY, "/v1/dossiers/" + id).bodyAsJsonObject();
      assertThat(view.getJsonObject("status")).isEqualTo(new JsonObject().put("code", 8).put("name", "Dừng xử lý"));
      assertThat(view.getJsonArray("history").stream().map(h -> ((JsonObject) h).getJsonObject("status")
          .getInteger("code")).toList()).containsExactly(1, 2, 4, pause, 8);
      assertThat(view.getJsonArray("history").getJsonObject(4).getString("note"))
          .isEqualTo("Quá hạn bổ sung, dừng xử lý.");
      assertThat(view.getString("dueDate")).isEqualTo(due.toString());
      assertThat(view.getJsonArray("dueDateChanges")).as("the acceptance's date only: nothing arrived")
          .containsExactly(new JsonObject().put("at", t.toString()).put("status", 2).put("reason", "acceptance")
              .put("dueDate", due.toString()).put("previousDueDate", null));
      assertThat(view.encode()).doesNotContain(OFFICER);
      JsonArray events = hub.get(AGENCY_KEY, "/v1/dossiers/" + id).bodyAsJsonObject().getJsonArray("events");
      assertThat(events.stream().map(e -> ((JsonObject) e).getInteger("status")).toList())
          .containsExactly(2, 4, pause, 8);
      assertThat(events.getJsonObject(3).getString("officer")).isEqualTo(OFFICER);
      assertProblem(hub.event(AGENCY_KEY, id, event("ps-" + id + "-4b", 4, t.plusSeconds(4))), 409,
          "illegal-transition");
    }
  }

  @Test
  void shouldLetExactlyOneOfConcurrentAcceptancesThrough() {
    String id = hub.submitPersisted("birth-registration.json").getString("id");
    Instant t = Instant.now();
    List<HttpResponse<Buffer>> answers = hub.eventsAtOnce(AGENCY_KEY, id,
        Stream.generate(() -> event("race-" + UUID.randomUUID(), 2, t)).limit(20).toList());

    List<Integer> statuses = answers.stream().map(HttpResponse::statusCode).sorted().toList();
    assertThat(statuses).containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(1);
    assertThat(hub.count("SELECT count(*) FROM dossier_event WHERE dossier_id = '" + id + "'")).isEqualTo(1);
    assertThat(hub.count("SELECT count(*) FROM dossier_status_history WHERE dossier_id = '" + id + "'")).isEqualTo(2);
  }

  /**
   * An agency system's copies of one event sent at once (a retry loop on a bad day): one is recorded, every other copy
   * gets its replay, whether its state then refuses the event (a second acceptance) or takes it again (a processing
   * step, 4 after 4, meets the eventId's UNIQUE constraint). A copy that finds the event before the dossier's lock
   * gets its replay there; one that missed it gets it after (EventLockWaitTest makes that case certain).
   */
  @Test
  void shouldRecordOneOfConcurrentCopiesOfAnEventAndReplayItToTheOthers() {
    JsonObject receipt = hub.submitPersisted("birth-registration.json");
    String id = receipt.getString("id");
    Instant t = Instant.parse(receipt.getString("receivedAt")).plusSeconds(1);
    for (JsonObject copied : List.of(event("copies-" + id + "-2", 2, t), event("copies-" + id + "-4", 4,
        t.plusSeconds(1)))) {
      List<HttpResponse<Buffer>> answers = hub.eventsAtOnce(AGENCY_KEY, id, Collections.nCopies(20, copied));
      assertThat(answers.stream().map(HttpResponse::statusCode).toList()).as(copied.getString("eventId"))
          .containsOnly(201, 200).filteredOn(s -> s == 201).hasSize(1);
      assertThat(answers.stream().map(a -> a.bodyAsJsonObject().getJsonObject("event").getLong("seq")).distinct())
          .hasSize(1);
    }
    assertThat(hub.count("SELECT count(*) FROM dossier_event WHERE dossier_id = '" + id + "'")).isEqualTo(2);
    assertThat(hub.count("SELECT count(*) FROM dossier_status_history WHERE dossier_id = '" + id + "'")).isEqualTo(3);
  }

  private static void assertCreated(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    assertThat(response.bodyAsJsonObject().getJsonObject("status").getInteger("code")).isEqualTo(status);
  }

  /** Whether the feed holds at least {@code n} items whose {@code field} is {@code id}. */
  private static boolean contains(JsonArray feed, String field, String id, int n) {
    return feed.stream().filter(i -> id.equals(((JsonObject) i).getString(field))).count() >= n;
  }

  private static JsonObject item(JsonArray feed, String id) {
    return feed.stream().map(JsonObject.class::cast).filter(i -> id.equals(i.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("dossier " + id + " not in the agency feed"));
  }
}
