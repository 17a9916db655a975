package vn.onewindow.common.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

/**
 * Dossier rules: the receipt time zone, how long idempotency keys and queued receipts live, the procedure catalogue
 * and agency directory files, how far ahead of the hub's clock an agency's progress event may be dated, where the
 * official working-day calendar ({@code calendarDir}, years {@code calendarFirstYear} to {@code calendarLastYear}) is
 * read from, and {@code directCheck}: how often a gateway asks PostgreSQL whether the direct path (Redis down) wrote
 * dossiers recently, so that their Idempotency-Keys are honoured once Redis is back.
 */
public record DossierConfig(ZoneId zone, Duration idempotencyTtl, Duration receiptTtl, String catalogue,
                            String agencyDirectory, Duration eventClockSkew, String calendarDir,
                            int calendarFirstYear, int calendarLastYear, Duration directCheck,
                            List<String> attachmentUriPrefixes) {

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
    int first = s.intIn("calendar.first-year", 2000, 2100);
    int last = s.intIn("calendar.last-year", 2000, 2100);
    if (first > last) {
      throw s.conflict("{} must not be after {}: the calendar loads the years from the first to the last",
          "calendar.first-year", "calendar.last-year");
    }
    // A dossier received today may be due next year: the calendar must already hold it.
    int needed = LocalDate.now(zone).getYear() + 1;
    if (last < needed) {
      throw s.invalid("calendar.last-year", Integer.toString(last), "must be at least " + needed + " (next year): a "
          + "dossier received in late December is due in January; add " + needed + ".yaml to calendar.dir, "
          + "provisional until the official notice");
    }
    return new DossierConfig(zone, idempotency, receipt, s.nonBlank("dossier.catalogue"),
        s.nonBlank("dossier.agency-directory"),
        Duration.ofSeconds(s.longIn("dossier.event-clock-skew-seconds", 0, 3600)),
        s.nonBlank("calendar.dir"), first, last, s.millis("dossier.direct-check-ms", 100, 3_600_000),
        attachmentUriPrefixes(s));
  }

  private static List<String> attachmentUriPrefixes(Settings s) {
    List<String> prefixes = Arrays.stream(s.nonBlank("dossier.attachment-uri-prefixes").split(","))
        .map(String::trim).filter(p -> !p.isEmpty()).toList();
    if (prefixes.isEmpty()) {
      // "," is not blank, and lists nothing: every attachment would be refused
      throw s.invalid("dossier.attachment-uri-prefixes", s.nonBlank("dossier.attachment-uri-prefixes"),
          "must list at least one URI prefix of the portal's storage");
    }
    for (String prefix : prefixes) {
      // a host ends with its "/": https://files.example.gov.vn would also admit https://files.example.gov.vn.evil
      if (!prefix.matches("(s3|https|minio)://([^\\s@/]+/[^\\s@]*)?")) {
        throw s.invalid("dossier.attachment-uri-prefixes", prefix,
            "must list URI prefixes of the portal's storage: s3://, https:// or minio://, then the bucket or host "
                + "and a '/' (and any path), without user information");
      }
    }
    return prefixes;
  }
}
