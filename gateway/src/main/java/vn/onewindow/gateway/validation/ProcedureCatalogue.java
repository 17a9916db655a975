package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import vn.onewindow.common.calendar.DueDate;
import vn.onewindow.common.calendar.DueDates;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.dossier.Channel;

/** The procedures the hub accepts dossiers for ({@code config/procedures.json}), loaded once at start. */
public final class ProcedureCatalogue {

  /**
   * One procedure. {@code processingDays}: statutory working days; {@code cutOff}: a receipt after this local time
   * counts from the next working day (null: none); {@code formFields}: the required fields in {@code requiredFields}
   * order, then the optional ones the catalogue types, each with its type ({@link FormField#ANY} when untyped).
   */
  public record Procedure(String code, String name, String nameEn, String field, String level, int processingDays,
                          LocalTime cutOff, Set<Channel> channels, Set<String> applicantTypes,
                          List<String> requiredFields, List<FormField> formFields, int requiredAttachments,
                          boolean active) {

    /**
     * The due date of a dossier of this procedure received (or, for an agency's acceptance, validly received) at
     * {@code receivedAt}: its statutory working days and its cut-off, by THE RULE of {@link DueDates}. The receipt,
     * the due-date look-up and an acceptance without a date all ask here, so they cannot disagree on the arguments.
     *
     * @throws vn.onewindow.common.calendar.CalendarNotCoveredException when the loaded calendar does not reach it
     */
    public DueDate due(DueDates dueDates, Instant receivedAt) {
      return dueDates.due(receivedAt, processingDays, cutOff);
    }
  }

  private static final Set<String> KNOWN_APPLICANT_TYPES = Set.of("citizen", "business");

  private final String version;
  private final Map<String, Procedure> byCode;

  private ProcedureCatalogue(String version, Map<String, Procedure> byCode) {
    this.version = version;
    this.byCode = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byCode));
  }

  /**
   * Reads a classpath resource, or a file when {@code location} names one: the catalogue of dossier.catalogue, which
   * every error names with its variable, as an invalid setting ({@link ConfigException}).
   */
  public static ProcedureCatalogue load(String location) {
    Path path = Path.of(location);
    try (InputStream in = Files.isRegularFile(path) ? Files.newInputStream(path)
        : ProcedureCatalogue.class.getClassLoader().getResourceAsStream(location)) {
      if (in == null) {
        throw new ConfigException(named(location) + " is neither a file nor on the classpath");
      }
      return parse(new ObjectMapper().readTree(in), named(location));
    } catch (JsonProcessingException e) {
      throw new ConfigException(named(location) + " is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(named(location) + " could not be read: " + e.getMessage());
    } catch (IllegalStateException e) {
      // a field's type FieldTypeParser refuses; its message names the catalogue, the procedure and the field
      throw new ConfigException(e.getMessage());
    }
  }

  private static String named(String location) {
    return "procedure catalogue '" + location + "' (" + Settings.knob("dossier.catalogue") + ")";
  }

  private static ProcedureCatalogue parse(JsonNode root, String catalogue) {
    Map<String, Procedure> procedures = new LinkedHashMap<>();
    for (JsonNode p : root.path("procedures")) {
      String code = p.path("code").asText();
      if (code.isEmpty() || procedures.containsKey(code)) {
        throw new ConfigException(catalogue + ": missing or duplicate code '" + code + "'");
      }
      List<String> required = strings(p.path("requiredFields"));
      procedures.put(code, new Procedure(code, p.path("name").asText(), p.path("nameEn").asText(""),
          p.path("field").asText(), p.path("level").asText(), p.path("processingDays").asInt(),
          cutOff(p.path("cutOff"), code, catalogue), channels(p.path("channels"), code, catalogue),
          Set.copyOf(strings(p.path("applicantTypes"))), List.copyOf(required),
          formFields(required, p.get("fields"), catalogue + ": procedure " + code),
          p.path("requiredAttachments").asInt(0), p.path("active").asBoolean(true)));
    }
    if (procedures.isEmpty()) {
      throw new ConfigException(catalogue + " holds no procedures");
    }
    return new ProcedureCatalogue(root.path("version").asText("unversioned"), procedures);
  }

  /** Every procedure, in catalogue order. */
  public Collection<Procedure> all() {
    return byCode.values();
  }

  public Optional<Procedure> find(String code) {
    return Optional.ofNullable(byCode.get(code));
  }

  public int size() {
    return byCode.size();
  }

  public String version() {
    return version;
  }

  /**
   * The procedure-specific rules for a dossier received on {@code receivedOn} (the day a date field marked notFuture may
   * not pass); fields the schema already rejected are skipped, not reported twice.
   */
  public List<Violation> check(JsonNode dossier, LocalDate receivedOn) {
    List<Violation> violations = new ArrayList<>();
    JsonNode codeNode = dossier.path("procedureCode");
    if (!codeNode.isTextual()) {
      return violations;
    }
    Procedure procedure = byCode.get(codeNode.asText());
    if (procedure == null) {
      violations.add(new Violation("/procedureCode", "unknown procedure code: not in the procedure catalogue"));
      return violations;
    }
    if (!procedure.active()) {
      violations.add(new Violation("/procedureCode", "procedure " + procedure.code() + " is no longer in force"));
      return violations;
    }
    // Values outside the schema's enums were reported by the schema already.
    Channel.of(dossier.path("channel").asText("")).filter(c -> !procedure.channels().contains(c)).ifPresent(c ->
        violations.add(new Violation("/channel", "procedure " + procedure.code() + " does not accept channel '"
            + c.tag() + "' (accepts " + String.join(", ", procedure.channels().stream().map(Channel::tag).sorted()
            .toList()) + ")")));
    String applicantType = dossier.path("applicant").path("type").asText("");
    if (KNOWN_APPLICANT_TYPES.contains(applicantType) && !procedure.applicantTypes().contains(applicantType)) {
      violations.add(new Violation("/applicant/type", "procedure " + procedure.code() + " does not accept applicant type '"
          + applicantType + "'"));
    }
    JsonNode formData = dossier.path("formData");
    if (formData.isObject()) {
      checkForm(procedure, formData, FormField.day(receivedOn.getYear(), receivedOn.getMonthValue(),
          receivedOn.getDayOfMonth()), violations);
    }
    JsonNode attachments = dossier.path("attachments");
    if (attachments.isArray() && attachments.size() < procedure.requiredAttachments()) {
      violations.add(new Violation("/attachments", "procedure " + procedure.code() + " requires at least "
          + procedure.requiredAttachments() + " attachment(s), got " + attachments.size()));
    }
    return violations;
  }

  /**
   * Each field the procedure names: a required one missing, null, blank or {@link #invisible} is "required", and any
   * given value must be of its type. An optional field's null or blank is not given: a form sends a field left empty
   * (an unchosen select) as "", and such dossiers were accepted before fields had types. Fields the catalogue does not
   * name are not judged.
   */
  private static void checkForm(Procedure procedure, JsonNode formData, int receivedOn, List<Violation> violations) {
    List<FormField> fields = procedure.formFields();
    for (int i = 0; i < fields.size(); i++) {
      FormField field = fields.get(i);
      JsonNode value = formData.get(field.name());
      String wrong;
      if (value == null || value.isNull() || value.isTextual() && value.textValue().isBlank()) {
        wrong = field.required() ? "required by procedure " + procedure.code() : null;
      } else if (field.required() && value.isTextual() && invisible(value.textValue())) {
        wrong = "required by procedure " + procedure.code();
      } else {
        wrong = field.type().check(value, receivedOn);
      }
      if (wrong != null) {
        violations.add(new Violation(Violation.member("/formData", field.name()), wrong));
      }
    }
  }

  /**
   * Whether a text holds no character anyone sees: only spaces (a no-break space too), controls (NEL...) and format
   * characters (zero-width space, BOM, text-direction marks). Checked for a required field that is not blank only.
   */
  static boolean invisible(String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      int type = Character.getType(c);
      if (!Character.isWhitespace(c) && !Character.isSpaceChar(c) && type != Character.CONTROL
          && type != Character.FORMAT) {
        return false;
      }
      i += Character.charCount(c);
    }
    return true;
  }

  /**
   * The required fields in their order, then the optional ones {@code fields} types, in its order. An old catalogue
   * has no {@code fields}: every required field is then untyped ({@link FormField#ANY}), as before types existed.
   */
  private static List<FormField> formFields(List<String> required, JsonNode types, String where) {
    boolean given = types != null && !types.isNull();
    if (given && !types.isObject()) {
      throw new ConfigException(where + ": fields must be an object, each field's name to its type");
    }
    Map<String, FormField.Type> typed = new LinkedHashMap<>();
    if (given) {
      types.fields().forEachRemaining(f -> typed.put(f.getKey(), FieldTypeParser.parse(f.getValue(),
          where + ", field " + f.getKey())));
    }
    List<FormField> fields = new ArrayList<>();
    for (String name : required) {
      fields.add(new FormField(name, true, typed.getOrDefault(name, FormField.ANY)));
    }
    typed.forEach((name, type) -> {
      if (!required.contains(name)) {
        fields.add(new FormField(name, false, type));
      }
    });
    return List.copyOf(fields);
  }

  private static LocalTime cutOff(JsonNode value, String code, String catalogue) {
    if (value.isMissingNode() || value.isNull()) {
      return null;
    }
    try {
      return LocalTime.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw new ConfigException(catalogue + ": procedure " + code + " has cutOff '" + value.asText()
          + "', expected HH:mm");
    }
  }

  private static Set<Channel> channels(JsonNode array, String code, String catalogue) {
    Set<Channel> channels = new java.util.HashSet<>();
    for (String name : strings(array)) {
      channels.add(Channel.of(name).orElseThrow(() -> new ConfigException(catalogue + ": procedure " + code
          + " names an unknown channel '" + name + "'")));
    }
    return Set.copyOf(channels);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
