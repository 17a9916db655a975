package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
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
      // a field the schema refused is not judged again: a code of the wrong shape is of course not in the catalogue,
      // and its entry says what shape it must have
      Set<String> refused = fields(violations);
      addUnlessRefused(violations, refused, catalogue.check(dossier, receivedOn));
      addUnlessRefused(violations, refused, agencies.check(dossier, receivedOn));
      addUnlessRefused(violations, refused, attachments.check(dossier));
    }
    return new ArrayList<>(violations);
  }

  /** The fields named; nothing allocated for a dossier the schema passed (every accepted one). */
  private static Set<String> fields(Set<Violation> violations) {
    if (violations.isEmpty()) {
      return Set.of();
    }
    Set<String> fields = new HashSet<>();
    violations.forEach(v -> fields.add(v.pointer()));
    return fields;
  }

  private static void addUnlessRefused(Set<Violation> violations, Set<String> refused, List<Violation> checked) {
    for (Violation v : checked) {
      if (!refused.contains(v.pointer())) {
        violations.add(v);
      }
    }
  }
}
