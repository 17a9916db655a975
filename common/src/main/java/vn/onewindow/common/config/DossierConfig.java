package vn.onewindow.common.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;

/**
 * Dossier codes, idempotency and receipts. {@code directCheck}: how often a gateway asks PostgreSQL whether the direct
 * path (Redis down) wrote dossiers recently, so that their Idempotency-Keys are honoured once Redis is back.
 */
public record DossierConfig(ZoneId zone, Duration idempotencyTtl, Duration receiptTtl, String catalogue,
                            Duration directCheck) {

  public static DossierConfig from(Settings s) {
    ZoneId zone;
    try {
      zone = ZoneId.of(s.nonBlank("dossier.zone"));
    } catch (DateTimeException e) {
      throw s.invalid("dossier.zone", s.string("dossier.zone"), "is not a time-zone id");
    }
    Duration idempotency = Duration.ofSeconds(s.longIn("dossier.idempotency-ttl-seconds", 60, 30L * 86400));
    Duration receipt = Duration.ofSeconds(s.longIn("dossier.receipt-ttl-seconds", 60, 30L * 86400));
    if (receipt.compareTo(idempotency) < 0) {
      throw s.invalid("dossier.receipt-ttl-seconds", String.valueOf(receipt.toSeconds()),
          "must be at least dossier.idempotency-ttl-seconds (" + idempotency.toSeconds() + ")");
    }
    return new DossierConfig(zone, idempotency, receipt, s.nonBlank("dossier.catalogue"),
        s.millis("dossier.direct-check-ms", 100, 3_600_000));
  }
}
