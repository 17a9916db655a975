package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.infra.Digests;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;

/**
 * Progress events as an agency's one-stop system sends them: the appointment an acceptance without a date gets
 * (the receipt's rule, cut-off included), retries whose result members come back in another order, and times in
 * whole seconds, as the national sync writes them (yyyyMMddHHmmss).
 */
class ProgressEventTest extends OneGatewayPerClass {
  private static final String CERTIFIED_COPY = "2.000815.000.00.00.H48"; // same day, cut-off 15:00
  private static final String FEED_AGENCY = "000.21.53.H48";

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldDateAnAcceptanceAfterTheCutOffFromTheNextWorkingDayAsTheReceiptDoes() {
    AgencyEvents agency = new AgencyEvents(gw);
    // Wed 11 Mar 2026: accepted at 15:01 counts from Thu 12 Mar; at 15:00:00.999 still in time (to the second)
    Map<String, String> expected = Map.of("2026-03-11T15:01:00+07:00", "2026-03-12",
        "2026-03-11T15:00:00.999+07:00", "2026-03-11", "2026-03-13T16:00:00+07:00", "2026-03-16");
    expected.forEach((at, due) -> {
      String id = agency.dossierReceived(CERTIFIED_COPY, "'" + at.substring(0, 10) + "T08:00:00+07:00'");

      HttpResponse<Buffer> accepted = agency.post(id, new JsonObject().put("eventId", "cut-" + id).put("status", 2)
          .put("at", at));

      assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
      assertThat(accepted.bodyAsJsonObject().getString("dueDate")).as(at).isEqualTo(due);
      assertThat(TestServers.queryString(gw.config.postgres().url(),
          "SELECT due_date::text FROM dossier WHERE id = '" + id + "'")).isEqualTo(due);
      // one rule: the portal's look-up for a receipt at the same moment gives the same date
      assertThat(gw.get("/v1/procedures/" + CERTIFIED_COPY + "/due-date?receivedAt="
          + URLEncoder.encode(at, StandardCharsets.UTF_8)).bodyAsJsonObject().getString("dueDate")).isEqualTo(due);
    });
  }

  @Test
  void shouldReplayARetryWhoseResultMembersComeInAnotherOrder() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = inProcessing(agency);
    JsonObject decided = new JsonObject().put("eventId", "ko-9-" + id).put("status", 9).put("at", minuteAgo())
        .put("result", new JsonArray()
            .add(new JsonObject().put("name", "Bản sao chứng thực").put("documentId", "BS-1")
                .put("uri", "https://docs.example.vn/BS-1"))
            .add(new JsonObject().put("name", "Bản sao thứ hai").put("documentId", "BS-2")));
    HttpResponse<Buffer> first = agency.post(id, decided);
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
    assertThat(first.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(first.getHeader("Cache-Control")).as("the edge's, as on every answer").isEqualTo("no-store");
    long events = agency.events(id);
    // what the agency reads back: the hub serves result from jsonb, its members in jsonb's order
    JsonArray readBack = agency.get("/v1/dossiers/" + id).bodyAsJsonObject().getJsonArray("events")
        .getJsonObject(2).getJsonArray("result");
    assertThat(readBack.getJsonObject(0).fieldNames()).as("not the order sent")
        .containsExactly("uri", "name", "documentId");

    for (JsonArray result : List.of(readBack, reversedMembers(decided.getJsonArray("result")))) {
      HttpResponse<Buffer> retry = agency.post(id, decided.copy().put("result", result));

      assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(200);
      assertThat(retry.getHeader("Event-Replayed")).isEqualTo("true");
      assertThat(retry.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    }
    // content still counts: another document, or the documents in another order
    JsonArray otherDocument = decided.getJsonArray("result").copy();
    otherDocument.getJsonObject(0).put("documentId", "BS-9");
    JsonArray otherOrder = new JsonArray().add(decided.getJsonArray("result").getValue(1))
        .add(decided.getJsonArray("result").getValue(0));
    for (JsonArray result : List.of(otherDocument, otherOrder)) {
      assertProblem(agency.post(id, decided.copy().put("result", result)), 409, "event-id-reused");
    }
    assertThat(agency.events(id)).isEqualTo(events);
  }

  @Test
  void shouldRefuseAnotherOfficerAndNoteSplitOrAnAbsentOneForTheTextNull() {
    AgencyEvents agency = new AgencyEvents(gw);
    // each pair hashed alike when the fields were joined by newlines, an absent one written "null"
    List<List<JsonObject>> pairs = List.of(
        List.of(new JsonObject().put("officer", "Lan\nPhong TP").put("note", "OK"),
            new JsonObject().put("officer", "Lan").put("note", "Phong TP\nOK")),
        List.of(new JsonObject().put("note", "OK"), new JsonObject().put("officer", "null").put("note", "OK")),
        List.of(new JsonObject().put("officer", "Lan"), new JsonObject().put("officer", "Lan").put("note", "null")));
    for (int i = 0; i < pairs.size(); i++) {
      String id = agency.dossierReceived("now() - interval '1 hour'");
      JsonObject event = new JsonObject().put("eventId", "split-" + i + "-" + id).put("status", 2)
          .put("at", minuteAgo());
      HttpResponse<Buffer> first = agency.post(id, event.copy().mergeIn(pairs.get(i).get(0)));
      assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);

      assertProblem(agency.post(id, event.copy().mergeIn(pairs.get(i).get(1))), 409, "event-id-reused");
      assertThat(agency.post(id, event.copy().mergeIn(pairs.get(i).get(0))).getHeader("Event-Replayed"))
          .isEqualTo("true");
    }
  }

  @Test
  void shouldStillReplayEventsRecordedWithEitherJoinedFingerprint() throws Exception {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = inProcessing(agency);
    String at = minuteAgo();
    // members not in name order: before the canonical form, the stored fingerprint hashed this very text; after
    // it, the same joined fields over the sorted text
    String result = "[{\"name\":\"Bản sao chứng thực\",\"documentId\":\"BS-1\"}]";
    ObjectMapper json = new ObjectMapper();
    Map<String, String> forms = Map.of("received", json.readTree(result).toString(),
        "canonical", "[{\"documentId\":\"BS-1\",\"name\":\"Bản sao chứng thực\"}]");
    for (Map.Entry<String, String> form : forms.entrySet()) {
      String eventId = "old-" + form.getKey() + "-" + id;
      String fingerprint = Digests.sha256Hex(String.join("\n", id, eventId, "9", Instant.parse(at).toString(),
          "Lan\nPhong TP", "OK", "null", form.getValue()));
      TestServers.execute(gw.config.postgres().url(), "INSERT INTO dossier_event (dossier_id, client_id, event_id, "
          + "status, at, officer, note, result, fingerprint) VALUES ('" + id + "', 'agency-dev', '" + eventId
          + "', 9, '" + at + "', E'Lan\\nPhong TP', 'OK', '" + result + "', '" + fingerprint + "')");
      JsonObject decided = new JsonObject().put("eventId", eventId).put("status", 9).put("at", at)
          .put("officer", "Lan\nPhong TP").put("note", "OK").put("result", new JsonArray(result));

      HttpResponse<Buffer> retry = agency.post(id, decided);

      assertThat(retry.statusCode()).as(form.getKey() + ": " + retry.bodyAsString()).isEqualTo(200);
      assertThat(retry.getHeader("Event-Replayed")).isEqualTo("true");
      assertProblem(agency.post(id, decided.copy().put("result", new JsonArray()
          .add(new JsonObject().put("name", "Bản sao chứng thực").put("documentId", "BS-2")))), 409, "event-id-reused");
      // the same joined hash, told apart by the stored columns
      assertProblem(agency.post(id, decided.copy().put("officer", "Lan").put("note", "Phong TP\nOK")), 409,
          "event-id-reused");
    }
  }

  @Test
  void shouldTakeAnEventInTheSecondOfTheReceiptAndKeepTheReceptionFirst() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = agency.dossierReceived("'2026-03-11T13:43:54.224Z'");

    JsonObject early = assertProblem(agency.post(id, new JsonObject().put("eventId", "sec-0-" + id).put("status", 2)
        .put("at", "2026-03-11T13:43:53.999Z")), 422, "event-in-the-past");
    assertThat(early.getString("lastEventAt")).isEqualTo("2026-03-11T13:43:54.224Z");
    HttpResponse<Buffer> accepted = agency.post(id, new JsonObject().put("eventId", "sec-1-" + id).put("status", 2)
        .put("at", "2026-03-11T20:43:54+07:00"));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
    assertThat(accepted.bodyAsJsonObject().getString("statusChangedAt")).isEqualTo("2026-03-11T13:43:54Z");
    // the next step, reported at .5 s, then one more in the same second but sent in whole seconds
    assertThat(agency.post(id, new JsonObject().put("eventId", "sec-2-" + id).put("status", 4)
        .put("at", "2026-03-11T13:43:54.500Z")).statusCode()).isEqualTo(201);
    assertThat(agency.post(id, new JsonObject().put("eventId", "sec-3-" + id).put("status", 7)
        .put("at", "2026-03-11T13:43:54Z")).statusCode()).isEqualTo(201);
    assertThat(agency.events(id)).isEqualTo(3);

    // the citizen's view and the change feed keep the order the hub recorded them in, reception first, and the
    // agency's times as sent: the current status's reads 500 ms before the previous one's (as the contract warns)
    JsonObject view = gw.get("/v1/dossiers/" + id).bodyAsJsonObject();
    JsonArray history = view.getJsonArray("history");
    assertThat(codes(history)).containsExactly(1, 2, 4, 7);
    assertThat(history.getJsonObject(0).getString("at")).isEqualTo("2026-03-11T13:43:54.224Z");
    assertThat(history.getJsonObject(2).getString("at")).isEqualTo("2026-03-11T13:43:54.500Z");
    assertThat(view.getString("statusChangedAt")).isEqualTo("2026-03-11T13:43:54Z");
    List<Integer> changes = changesOf(id, 4);
    assertThat(changes).containsExactly(1, 2, 4, 7);
  }

  /**
   * Times the hub's clock took (PostgreSQL's now(), to the microsecond) are written to the millisecond, as every other
   * time of the API: an event's recordedAt in its 201, in its replay and in the agency's view. The event's own time
   * reads alike wherever it is shown: the answer, the citizen's view, the change feed, the agency feed and view.
   */
  @Test
  void shouldWriteTheRecordingTimeToTheMillisecondAndEachInstantAlikeEverywhere() {
    AgencyEvents agency = new AgencyEvents(gw);
    // an agency of the directory, whose feed can be read
    String id = agency.dossierReceived(AgencyEvents.BIRTH, FEED_AGENCY, "'2026-03-11T13:43:54.224Z'");
    JsonObject event = new JsonObject().put("eventId", "ms-" + id).put("status", 2)
        .put("at", "2026-03-11T20:44:00.5+07:00");

    HttpResponse<Buffer> accepted = agency.post(id, event);

    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
    String recordedAt = accepted.bodyAsJsonObject().getJsonObject("event").getString("recordedAt");
    long recordedMs = TestServers.queryLong(gw.config.postgres().url(),
        "SELECT floor(extract(epoch FROM recorded_at) * 1000)::bigint FROM dossier_event WHERE dossier_id = '"
            + id + "'");
    assertThat(recordedAt).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?Z")
        .isEqualTo(Instant.ofEpochMilli(recordedMs).toString());
    // a recording time with microseconds, as now() gives 999 times in 1000
    TestServers.execute(gw.config.postgres().url(), "UPDATE dossier_event SET recorded_at = "
        + "'2026-03-11 13:44:01.123456+00' WHERE dossier_id = '" + id + "'");
    HttpResponse<Buffer> replayed = agency.post(id, event);
    assertThat(replayed.statusCode()).as(replayed.bodyAsString()).isEqualTo(200);
    assertThat(replayed.bodyAsJsonObject().getJsonObject("event").getString("recordedAt"))
        .isEqualTo("2026-03-11T13:44:01.123Z");
    JsonObject agencyView = agency.get("/v1/dossiers/" + id).bodyAsJsonObject();
    assertThat(agencyView.getJsonArray("events").getJsonObject(0).getString("recordedAt"))
        .isEqualTo("2026-03-11T13:44:01.123Z");

    String at = "2026-03-11T13:44:00.500Z";
    assertThat(replayed.bodyAsJsonObject().getString("statusChangedAt")).isEqualTo(at);
    assertThat(replayed.bodyAsJsonObject().getJsonObject("event").getString("at")).isEqualTo(at);
    JsonObject citizenView = gw.get("/v1/dossiers/" + id).bodyAsJsonObject();
    assertThat(citizenView.getString("statusChangedAt")).isEqualTo(at);
    assertThat(citizenView.getJsonArray("history").getJsonObject(1).getString("at")).isEqualTo(at);
    assertThat(citizenView.getString("acceptedAt")).isEqualTo(at);
    assertThat(agencyView.getString("statusChangedAt")).isEqualTo(at);
    assertThat(agencyView.getJsonArray("events").getJsonObject(0).getString("at")).isEqualTo(at);
    assertThat(itemsOf(path -> gw.get(path).bodyAsJsonObject(), "/v1/changes", "dossierId", id, 2)
        .getJsonObject(1).getString("at")).isEqualTo(at);
    JsonObject feedItem = itemsOf(path -> agency.get(path).bodyAsJsonObject(),
        "/v1/agencies/" + FEED_AGENCY + "/dossiers", "id", id, 1).getJsonObject(0);
    assertThat(feedItem.getString("statusChangedAt")).isEqualTo(at);
    assertThat(feedItem.getString("receivedAt")).isEqualTo(citizenView.getString("receivedAt"))
        .isEqualTo("2026-03-11T13:43:54.224Z");
  }

  /**
   * An undeclared member named with a '#' (networknt 1.5.9 skips such names in additionalProperties) is refused as
   * any other undeclared member, at the top and in a result document, and nothing is recorded: 8c92342 covered events
   * by the submission's path, without a test of the route.
   */
  @Test
  void shouldRefuseUndeclaredMembersNamedWithAHash() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = inProcessing(agency);
    long events = agency.events(id);
    JsonObject decided = new JsonObject().put("eventId", "hash-" + id).put("status", 9).put("at", minuteAgo())
        .put("result", new JsonArray().add(new JsonObject().put("name", "Bản sao").put("documentId", "BS-1")));
    JsonObject withHashes = decided.copy().put("unexpected", true).put("#x", 1);
    withHashes.getJsonArray("result").getJsonObject(0).put("#y", "z");

    HttpResponse<Buffer> response = agency.postRaw(id, withHashes);

    assertProblem(response, 422, "invalid-event");
    Map<String, String> details = new java.util.HashMap<>();
    response.bodyAsJsonObject().getJsonArray("errors").forEach(e -> details.put(((JsonObject) e).getString("pointer"),
        ((JsonObject) e).getString("detail")));
    String unexpected = details.get("/unexpected");
    assertThat(unexpected).as(response.bodyAsString()).contains("'unexpected'");
    assertThat(details).hasSize(3).containsEntry("/#x", unexpected.replace("'unexpected'", "'#x'"))
        .containsEntry("/result/0/#y", unexpected.replace("'unexpected'", "'#y'"));
    assertThat(agency.events(id)).isEqualTo(events);
    // the members were its only fault
    assertThat(agency.post(id, decided).statusCode()).isEqualTo(201);
  }

  /**
   * What the payload guard refuses in a dossier is refused in an event too: an unpaired surrogate escape in a text was
   * stored altered (as '?', with a 201), a number beyond a double's range was refused for a reason it did not have.
   */
  @Test
  void shouldRefuseUnpairedSurrogatesAndNumbersBeyondADouble() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = inProcessing(agency);
    long events = agency.events(id);
    String start = "{\"eventId\":\"guard-" + id + "\",\"at\":\"" + minuteAgo() + "\",";

    HttpResponse<Buffer> surrogates = agency.postText(id, start + "\"status\":5,\"dueDate\":\""
        + LocalDate.now().plusDays(5) + "\",\"note\":\"a\\ud800b\",\"officer\":\"x\\udc00y\"}");
    HttpResponse<Buffer> huge = agency.postText(id, start + "\"status\":1e400000000}");
    HttpResponse<Buffer> bom = agency.postText(id, "\ufeff" + start + "\"status\":4}");

    assertProblem(surrogates, 422, "invalid-event");
    assertThat(surrogates.bodyAsJsonObject().getJsonArray("errors").stream().map(e -> ((JsonObject) e)
        .getString("pointer")).toList()).containsExactlyInAnyOrder("/note", "/officer");
    assertThat(surrogates.bodyAsString()).contains("unpaired UTF-16 surrogate");
    assertProblem(huge, 422, "invalid-event");
    assertThat(huge.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("detail"))
        .startsWith("number out of range");
    assertProblem(bom, 400, "malformed-request");
    assertThat(agency.events(id)).isEqualTo(events);
  }

  /** A birth registration accepted (the hub dating it) and in processing since a minute ago; returns its id. */
  private static String inProcessing(AgencyEvents agency) {
    String id = agency.dossierReceived("now() - interval '1 hour'");
    String at = minuteAgo();
    assertThat(agency.post(id, new JsonObject().put("eventId", "acc-" + id).put("status", 2).put("at", at))
        .statusCode()).isEqualTo(201);
    assertThat(agency.post(id, new JsonObject().put("eventId", "proc-" + id).put("status", 4).put("at", at))
        .statusCode()).isEqualTo(201);
    return id;
  }

  private static String minuteAgo() {
    return Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static JsonArray reversedMembers(JsonArray documents) {
    JsonArray reversed = new JsonArray();
    for (int i = 0; i < documents.size(); i++) {
      JsonObject document = documents.getJsonObject(i);
      List<String> names = new java.util.ArrayList<>(document.fieldNames());
      java.util.Collections.reverse(names);
      JsonObject copy = new JsonObject();
      names.forEach(name -> copy.put(name, document.getValue(name)));
      reversed.add(copy);
    }
    return reversed;
  }

  private static List<Integer> codes(JsonArray statuses) {
    return statuses.stream().map(s -> ((JsonObject) s).getJsonObject("status").getInteger("code")).toList();
  }

  /** The dossier's items of the portal's change feed, followed from the start until it shows {@code count}. */
  private static List<Integer> changesOf(String id, int count) {
    return codes(itemsOf(path -> gw.get(path).bodyAsJsonObject(), "/v1/changes", "dossierId", id, count));
  }

  /** The items of a feed ({@code get} reads a page) whose {@code idMember} is {@code id}, once there are {@code count}. */
  private static JsonArray itemsOf(java.util.function.Function<String, JsonObject> get, String feed, String idMember,
                                   String id, int count) {
    JsonArray mine = new JsonArray();
    Await.until(Duration.ofSeconds(10), feed, () -> {
      mine.clear();
      String next = null;
      while (true) {
        JsonObject page = get.apply(feed + "?limit=1000" + (next == null ? "" : "&after=" + next));
        page.getJsonArray("items").stream().map(JsonObject.class::cast)
            .filter(item -> id.equals(item.getString(idMember))).forEach(mine::add);
        next = page.getString("next");
        if (page.getJsonArray("items").size() < 1000) {
          return mine.size() == count;
        }
      }
    });
    return mine;
  }
}
