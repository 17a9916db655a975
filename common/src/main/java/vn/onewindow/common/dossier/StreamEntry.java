package vn.onewindow.common.dossier;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of one queued dossier in the Redis stream: the contract between gateway (writer) and intake (reader).
 * {@code payload} is the validated request body exactly as received; {@code bodySha256} its digest, computed once by
 * the gateway (it lets a later retry of the same Idempotency-Key be recognised) and absent on entries written before
 * it was added. The {@code code} is set by the enqueue script, which issues it.
 */
public record StreamEntry(String dossierId, String code, String clientId, String receivedAt, String idempotencyKey,
                          String payload, String bodySha256) {

  public static final String ID = "id";
  public static final String CODE = "code";
  public static final String CLIENT = "client";
  public static final String RECEIVED_AT = "receivedAt";
  public static final String IDEMPOTENCY_KEY = "idemKey";
  public static final String PAYLOAD = "payload";
  public static final String BODY_SHA256 = "sha256";
  /**
   * The fields the gateway sends the enqueue script, in the order of {@link #queuedValues}; the script puts the
   * {@link #CODE} it issues first. The script carries these names in its source (rendered when it is loaded), so a
   * call sends only the values.
   */
  public static final List<String> QUEUED_FIELDS =
      List.of(ID, CLIENT, RECEIVED_AT, IDEMPOTENCY_KEY, PAYLOAD, BODY_SHA256);

  public StreamEntry(String dossierId, String code, String clientId, String receivedAt, String idempotencyKey,
                     String payload) {
    this(dossierId, code, clientId, receivedAt, idempotencyKey, payload, null);
  }

  /**
   * The values of {@link #QUEUED_FIELDS}, in order. The payload goes as the body's bytes: it was validated as strict
   * UTF-8, and decoding it to a String only to encode it again for Redis cost about 5% of the gateway's CPU (profile).
   */
  public static List<Object> queuedValues(String dossierId, String clientId, String receivedAt, String idempotencyKey,
                                          byte[] payload, String bodySha256) {
    return List.of(dossierId, clientId, receivedAt, idempotencyKey == null ? "" : idempotencyKey, payload,
        bodySha256);
  }

  /** Rebuilds an entry from the field/value pairs of XREADGROUP; a missing field is left null. */
  public static StreamEntry fromFields(Map<String, String> fields) {
    return new StreamEntry(fields.get(ID), fields.get(CODE), fields.get(CLIENT), fields.get(RECEIVED_AT),
        emptyToNull(fields.get(IDEMPOTENCY_KEY)), fields.get(PAYLOAD), emptyToNull(fields.get(BODY_SHA256)));
  }

  /** Every field in stream order; {@code code} included only when known (the enqueue script adds it). */
  public Map<String, String> toFields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(ID, dossierId);
    if (code != null) {
      fields.put(CODE, code);
    }
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
