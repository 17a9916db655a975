package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a parsed dossier against the JSON Schema of the API contract ({@code config/schema}) and then against the
 * procedure catalogue, and reports every offending field at once. Thread-safe; build once per process.
 */
public final class DossierValidator {
  public static final String SCHEMA_RESOURCE = "config/schema/dossier-submission.schema.json";

  private final JsonSchema schema;
  private final ProcedureCatalogue catalogue;

  public DossierValidator(ProcedureCatalogue catalogue) {
    this.catalogue = catalogue;
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
        .pathType(PathType.JSON_POINTER)
        .formatAssertionsEnabled(true)
        .locale(Locale.ENGLISH)
        .build();
    try (InputStream in = DossierValidator.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("JSON schema " + SCHEMA_RESOURCE + " not found on the classpath");
      }
      this.schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ProcedureCatalogue catalogue() {
    return catalogue;
  }

  /** Every violation, sorted by field; empty when the dossier may be accepted. */
  public List<Violation> validate(JsonNode dossier) {
    Set<Violation> violations = new TreeSet<>();
    for (ValidationMessage message : schema.validate(dossier)) {
      violations.add(toViolation(message));
    }
    if (dossier.isObject()) {
      violations.addAll(catalogue.check(dossier));
    }
    return new ArrayList<>(violations);
  }

  private static Violation toViolation(ValidationMessage message) {
    String pointer = message.getInstanceLocation().toString();
    if (pointer.isEmpty() || "/".equals(pointer)) {
      pointer = "";
    }
    String property = message.getProperty();
    if (property != null && ("required".equals(message.getType()) || "additionalProperties".equals(message.getType())
        || "dependentRequired".equals(message.getType()))) {
      pointer = pointer + "/" + property.replace("~", "~0").replace("/", "~1");
    }
    String text = message.getMessage();
    int colon = text.indexOf(": ");
    String detail = colon > 0 && text.substring(0, colon).startsWith("/") || colon > 0 && text.startsWith(": ")
        ? text.substring(colon + 2) : text;
    if (text.startsWith(": ")) {
      detail = text.substring(2);
    }
    return new Violation(pointer.isEmpty() ? "/" : pointer, detail);
  }
}
