package vn.onewindow.gateway.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import vn.onewindow.common.dossier.NationalStatus;
import vn.onewindow.common.dossier.QueuedReceipt;
import vn.onewindow.common.dossier.StatusTransitions.DueDateStep;
import vn.onewindow.gateway.http.ApiTimes;
import vn.onewindow.gateway.http.DossierSummary;
import vn.onewindow.gateway.http.StoredJson;

/**
 * What a status look-up shows, built from a PostgreSQL row, from the receipt queued in Redis or from a dead letter.
 * The citizen's view (README "What the citizen sees"): status code and name, history with times and the notes meant
 * for the applicant, the appointment date with every re-dating, and the results' references once returned. Nothing in
 * it names an officer: those live only in {@code dossier_event} and reach only agency clients
 * ({@link #withAgencyDetails}). The public progress view ({@link #publicProgress}) is what a receipt's code alone
 * shows. Two dates, each with one meaning: {@code dueDate} the agency's current appointment (NgayHenTra, null until it
 * accepts the dossier; what the timeliness statistics count), {@code expectedResultBy} the date the 202's receipt
 * promised, as it said it, never re-dated (null for dossiers stored before V16 or queued without it). A frontend shows
 * {@code dueDate}, or {@code expectedResultBy} while there is none. Which caller gets which view is
 * {@code Owners#visibility}'s rule.
 */
final class DossierViews {
  /**
   * The public progress view, member by member: what the national portal's public "tra cứu hồ sơ" shows of a code.
   * Listed, not filtered: a member added to the citizen's view stays out of this one until it is added here. Not the
   * id (it opens the citizen's view to the submitting client), nor the receiving unit and channel (where and how the
   * applicant filed), nor anything of the history, the agency's notes, the results' references or the applicant.
   */
  private static final List<String> PUBLIC_PROGRESS = List.of("code", "procedureCode", "handlingAgency", "status",
      "receivedAt", "persisted", "statusChangedAt", "dueDate", "expectedResultBy");

  private DossierViews() {
  }

  static JsonObject fromRow(Row row) {
    JsonArray history = new JsonArray();
    JsonArray dueDateChanges = new JsonArray();
    JsonArray results = new JsonArray();
    for (Object element : new JsonArray(row.getValue("history").toString())) {
      JsonObject h = (JsonObject) element;
      NationalStatus changed = NationalStatus.of(h.getInteger("status"));
      String at = micros(h.getLong("at"));
      history.add(new JsonObject().put("status", changed.toJson()).put("at", at).put("note", h.getString("note")));
      // an acceptance sets the date (null when its procedure left the catalogue); a supplement request or arrival
      // re-dates it only when its event set one (dueDateSet): a 5 without a date leaves it until the arrival, and a
      // 4 after a 5 that carried one keeps that
      if (changed == NationalStatus.ACCEPTED || h.getString("dueDateSet") != null) {
        dueDateChanges.add(new JsonObject().put("at", at).put("status", changed.code())
            .put("reason", DueDateStep.of(changed).reason()).put("dueDate", h.getString("dueDate"))
            .put("previousDueDate", h.getString("previousDueDate")));
      }
      if (h.getJsonArray("result") != null) {
        results = h.getJsonArray("result");
      }
    }
    DossierSummary recorded = DossierSummary.of(row);
    // a status no event has changed yet was set at the reception (the agency feed says null instead: its contract)
    DossierSummary dossier = recorded.statusChangedAt() != null ? recorded
        : recorded.withStatusChangedAt(recorded.receivedAt());
    return opening(dossier, true, false)
        .put("acceptedAt", ApiTimes.stored(row.getOffsetDateTime("accepted_at")))
        .put("processedAt", ApiTimes.stored(row.getOffsetDateTime("processed_at")))
        .put("returnedAt", ApiTimes.stored(row.getOffsetDateTime("returned_at")))
        .put("history", history)
        .put("dueDateChanges", dueDateChanges)
        // the references are the applicant's once the result is handed over (10), not while it is being issued
        .put("results", dossier.status() == NationalStatus.RESULT_RETURNED ? results : new JsonArray());
  }

  /**
   * Right after the 202, before intake wrote the row: what the queued receipt knows. Or, {@code heldForReview}, what
   * the dead letter of a dossier the intake could not write kept of its receipt (its fields null where the payload
   * could not be read).
   */
  static JsonObject fromReceipt(UUID id, QueuedReceipt receipt, boolean heldForReview) {
    NationalStatus registered = NationalStatus.NEWLY_REGISTERED;
    return opening(new DossierSummary(id.toString(), receipt.code(), receipt.receivedAt(), receipt.procedureCode(),
            receipt.receivingUnit(), receipt.handlingAgency(), receipt.channel(), registered, receipt.receivedAt(),
            null, receipt.expectedResultBy()), false, heldForReview)
        .put("acceptedAt", null)
        .put("processedAt", null)
        .put("returnedAt", null)
        .put("history", new JsonArray().add(new JsonObject().put("status", registered.toJson())
            .put("at", receipt.receivedAt()).put("note", null)))
        .put("dueDateChanges", new JsonArray())
        .put("results", new JsonArray());
  }

  /**
   * A dossier received under {@code code} and still queued, found by that code alone ({@link IssuedCodes}): its
   * status, and that it is not recorded yet. The rest of its receipt is in its queued entry, which only its id names.
   */
  static JsonObject received(String code) {
    return new JsonObject().put("code", code).put("status", NationalStatus.NEWLY_REGISTERED.toJson())
        .put("persisted", false);
  }

  /** The citizen's view up to its dates, in the contract's order, whatever it is built from. */
  private static JsonObject opening(DossierSummary dossier, boolean persisted, boolean heldForReview) {
    JsonObject view = dossier.putFiling(dossier.open())
        .put("receivedAt", dossier.receivedAt())
        .put("persisted", persisted)
        .put("heldForReview", heldForReview);
    return dossier.putDates(view);
  }

  /** The public progress view of a dossier whose citizen's view is {@code citizenView} ({@link #PUBLIC_PROGRESS}). */
  static JsonObject publicProgress(JsonObject citizenView) {
    JsonObject view = new JsonObject();
    for (String member : PUBLIC_PROGRESS) {
      view.put(member, citizenView.getValue(member));
    }
    return view;
  }

  /** The agency's view adds the whole submission and every event as its agency sent it, officer included. */
  static JsonObject withAgencyDetails(JsonObject view, Row row) {
    JsonArray events = new JsonArray();
    for (Object element : new JsonArray(row.getValue("events").toString())) {
      JsonObject e = (JsonObject) element;
      events.add(e.put("at", micros(e.getLong("at")))
          .put("recordedAt", ApiTimes.recorded(Instant.EPOCH.plus(e.getLong("recordedAt"), ChronoUnit.MICROS))));
    }
    return view.copy().put("submission", StoredJson.of(row.getString("payload"))).put("events", events);
  }

  private static String micros(long epochMicros) {
    return Instant.EPOCH.plus(epochMicros, ChronoUnit.MICROS).toString();
  }
}
