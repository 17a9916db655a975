package vn.onewindow.intake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.metrics.MeterNames.DeadLetterReason;

/**
 * One copy on a partition's dead-letter stream, as {@link DeadLetters} writes it: the original entry's id
 * ({@link #ENTRY}), the error prefixed by its reason's tag ({@link #ERROR}: "rejected: SQLSTATE 23514 ..."), the
 * deliveries, then the entry's own fields, with the dossier's {@link StreamEntry#ID} made explicit. What
 * {@link DeadLetterReplay} puts back on the partition's stream is those entry fields, the bookkeeping left out.
 *
 * <p>A copy can be replayed only when it carries what the intake needs to write the dossier as its citizen was told
 * (the id, the dossier code of the 202, the client, receivedAt, the payload; {@link DossierRow#parse}): a copy short
 * of one would come back as a malformed dead letter, or, worse, the dossier would be stored under another code.
 */
record DeadLetterCopy(PartitionKeys partition, String copyId, Map<String, String> fields) {

  /** The original entry's id; with the partition's stream, the key of its {@code dead_letter} row (V12). */
  static final String ENTRY = "entry";
  static final String ERROR = "error";
  static final String DELIVERIES = "deliveries";
  /** Fields of the copy itself, not of the entry it copies. */
  private static final Set<String> BOOKKEEPING = Set.of(ENTRY, ERROR, DELIVERIES);
  /** Without any of these the intake cannot write the dossier under its id and code (DossierRow.parse). */
  static final List<String> NEEDED = List.of(ENTRY, StreamEntry.ID, StreamEntry.CODE, StreamEntry.CLIENT,
      StreamEntry.RECEIVED_AT, StreamEntry.PAYLOAD);
  /** The reason of a copy whose error names none of {@link DeadLetterReason}'s tags. */
  static final String UNKNOWN_REASON = "unknown";

  String originalEntryId() {
    return fields.get(ENTRY);
  }

  /** The dossier's id, or null when the dead-lettered entry named none. */
  String dossierId() {
    String id = fields.get(StreamEntry.ID);
    return id == null || id.isEmpty() ? null : id;
  }

  /** The {@link #ERROR} a dead letter records (copy and row): its reason's tag, then the error. */
  static String error(DeadLetterReason reason, String error) {
    return reason.tag() + ": " + error;
  }

  /** The tag of the reason it was dead-lettered for ({@link DeadLetterReason#tag()}), else {@link #UNKNOWN_REASON}. */
  String reason() {
    String error = fields.get(ERROR);
    if (error != null) {
      for (DeadLetterReason reason : DeadLetterReason.values()) {
        if (error.startsWith(reason.tag() + ":")) {
          return reason.tag();
        }
      }
    }
    return UNKNOWN_REASON;
  }

  /** The {@link #NEEDED} fields the copy lacks (absent or empty); empty when it can be replayed. */
  List<String> missing() {
    List<String> missing = new ArrayList<>();
    for (String name : NEEDED) {
      String value = fields.get(name);
      if (value == null || value.isEmpty()) {
        missing.add(name);
      }
    }
    return missing;
  }

  /** The fields of the entry to put back on the stream, in the copy's order: everything but the bookkeeping. */
  Map<String, String> entryFields() {
    Map<String, String> entry = new LinkedHashMap<>();
    fields.forEach((name, value) -> {
      if (!BOOKKEEPING.contains(name)) {
        entry.put(name, value);
      }
    });
    return entry;
  }
}
