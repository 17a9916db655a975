package vn.onewindow.gateway.submit;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import vn.onewindow.common.dossier.NationalStatus;

/**
 * The acknowledgement a citizen keeps (receipt and appointment, template 01). {@code replayed} is true when an
 * Idempotency-Key retry returned the receipt of the dossier queued the first time.
 */
public record Receipt(String dossierId, String code, String receivedAt, String expectedResultBy,
                      String procedureCode, boolean replayed) {
  /** The same for every receipt: a newly registered dossier. */
  private static final String STATUS = NationalStatus.NEWLY_REGISTERED.toJson().encode();
  private static final JsonStringEncoder ESCAPES = JsonStringEncoder.getInstance();

  /**
   * The 202's body, written into one builder with Jackson's own string escaping: a map of seven members built and
   * walked by a Jackson generator for every receipt showed among the profile's top frames (a JsonObject, its
   * LinkedHashMap, a generator and its buffers per receipt); this builder takes about 1% of the gateway's samples.
   * {@code ReceiptJsonTest} holds it to the JsonObject encoding, byte for byte.
   */
  public String toJson(String statusUrl) {
    StringBuilder json = new StringBuilder(256);
    member(json.append('{'), "id", dossierId);
    member(json.append(','), "code", code);
    json.append(",\"status\":").append(STATUS);
    member(json.append(','), "receivedAt", receivedAt);
    member(json.append(','), "expectedResultBy", expectedResultBy);
    member(json.append(','), "procedureCode", procedureCode);
    member(json.append(','), "statusUrl", statusUrl);
    return json.append('}').toString();
  }

  private static void member(StringBuilder json, String name, String value) {
    json.append('"').append(name).append("\":");
    if (value == null) {
      json.append("null");
      return;
    }
    ESCAPES.quoteAsString(value, json.append('"'));
    json.append('"');
  }
}
