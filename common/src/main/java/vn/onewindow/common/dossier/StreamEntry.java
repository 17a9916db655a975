package vn.onewindow.common.dossier;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of one queued dossier in the Redis stream: the contract between gateway (writer) and intake (reader).
 * {@code payload} is the validated request body exactly as received; {@code bodySha256} its digest, computed once by
 * the gateway (it lets a later retry of the same Idempotency-Key be recognised) and absent on entries written before
 * it was added. The {@code code} is set by the enqueue script, which issues it. {@code due} is the date the receipt
 * promised ({@code expectedResultBy}) in its compact form ({@link #DUE}), absent on entries written before it was
 * added.
 *
 * <p>The dossier's id is the entry's own id with the gateway's pre-id ({@link #RID}; {@link Partitions#entryDossierId}),
 * or the {@link #ID} field where an entry carries it: entries of earlier releases, the enqueue script's fallback
 * (a sequence beyond 12 bits), and copies whose entry id is not the original's (dead letters). Only entries with an
 * {@link #ID} field have a queued receipt (PartitionKeys#receipt) to delete once their row is written.
 */
public record StreamEntry(String dossierId, String code, String clientId, String receivedAt, String idempotencyKey,
                          String payload, String bodySha256, String due) {

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
   * The receipt's {@code expectedResultBy} as the number of days after the UTC date of {@link #RECEIVED_AT} (one to
   * three digits: a listpack keeps it as a small integer), not a ten-character date: the stream carries every dossier,
   * and the entry's receipt time already says the rest ({@link #due(Instant, LocalDate)}, {@link
   * #expectedResultBy(Instant, String)}).
   */
  public static final String DUE = "due";
  /**
   * The fields of an entry the enqueue script writes, after the {@link #CODE} it issues, in this order. The script
   * carries these names in its source (rendered when it is loaded), so a call sends only the values; the body goes
   * as the request's bytes (it was validated as strict UTF-8, and decoding it to a String only to encode it again for
   * Redis cost about 5% of the gateway's CPU, profile).
   */
  public static final List<String> QUEUED_FIELDS =
      List.of(RID, CLIENT, RECEIVED_AT, IDEMPOTENCY_KEY, PAYLOAD, BODY_SHA256, DUE);
  private static final long SECONDS_PER_DAY = 86_400;
  /** Longer than any count of days a due date lies after its receipt: a longer field is unreadable, not a date. */
  private static final int MAX_DUE_LENGTH = 5;

  /** An entry as releases before {@link #BODY_SHA256} and {@link #DUE} queued it. */
  public StreamEntry(String dossierId, String code, String clientId, String receivedAt, String idempotencyKey,
                     String payload) {
    this(dossierId, code, clientId, receivedAt, idempotencyKey, payload, null, null);
  }

  /** An entry as releases before {@link #DUE} queued it. */
  public StreamEntry(String dossierId, String code, String clientId, String receivedAt, String idempotencyKey,
                     String payload, String bodySha256) {
    this(dossierId, code, clientId, receivedAt, idempotencyKey, payload, bodySha256, null);
  }

  /** The {@link #DUE} field of a dossier received at {@code receivedAt} whose receipt promised {@code expected}. */
  public static String due(Instant receivedAt, LocalDate expected) {
    return Long.toString(expected.toEpochDay() - Math.floorDiv(receivedAt.getEpochSecond(), SECONDS_PER_DAY));
  }

  /**
   * The date a {@link #DUE} field names for a dossier received at {@code receivedAt}; null when the entry has none
   * (queued by an earlier release) or one that is not a count of days. Never a reason to refuse the entry: the date
   * is a copy of what the receipt said, and the dossier is whole without it.
   */
  public static LocalDate expectedResultBy(Instant receivedAt, String due) {
    if (due == null || due.isEmpty() || due.length() > MAX_DUE_LENGTH) {
      return null;
    }
    try {
      return LocalDate.ofEpochDay(Math.floorDiv(receivedAt.getEpochSecond(), SECONDS_PER_DAY) + Integer.parseInt(due));
    } catch (NumberFormatException | DateTimeException e) {
      return null;
    }
  }

  /** The receipt's promised date this entry carries, or null (none, or a receipt time or field it cannot read). */
  public LocalDate expectedResultBy() {
    try {
      return receivedAt == null ? null : expectedResultBy(Instant.parse(receivedAt), due);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /**
   * Rebuilds the entry {@code entryId} from its field/value pairs (XREADGROUP, XRANGE); a missing field is left null,
   * and so is the dossier id when the entry carries neither {@link #ID} nor a {@link #RID} its id can name.
   */
  public static StreamEntry fromFields(Map<String, String> fields, String entryId) {
    return new StreamEntry(dossierIdOf(fields, entryId), fields.get(CODE), fields.get(CLIENT),
        fields.get(RECEIVED_AT), emptyToNull(fields.get(IDEMPOTENCY_KEY)), fields.get(PAYLOAD),
        emptyToNull(fields.get(BODY_SHA256)), emptyToNull(fields.get(DUE)));
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
    if (due != null) {
      fields.put(DUE, due);
    }
    return fields;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
