package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import vn.onewindow.common.agency.AgencyCode;
import vn.onewindow.common.agency.AgencyDirectory;
import vn.onewindow.common.agency.Resolution;

/**
 * {@code receivingUnit} and {@code handlingAgency} against the agency directory on the dossier's reception date:
 * an unknown code is a violation naming the field, a code closed by the 2025 province mergers one naming its
 * successor (ops/docs/agencies.md). Codes the schema already refused (wrong shape) are not reported twice.
 */
final class AgencyCodes {
  private static final String[] FIELDS = {"receivingUnit", "handlingAgency"};
  /** The day the merged provinces' authorities started (Resolution 202/2025/QH15). */
  private static final LocalDate MERGERS = LocalDate.of(2025, 7, 1);

  private final AgencyDirectory directory;

  AgencyCodes(AgencyDirectory directory) {
    this.directory = directory;
  }

  List<Violation> check(JsonNode dossier, LocalDate receivedOn) {
    List<Violation> violations = new ArrayList<>();
    for (String field : FIELDS) {
      JsonNode node = dossier.path(field);
      if (!node.isTextual() || !AgencyCode.isWellFormed(node.asText())) {
        continue;
      }
      String code = node.asText();
      Resolution resolution = directory.resolve(code, receivedOn);
      if (resolution instanceof Resolution.Unknown) {
        violations.add(new Violation("/" + field, field + " " + code + " is not in the agency directory"));
      } else if (resolution instanceof Resolution.Closed closed) {
        violations.add(new Violation("/" + field, field + " " + code + " was closed on "
            + closed.closed().validTo() + (closed.closed().validTo().equals(MERGERS) ? " (province merger)" : "")
            + "; use its successor " + closed.successor().code() + " (" + closed.successor().name() + ")"));
      }
    }
    return violations;
  }
}
