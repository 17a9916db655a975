package vn.onewindow.gateway.submit;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A validated dossier ready to be queued, with everything the enqueue script needs. {@code applicantHash} lets a
 * citizen holding a verified token find the dossier without the citizen ID being stored in clear next to it;
 * {@code applicantKey} (a hash of the citizen ID or tax code) keys the applicant's rate limit.
 */
public record Submission(
    String dossierId,
    String clientId,
    String idempotencyKey,
    String bodySha256,
    String payload,
    String procedureCode,
    String receivingUnit,
    String handlingAgency,
    String channel,
    Instant receivedAt,
    LocalDate receiptDate,
    LocalDate expectedResultBy,
    String applicantHash,
    String applicantKey) {
}
