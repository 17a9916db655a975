package vn.onewindow.common.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;

/**
 * Dossier rules: the receipt time zone, how long idempotency keys and queued receipts live, the procedure catalogue
 * and agency directory files, and how far ahead of the hub's clock an agency's progress event may be dated.
 */
public record DossierConfig(ZoneId zone, Duration idempotencyTtl, Duration receiptTtl, String catalogue,
                            String agencyDirectory, Duration eventClockSkew) {

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
        s.nonBlank("dossier.agency-directory"),
        Duration.ofSeconds(s.longIn("dossier.event-clock-skew-seconds", 0, 3600)));
  }
}
