package vn.onewindow.gateway.submit;

import io.vertx.core.json.JsonObject;
import vn.onewindow.common.dossier.NationalStatus;

/**
 * The acknowledgement a citizen keeps (receipt and appointment, template 01). {@code replayed} is true when an
 * Idempotency-Key retry returned the receipt of the dossier queued the first time.
 */
public record Receipt(String dossierId, String code, String receivedAt, String expectedResultBy,
                      String procedureCode, boolean replayed) {

  public JsonObject toJson(String statusUrl) {
    return new JsonObject()
        .put("id", dossierId)
        .put("code", code)
        .put("status", NationalStatus.NEWLY_REGISTERED.toJson())
        .put("receivedAt", receivedAt)
        .put("expectedResultBy", expectedResultBy)
        .put("procedureCode", procedureCode)
        .put("statusUrl", statusUrl);
  }
}
