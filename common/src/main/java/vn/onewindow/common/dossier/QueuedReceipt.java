package vn.onewindow.common.dossier;

import java.util.Map;

/**
 * A dossier queued in Redis as a status look-up sees it before the intake has written its row (read-your-writes
 * right after the 202). The enqueue script keeps no second copy of these fields: the receipt key holds the id of the
 * stream entry, and the gateway reads them from that entry and its payload. {@link #fromLegacyHash} reads the receipt
 * hash an earlier release wrote (with its own copy of the fields) while one may still be within its TTL.
 * {@code expectedResultBy} is the receipt's promised date ({@code YYYY-MM-DD}), null where the entry did not carry it.
 */
public record QueuedReceipt(String code, String receivedAt, String clientId, String procedureCode,
                            String receivingUnit, String handlingAgency, String channel, String applicantHash,
                            String expectedResultBy) {

  /** A receipt hash of an earlier release: its field names, as it wrote them. */
  public static QueuedReceipt fromLegacyHash(Map<String, String> fields) {
    return new QueuedReceipt(fields.get(StreamEntry.CODE), fields.get("receivedAt"), fields.get("client"),
        fields.get("procedureCode"), fields.get("receivingUnit"), fields.get("handlingAgency"), fields.get("channel"),
        fields.get("applicantHash"), fields.get("expectedResultBy"));
  }
}
