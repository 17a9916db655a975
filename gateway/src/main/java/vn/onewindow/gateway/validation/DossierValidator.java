package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import vn.onewindow.common.agency.AgencyDirectory;

/**
 * Checks a parsed dossier against the JSON Schema of the API contract ({@code config/schema}), then against the
 * procedure catalogue and the agency directory (on the reception date in {@code dossier.zone}), and reports every
 * offending field at once. Thread-safe; build once per process.
 */
public final class DossierValidator {
  public static final String SCHEMA_RESOURCE = "config/schema/dossier-submission.schema.json";

  private final JsonSchemas schema = JsonSchemas.load(SCHEMA_RESOURCE);
  private final ProcedureCatalogue catalogue;
  private final AttachmentUris attachments;
  private final AgencyCodes agencies;
  private final ZoneId zone;
  private final Clock clock;

  public DossierValidator(ProcedureCatalogue catalogue, AgencyDirectory directory, List<String> attachmentUriPrefixes,
                          ZoneId zone, Clock clock) {
    this.catalogue = catalogue;
    this.attachments = new AttachmentUris(attachmentUriPrefixes);
    this.agencies = new AgencyCodes(directory);
    this.zone = zone;
    this.clock = clock;
  }

  public ProcedureCatalogue catalogue() {
    return catalogue;
  }

  /** Every violation, sorted by field; empty when the dossier may be accepted if received now. */
  public List<Violation> validate(JsonNode dossier) {
    return validate(dossier, LocalDate.now(clock.withZone(zone)));
  }

  /** Every violation of a dossier received on {@code receivedOn} (the date agency codes are resolved on). */
  public List<Violation> validate(JsonNode dossier, LocalDate receivedOn) {
    Set<Violation> violations = schema.validate(dossier);
    // an oversized body is not walked again by the checks below (one violation per attachment...)
    if (dossier.isObject() && !violations.contains(JsonSchemas.TOO_MANY_VALUES)) {
      violations.addAll(catalogue.check(dossier));
      violations.addAll(agencies.check(dossier, receivedOn));
      violations.addAll(attachments.check(dossier));
    }
    return new ArrayList<>(violations);
  }
}
