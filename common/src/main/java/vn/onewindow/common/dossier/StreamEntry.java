package vn.onewindow.common.dossier;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of one queued dossier in the Redis stream: the contract between gateway (writer) and intake (reader).
 * {@code payload} is the validated request body exactly as received; {@code bodySha256} its digest, computed once by
 * the gateway (it lets a later retry of the same Idempotency-Key be recognised) and absent on entries written before
 * it was added. The {@code code} is set by the enqueue script, which issues it.
 *
 * <p>The dossier's id is the entry's own id with the gateway's pre-id ({@link #RID}; {@link Partitions#entryDossierId}),
 * or the {@link #ID} field where an entry carries it: entries of earlier releases, the enqueue script's fallback
 * (a sequence beyond 12 bits), and copies whose entry id is not the original's (dead letters). Only entries with an
 * {@link #ID} field have a queued receipt (PartitionKeys#receipt) to delete once their row is written.
 */
public record StreamEntry(String dossierId, String code, String clientId, String receivedAt, String idempotencyKey,
                          String payload, String bodySha256) {

  public static final String ID = "id";
  /** The gateway's pre-id: with the entry's id, the dossier's id. */
  public static final String RID = "rid";
  public static final String CODE = "code";
  public static final String CLIENT = "client";
  public static final String RECEIVED_AT = "receivedAt";
  public static final String IDEMPOTENCY_KEY = "idemKey";
  public static final String PAYLOAD = "payload";
  public static final String BODY_SHA256 = "sha256";
  /**
   * The fields of an entry the enqueue script writes, after the {@link #CODE} it issues, in this order. The script
   * carries these names in its source (rendered when it is loaded), so a call sends only the values; the body goes
   * as the request's bytes (it was validated as strict UTF-8, and decoding it to a String only to encode it again for
   * Redis cost about 5% of the gateway's CPU, profile).
   */
  public static final List<String> QUEUED_FIELDS =
      List.of(RID, CLIENT, RECEIVED_AT, IDEMPOTENCY_KEY, PAYLOAD, BODY_SHA256);

  public StreamEntry(String dossierId, String code, String clientId, String receivedAt, String idempotencyKey,
                     String payload) {
    this(dossierId, code, clientId, receivedAt, idempotencyKey, payload, null);
  }

  /**
   * Rebuilds the entry {@code entryId} from its field/value pairs (XREADGROUP, XRANGE); a missing field is left null,
   * and so is the dossier id when the entry carries neither {@link #ID} nor a {@link #RID} its id can name.
   */
  public static StreamEntry fromFields(Map<String, String> fields, String entryId) {
    return new StreamEntry(dossierIdOf(fields, entryId), fields.get(CODE), fields.get(CLIENT),
        fields.get(RECEIVED_AT), emptyToNull(fields.get(IDEMPOTENCY_KEY)), fields.get(PAYLOAD),
        emptyToNull(fields.get(BODY_SHA256)));
  }

  /** The id of the dossier queued as entry {@code entryId}: its {@link #ID} field, else named by its id and rid. */
  public static String dossierIdOf(Map<String, String> fields, String entryId) {
    String id = fields.get(ID);
    return id != null ? id : Partitions.entryDossierId(fields.get(RID), entryId);
  }

  /** Whether the entry carries its dossier's id, and so may have a queued receipt (see the class comment). */
  public static boolean carriesId(Map<String, String> fields) {
    return fields.containsKey(ID);
  }

  /**
   * Every field in stream order, as an entry that carries its id ({@link #ID}: an earlier release's, a fallback);
   * {@code code} included only when known (the enqueue script adds it).
   */
  public Map<String, String> toFields() {
    return fields(ID, dossierId);
  }

  /** The same as the enqueue script writes an entry today: the pre-id as {@link #RID}, named by the entry's id. */
  public Map<String, String> toQueuedFields() {
    return fields(RID, dossierId);
  }

  private Map<String, String> fields(String idField, String id) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (code != null) {
      fields.put(CODE, code);
    }
    fields.put(idField, id);
    fields.put(CLIENT, clientId);
    fields.put(RECEIVED_AT, receivedAt);
    fields.put(IDEMPOTENCY_KEY, idempotencyKey == null ? "" : idempotencyKey);
    fields.put(PAYLOAD, payload);
    if (bodySha256 != null) {
      fields.put(BODY_SHA256, bodySha256);
    }
    return fields;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
