package vn.onewindow.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onewindow.common.agency.AgencyDirectory;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.gateway.GatewayFixture;

/**
 * The catalogue's form field types, without a server: each type's check of a birth registration's formData on a fixed
 * day of receipt, and the catalogue files the loader refuses (naming the procedure and the field) or still reads (no
 * types: any non-empty value, as before types existed).
 */
class FormFieldTypesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BIRTH = "1.001612.000.00.00.H48";
  private static final LocalDate RECEIVED_ON = LocalDate.of(2026, 12, 6);
  private static final String DATE_WORDS = "must be a date YYYY-MM-DD (for example 2026-11-23)";
  private static final AgencyDirectory AGENCIES = AgencyDirectory.load("config/agencies.json");

  /** The birth registration with every type: placeOfBirth is left untyped, six optional fields are typed. */
  private static final String TYPED_FIELDS = """
      {
        "childFullName": {"type": "text", "maxLength": 30},
        "childDateOfBirth": {"type": "date", "notFuture": true},
        "fatherFullName": {"type": "text", "maxLength": 100},
        "motherFullName": {"type": "text", "maxLength": 100},
        "childGender": {"type": "enum", "values": ["Nam", "Nữ"]},
        "birthOrder": {"type": "integer", "minimum": 1, "maximum": 20},
        "birthWeightKg": {"type": "decimal", "minimum": 0.3, "maximum": 9.9},
        "twins": {"type": "boolean"},
        "registeredLate": {"type": "boolean"},
        "expectedCollection": {"type": "date"}
      }""";

  @TempDir
  static Path dir;
  private static DossierValidator typed;
  private static DossierValidator untyped;

  @BeforeAll
  static void load() throws IOException {
    typed = validator(catalogue("typed.json", TYPED_FIELDS));
    untyped = validator(catalogue("untyped.json", null));
  }

  @Test
  void shouldAcceptTheExampleAndEveryTypeWellFormed() {
    assertThat(typed.validate(birth(f -> { }), RECEIVED_ON)).isEmpty();
    assertThat(typed.validate(birth(f -> f.put("childGender", "Nữ").put("birthOrder", 2).put("birthWeightKg", 3.15)
        .put("twins", false).put("registeredLate", true).put("expectedCollection", "2027-01-04")
        // the day of receipt itself is not in the future; 29 February of a leap year exists
        .put("childDateOfBirth", "2026-12-06")), RECEIVED_ON)).isEmpty();
    assertThat(typed.validate(birth(f -> f.put("childDateOfBirth", "2024-02-29").put("birthWeightKg", 3)
        .put("birthOrder", 20)), RECEIVED_ON)).isEmpty();
  }

  @Test
  void shouldRefuseADateOfAnyOtherTypeOrShape() {
    for (Consumer<ObjectNode> bad : List.<Consumer<ObjectNode>>of(f -> f.put("childDateOfBirth", 12),
        f -> f.put("childDateOfBirth", true), f -> f.put("childDateOfBirth", 20261028),
        f -> f.put("childDateOfBirth", "2026-2-3"), f -> f.put("childDateOfBirth", "26-10-28"),
        f -> f.put("childDateOfBirth", "2026/10/28"), f -> f.put("childDateOfBirth", "28-10-2026"),
        f -> f.put("childDateOfBirth", "2026-10-28T00:00:00+07:00"), f -> f.put("childDateOfBirth", " 2026-10-28"),
        f -> f.put("childDateOfBirth", "+2026-10-28"), f -> f.put("childDateOfBirth", "２０２６-10-28"),
        f -> f.put("childDateOfBirth", "2026-1٠-28"))) {
      ObjectNode dossier = birth(bad);
      assertThat(typed.validate(dossier, RECEIVED_ON)).as(dossier.get("formData").toString())
          .containsExactly(new Violation("/formData/childDateOfBirth", DATE_WORDS));
    }
  }

  @Test
  void shouldRefuseADayTheCalendarDoesNotHave() {
    Map<String, String> refused = Map.of(
        "2026-02-30", "must be a real calendar date: 2026-02 has days 01 to 28",
        "2026-02-29", "must be a real calendar date: 2026-02 has days 01 to 28",
        "2100-02-29", "must be a real calendar date: 2100-02 has days 01 to 28",
        "2026-04-31", "must be a real calendar date: 2026-04 has days 01 to 30",
        "2026-10-00", "must be a real calendar date: 2026-10 has days 01 to 31",
        "2026-13-01", "must be a real calendar date: months run from 01 to 12",
        "2026-00-10", "must be a real calendar date: months run from 01 to 12",
        "0000-01-01", "must be a real calendar date: years run from 0001");
    refused.forEach((date, detail) -> assertThat(typed.validate(birth(f -> f.put("childDateOfBirth", date)),
        RECEIVED_ON)).as(date).containsExactly(new Violation("/formData/childDateOfBirth", detail)));
    assertThat(typed.validate(birth(f -> f.put("childDateOfBirth", "2000-02-29")), RECEIVED_ON)).isEmpty();
  }

  @Test
  void shouldRefuseADateAfterTheDayOfReceiptOnlyWhereTheCatalogueSaysSo() {
    assertThat(typed.validate(birth(f -> f.put("childDateOfBirth", "2026-12-07")), RECEIVED_ON)).containsExactly(
        new Violation("/formData/childDateOfBirth", "must not be later than the day of receipt, 2026-12-06"));
    assertThat(typed.validate(birth(f -> f.put("childDateOfBirth", "2026-12-07")), RECEIVED_ON.plusDays(1)))
        .isEmpty();
    assertThat(typed.validate(birth(f -> f.put("expectedCollection", "9999-12-31")), RECEIVED_ON)).isEmpty();
  }

  @Test
  void shouldCountATextsLengthInCharactersAndRefuseOtherTypes() {
    // 30 characters outside the Basic Multilingual Plane are 60 UTF-16 units: still 30 characters
    assertThat(typed.validate(birth(f -> f.put("childFullName", "\uD83D\uDE00".repeat(30))), RECEIVED_ON)).isEmpty();
    assertThat(typed.validate(birth(f -> f.put("childFullName", "Nguyễn Thị Thử Nghiệm Mẫu Dài Ơi")), RECEIVED_ON))
        .containsExactly(new Violation("/formData/childFullName", "must be at most 30 characters long"));
    assertThat(typed.validate(birth(f -> f.put("childFullName", "\uD83D\uDE00".repeat(31))), RECEIVED_ON))
        .containsExactly(new Violation("/formData/childFullName", "must be at most 30 characters long"));
    assertThat(typed.validate(birth(f -> f.put("childFullName", 42)), RECEIVED_ON))
        .containsExactly(new Violation("/formData/childFullName", "integer found, string expected"));
    assertThat(typed.validate(birth(f -> f.put("motherFullName", false)), RECEIVED_ON))
        .containsExactly(new Violation("/formData/motherFullName", "boolean found, string expected"));
    assertThat(typed.validate(birth(f -> f.put("fatherFullName", 1.5)), RECEIVED_ON))
        .containsExactly(new Violation("/formData/fatherFullName", "number found, string expected"));
  }

  @Test
  void shouldHoldNumbersToTheirTypeAndBounds() {
    Map<Consumer<ObjectNode>, Violation> refused = new java.util.LinkedHashMap<>();
    refused.put(f -> f.put("birthOrder", "2"), new Violation("/formData/birthOrder", "string found, integer expected"));
    refused.put(f -> f.put("birthOrder", 2.5), new Violation("/formData/birthOrder", "number found, integer expected"));
    refused.put(f -> f.put("birthOrder", 2.0), new Violation("/formData/birthOrder", "number found, integer expected"));
    refused.put(f -> f.put("birthOrder", 0), new Violation("/formData/birthOrder", "must have a minimum value of 1"));
    refused.put(f -> f.put("birthOrder", 21), new Violation("/formData/birthOrder", "must have a maximum value of 20"));
    refused.put(f -> f.put("birthOrder", new java.math.BigInteger("100000000000000000000")),
        new Violation("/formData/birthOrder", "must have a maximum value of 20"));
    refused.put(f -> f.put("birthOrder", new java.math.BigInteger("-100000000000000000000")),
        new Violation("/formData/birthOrder", "must have a minimum value of 1"));
    refused.put(f -> f.put("birthWeightKg", "3.2"),
        new Violation("/formData/birthWeightKg", "string found, number expected"));
    refused.put(f -> f.put("birthWeightKg", 0.29),
        new Violation("/formData/birthWeightKg", "must have a minimum value of 0.3"));
    refused.put(f -> f.put("birthWeightKg", 10), new Violation("/formData/birthWeightKg",
        "must have a maximum value of 9.9"));
    refused.forEach((bad, violation) -> {
      ObjectNode dossier = birth(bad);
      assertThat(typed.validate(dossier, RECEIVED_ON)).as(dossier.get("formData").toString())
          .containsExactly(violation);
    });
  }

  @Test
  void shouldHoldBooleansAndChoicesToTheirType() {
    assertThat(typed.validate(birth(f -> f.put("twins", "true")), RECEIVED_ON))
        .containsExactly(new Violation("/formData/twins", "string found, boolean expected"));
    assertThat(typed.validate(birth(f -> f.put("twins", 1)), RECEIVED_ON))
        .containsExactly(new Violation("/formData/twins", "integer found, boolean expected"));
    assertThat(typed.validate(birth(f -> f.put("childGender", "male")), RECEIVED_ON)).containsExactly(
        new Violation("/formData/childGender", "does not have a value in the enumeration [Nam, Nữ]"));
    assertThat(typed.validate(birth(f -> f.put("childGender", "nam")), RECEIVED_ON)).as("codes are exact")
        .extracting(Violation::pointer).containsExactly("/formData/childGender");
    assertThat(typed.validate(birth(f -> f.put("childGender", 1)), RECEIVED_ON))
        .containsExactly(new Violation("/formData/childGender", "integer found, string expected"));
  }

  @Test
  void shouldReportEveryBadFieldOnceAndKeepTheRulesForMissingAndExtraFields() {
    ObjectNode dossier = birth(f -> {
      f.put("childDateOfBirth", "2026-02-30").put("childFullName", 7).put("twins", "no").put("birthOrder", 0);
      f.remove("motherFullName");
      // unknown to the catalogue: not judged, as before
      f.put("contactNote", 12).put("anotherExtra", "x".repeat(3000));
      // optional and null: not given
      f.putNull("childGender");
    });

    assertThat(typed.validate(dossier, RECEIVED_ON)).containsExactly(
        new Violation("/formData/birthOrder", "must have a minimum value of 1"),
        new Violation("/formData/childDateOfBirth", "must be a real calendar date: 2026-02 has days 01 to 28"),
        new Violation("/formData/childFullName", "integer found, string expected"),
        new Violation("/formData/motherFullName", "required by procedure " + BIRTH),
        new Violation("/formData/twins", "string found, boolean expected"));
    // a required field empty or null is missing, whatever its type
    assertThat(typed.validate(birth(f -> f.put("childDateOfBirth", " ").putNull("childFullName")), RECEIVED_ON))
        .containsExactly(new Violation("/formData/childDateOfBirth", "required by procedure " + BIRTH),
            new Violation("/formData/childFullName", "required by procedure " + BIRTH));
    // untyped (no entry in "fields"): any non-empty value, as before
    assertThat(typed.validate(birth(f -> f.put("placeOfBirth", 12)), RECEIVED_ON)).isEmpty();
  }

  @Test
  void shouldLeaveAFieldTheSchemaRefusedToTheSchemasEntry() {
    ObjectNode dossier = birth(f -> f.put("childFullName", "x".repeat(4001)));

    assertThat(typed.validate(dossier, RECEIVED_ON)).extracting(Violation::pointer)
        .containsExactly("/formData/childFullName");
    assertThat(typed.validate(dossier, RECEIVED_ON).get(0).detail()).contains("at most 4,000 characters");
  }

  @Test
  void shouldStillReadACatalogueWithoutTypes() {
    assertThat(untyped.catalogue().find(BIRTH).orElseThrow().requiredFields()).contains("childDateOfBirth");
    assertThat(untyped.validate(birth(f -> f.put("childDateOfBirth", 12).put("childGender", 5)), RECEIVED_ON))
        .isEmpty();
    assertThat(untyped.validate(birth(f -> f.put("childDateOfBirth", "")), RECEIVED_ON)).containsExactly(
        new Violation("/formData/childDateOfBirth", "required by procedure " + BIRTH));
  }

  @Test
  void shouldRefuseACatalogueWhoseTypesCannotBeApplied() {
    Map<String, String> broken = new java.util.LinkedHashMap<>();
    broken.put("{\"childDateOfBirth\": {\"type\": \"datetime\"}}", "childDateOfBirth has type 'datetime'");
    broken.put("{\"childDateOfBirth\": {}}", "childDateOfBirth has type ''");
    broken.put("{\"childFullName\": {\"type\": \"text\"}}", "childFullName: text needs maxLength");
    broken.put("{\"childFullName\": {\"type\": \"text\", \"maxLength\": 0}}", "childFullName: maxLength must be");
    broken.put("{\"childFullName\": {\"type\": \"text\", \"maxlength\": 10}}", "childFullName: unknown attribute "
        + "'maxlength'");
    broken.put("{\"birthOrder\": {\"type\": \"integer\", \"minimum\": 5, \"maximum\": 1}}", "birthOrder: minimum 5 "
        + "is above maximum 1");
    broken.put("{\"birthOrder\": {\"type\": \"integer\", \"minimum\": 1.5, \"maximum\": 9}}", "birthOrder: minimum "
        + "must be a whole number");
    broken.put("{\"birthOrder\": {\"type\": \"integer\", \"maximum\": 9}}", "birthOrder: integer needs minimum");
    broken.put("{\"w\": {\"type\": \"decimal\", \"minimum\": \"0\", \"maximum\": 9}}", "w: minimum must be a number");
    broken.put("{\"g\": {\"type\": \"enum\", \"values\": []}}", "g: enum needs values");
    broken.put("{\"g\": {\"type\": \"enum\", \"values\": [\"A\", \"A\"]}}", "g: values name 'A' twice");
    broken.put("{\"g\": {\"type\": \"enum\", \"values\": [\"A\", 1]}}", "g: values must be non-empty strings");
    broken.put("{\"d\": {\"type\": \"date\", \"notFuture\": \"yes\"}}", "d: notFuture must be true or false");
    broken.put("[\"childFullName\"]", "fields must be an object");
    broken.forEach((fields, message) -> assertThatThrownBy(() -> catalogue("broken.json", fields)
        .getClass()).as(fields).isInstanceOf(ConfigException.class)
        .hasMessageContaining("(dossier.catalogue, env HUB_DOSSIER_CATALOGUE): procedure " + BIRTH)
        .hasMessageContaining(message));
  }

  @Test
  void shouldTypeEveryRequiredFieldOfTheShippedCatalogue() {
    ProcedureCatalogue shipped = ProcedureCatalogue.load("config/procedures.json");
    ObjectNode forms = (ObjectNode) read("config/procedures.json");
    for (JsonNode p : forms.get("procedures")) {
      for (JsonNode field : p.get("requiredFields")) {
        assertThat(p.path("fields").path(field.asText()).path("type").asText()).as(p.get("code") + " " + field)
            .isNotEmpty();
      }
    }
    assertThat(shipped.size()).isEqualTo(35);
  }

  private static ObjectNode birth(Consumer<ObjectNode> change) {
    ObjectNode dossier = (ObjectNode) read(GatewayFixture.example("birth-registration.json"));
    change.accept((ObjectNode) dossier.get("formData"));
    return dossier;
  }

  /** The shipped birth registration, with {@code fields} (or none when null) in place of its types. */
  private static ProcedureCatalogue catalogue(String name, String fields) throws IOException {
    ObjectNode birth = null;
    for (JsonNode p : read("config/procedures.json").get("procedures")) {
      if (BIRTH.equals(p.get("code").asText())) {
        birth = (ObjectNode) p.deepCopy();
      }
    }
    birth.remove("fields");
    if (fields != null) {
      birth.set("fields", JSON.readTree(fields));
    }
    ObjectNode root = JSON.createObjectNode().put("version", "test");
    root.putArray("procedures").add(birth);
    Path file = dir.resolve(name);
    Files.writeString(file, root.toString(), StandardCharsets.UTF_8);
    return ProcedureCatalogue.load(file.toString());
  }

  private static DossierValidator validator(ProcedureCatalogue catalogue) {
    return new DossierValidator(catalogue, AGENCIES, List.of("s3://", "https://", "minio://"),
        ZoneId.of("Asia/Ho_Chi_Minh"), Clock.systemUTC());
  }

  private static JsonNode read(String jsonOrResource) {
    try {
      if (jsonOrResource.startsWith("{")) {
        return JSON.readTree(jsonOrResource);
      }
      try (var in = FormFieldTypesTest.class.getClassLoader().getResourceAsStream(jsonOrResource)) {
        return JSON.readTree(in);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
