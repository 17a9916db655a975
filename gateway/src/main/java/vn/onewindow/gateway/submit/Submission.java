package vn.onewindow.gateway.submit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import vn.onewindow.common.dossier.DossierTable;

/**
 * A validated dossier ready to be queued, with everything the enqueue script needs. {@code applicantHash} lets a
 * citizen holding a verified token find the dossier without the citizen ID being stored in clear next to it;
 * {@code applicantKey} (a hash of the citizen ID or tax code) keys the applicant's rate limit. {@code body} is the
 * request body exactly as received and validated (strict UTF-8 JSON): queued as these bytes, never re-encoded.
 * {@code dossierId} is the pre-id ({@code Partitions.newDossierId}): the dossier's id on the direct PostgreSQL path;
 * through Redis the id is the one the enqueue script answers, named by the dossier's stream entry (which carries the
 * pre-id as {@code rid}), the pre-id only in the script's fallback.
 */
public record Submission(
    String dossierId,
    String clientId,
    String idempotencyKey,
    String bodySha256,
    byte[] body,
    String procedureCode,
    String receivingUnit,
    String handlingAgency,
    String channel,
    String applicantType,
    Instant receivedAt,
    LocalDate receiptDate,
    LocalDate expectedResultBy,
    String applicantHash,
    String applicantKey) {

  /** The row's columns read from the body, as the gateway's parse read them (the direct path writes them). */
  public DossierTable.Columns columns() {
    return new DossierTable.Columns(procedureCode, receivingUnit, handlingAgency, channel, applicantType);
  }

  /** The body as text, for the direct PostgreSQL path (Redis down). */
  public String payload() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
