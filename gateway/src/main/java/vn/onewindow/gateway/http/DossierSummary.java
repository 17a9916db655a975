package vn.onewindow.gateway.http;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import vn.onewindow.common.dossier.NationalStatus;

/**
 * The members every view of a dossier shares, with one name and one meaning wherever they appear: the status
 * look-up's views (built from the dossier's row, its queued receipt or its dead letter) and the agency feed's items.
 * Written here alone, so that a member renamed or re-typed changes in every view at once. Each view puts its own
 * members between these groups, in the order its contract lists them (config/openapi.yaml), and {@code receivedAt}
 * where it lists it: right after the code in a feed item, after the status in the status views.
 *
 * @param statusChangedAt null while no event has changed the status (the column's NULL): the feed says so, the status
 *     views show the reception's time ({@link #withStatusChangedAt})
 */
public record DossierSummary(String id, String code, String receivedAt, String procedureCode, String receivingUnit,
                             String handlingAgency, String channel, NationalStatus status, String statusChangedAt,
                             String dueDate, String expectedResultBy) {

  /** From a row that selects the dossier table's columns under their own names, {@code id} as text. */
  public static DossierSummary of(Row row) {
    return new DossierSummary(row.getString("id"), row.getString("code"),
        ApiTimes.stored(row.getOffsetDateTime("received_at")), row.getString("procedure_code"),
        row.getString("receiving_unit"), row.getString("handling_agency"), row.getString("channel"),
        NationalStatus.of(row.getShort("status")), ApiTimes.stored(row.getOffsetDateTime("status_changed_at")),
        ApiTimes.date(row.getLocalDate("due_date")), ApiTimes.date(row.getLocalDate("expected_result_by")));
  }

  public DossierSummary withStatusChangedAt(String changedAt) {
    return new DossierSummary(id, code, receivedAt, procedureCode, receivingUnit, handlingAgency, channel, status,
        changedAt, dueDate, expectedResultBy);
  }

  /** A new view of the dossier, opening with its id and code as every view does. */
  public JsonObject open() {
    return new JsonObject().put("id", id).put("code", code);
  }

  /** What was filed, where and how (procedure, receiving unit, handling agency, channel), and its status. */
  public JsonObject putFiling(JsonObject view) {
    return view.put("procedureCode", procedureCode).put("receivingUnit", receivingUnit)
        .put("handlingAgency", handlingAgency).put("channel", channel).put("status", status.toJson());
  }

  /** When the status was set, the agency's current appointment (dueDate) and the date the receipt promised. */
  public JsonObject putDates(JsonObject view) {
    return view.put("statusChangedAt", statusChangedAt).put("dueDate", dueDate)
        .put("expectedResultBy", expectedResultBy);
  }
}
