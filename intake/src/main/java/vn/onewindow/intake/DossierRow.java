package vn.onewindow.intake;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.dossier.PayloadColumns;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.Digests;

/**
 * A stream entry that passed the structural checks and can be offered to PostgreSQL, with the columns read from its
 * payload by the one pass the intake makes over it ({@link PayloadColumns}).
 */
public record DossierRow(Delivery delivery, String dossierId, String code, String clientId, Instant receivedAt,
                         String idempotencyKey, String payload, String bodySha256, DossierTable.Columns columns,
                         LocalDate expectedResultBy) {

  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  public String entryId() {
    return delivery.entryId();
  }

  /** An entry that carries its id (an earlier release's, a fallback) has a queued receipt to delete once written. */
  public boolean hasReceipt() {
    return StreamEntry.carriesId(delivery.fields());
  }

  /** Either a row or the reason the entry is malformed (never quoting the entry's content). */
  public record Parsed(DossierRow row, String problem) {
  }

  public static Parsed parse(Delivery delivery) {
    Map<String, String> fields = delivery.fields();
    if (fields == null) {
      return new Parsed(null, "entry has no fields");
    }
    StreamEntry e = StreamEntry.fromFields(fields, delivery.entryId());
    if (e.dossierId() == null && fields.get(StreamEntry.RID) != null) {
      return new Parsed(null, "field 'rid' is not a UUID, or the entry's id names no dossier id");
    }
    String missing = e.dossierId() == null || e.dossierId().isEmpty() ? StreamEntry.ID
        : e.code() == null || e.code().isEmpty() ? StreamEntry.CODE
        : e.clientId() == null || e.clientId().isEmpty() ? StreamEntry.CLIENT
        : e.receivedAt() == null || e.receivedAt().isEmpty() ? StreamEntry.RECEIVED_AT
        : e.payload() == null || e.payload().isEmpty() ? StreamEntry.PAYLOAD
        : null;
    if (missing != null) {
      return new Parsed(null, "missing field '" + missing + "'");
    }
    if (!UUID.matcher(e.dossierId()).matches()) {
      return new Parsed(null, "field 'id' is not a UUID");
    }
    Instant receivedAt;
    try {
      receivedAt = Instant.parse(e.receivedAt());
    } catch (DateTimeException ex) {
      return new Parsed(null, "field 'receivedAt' is not an ISO-8601 instant");
    }
    PayloadColumns.Reading payload = PayloadColumns.read(e.payload());
    if (payload.verdict() == PayloadColumns.Verdict.NOT_AN_OBJECT) {
      return new Parsed(null, "field 'payload' is not a JSON object");
    }
    if (payload.verdict() == PayloadColumns.Verdict.UNREADABLE) {
      return new Parsed(null, "field 'payload' holds a value PostgreSQL cannot read back (U+0000, an unpaired "
          + "surrogate or a number beyond a double)");
    }
    DossierTable.Columns columns = payload.columns();
    if (columns.missing() != null) {
      return new Parsed(null, "field 'payload' has no text at /" + columns.missing());
    }
    return new Parsed(new DossierRow(delivery, e.dossierId().toLowerCase(Locale.ROOT), e.code(), e.clientId(),
        receivedAt, e.idempotencyKey(), e.payload(), bodySha256(e), columns,
        // null for an entry queued without it (an earlier release): nothing to derive it from that the receipt used
        StreamEntry.expectedResultBy(receivedAt, e.due())), null);
  }

  /** Entries queued before the gateway sent the digest: computed here, only where a retry could need it. */
  private static String bodySha256(StreamEntry e) {
    return e.bodySha256() != null || e.idempotencyKey() == null ? e.bodySha256() : Digests.sha256Hex(e.payload());
  }

  /** The row as the dossier INSERT takes it. */
  public DossierTable.NewDossier toNewDossier() {
    return new DossierTable.NewDossier(dossierId, code, clientId, receivedAt.toString(), idempotencyKey, payload,
        entryId(), bodySha256, columns, expectedResultBy);
  }
}
