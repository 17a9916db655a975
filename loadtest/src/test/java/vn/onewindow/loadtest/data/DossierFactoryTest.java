package vn.onewindow.loadtest.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.loadtest.data.Catalogue.Procedure;

/**
 * Generated dossiers must pass the hub's validation, or the load test measures 422s. Checks every active procedure
 * against the catalogue rules and against the patterns of the submission schema (read from the schema file itself,
 * so a schema change shows up here before it shows up as failed load).
 */
class DossierFactoryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonNode schema;
  private static Catalogue catalogue;
  private static DossierFactory factory;
  private static AgencyCodes agencies;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = DossierFactoryTest.class.getClassLoader()
        .getResourceAsStream("config/schema/dossier-submission.schema.json")) {
      assertNotNull(in, "schema on the test classpath");
      schema = JSON.readTree(in);
    }
    catalogue = Catalogue.load();
    agencies = AgencyCodes.load();
    factory = new DossierFactory(catalogue, agencies);
  }

  private static Pattern pattern(String... path) {
    JsonNode n = schema;
    for (String p : path) {
      n = n.path(p);
    }
    assertTrue(n.isTextual(), "schema pattern at " + String.join("/", path));
    return Pattern.compile(n.asText());
  }

  @Test
  void catalogueLeavesOutInactiveProcedures() {
    assertTrue(catalogue.total() > catalogue.active().size(), "the catalogue has an inactive procedure");
    assertFalse(catalogue.active().isEmpty());
  }

  @Test
  void everyActiveProcedureYieldsValidDossiers() throws Exception {
    Pattern procedureCode = pattern("properties", "procedureCode", "pattern");
    Pattern unit = pattern("properties", "receivingUnit", "pattern");
    Pattern citizenId = pattern("properties", "applicant", "properties", "citizenId", "pattern");
    Pattern taxCode = pattern("properties", "applicant", "properties", "taxCode", "pattern");
    Pattern phone = pattern("properties", "applicant", "properties", "phone", "pattern");
    Pattern email = pattern("properties", "applicant", "properties", "email", "pattern");
    Pattern fieldName = pattern("properties", "formData", "propertyNames", "pattern");
    Pattern sha = pattern("properties", "attachments", "items", "properties", "sha256", "pattern");
    Pattern uri = pattern("properties", "attachments", "items", "properties", "storageUri", "pattern");
    Set<String> mediaTypes = new HashSet<>();
    schema.path("properties").path("attachments").path("items").path("properties").path("mediaType").path("enum")
        .forEach(n -> mediaTypes.add(n.asText()));
    Set<String> valid = new HashSet<>();
    agencies.byProvince().values().forEach(valid::addAll);
    Set<String> topLevel = new HashSet<>();
    schema.path("properties").fieldNames().forEachRemaining(topLevel::add);

    for (Procedure p : catalogue.active()) {
      for (int i = 0; i < 25; i++) {
        DossierFactory.Dossier d = factory.forProcedure(p);
        JsonNode n = JSON.readTree(d.body());
        String where = p.code() + ": " + d.body();
        n.fieldNames().forEachRemaining(f -> assertTrue(topLevel.contains(f), "unknown member " + f + " in " + where));
        assertEquals(p.code(), n.path("procedureCode").asText());
        assertTrue(procedureCode.matcher(p.code()).find(), where);
        assertTrue(unit.matcher(n.path("receivingUnit").asText()).find(), where);
        assertTrue(unit.matcher(n.path("handlingAgency").asText()).find(), where);
        assertTrue(valid.contains(n.path("receivingUnit").asText()), "receivingUnit open in the directory: " + where);
        assertTrue(valid.contains(n.path("handlingAgency").asText()), "handlingAgency open in the directory: " + where);
        assertTrue(p.channels().contains(n.path("channel").asText()), where);

        JsonNode a = n.path("applicant");
        assertTrue(p.applicantTypes().contains(a.path("type").asText()), where);
        if ("citizen".equals(a.path("type").asText())) {
          assertTrue(citizenId.matcher(a.path("citizenId").asText()).find(), where);
        } else {
          assertTrue(taxCode.matcher(a.path("taxCode").asText()).find(), where);
        }
        assertTrue(phone.matcher(a.path("phone").asText()).find(), where);
        if (a.has("email")) {
          assertTrue(email.matcher(a.path("email").asText()).find(), where);
        }
        assertFalse(a.path("fullName").asText().isBlank(), where);
        assertFalse(a.path("address").asText().isBlank(), where);

        JsonNode form = n.path("formData");
        for (String field : p.requiredFields()) {
          JsonNode v = form.get(field);
          assertNotNull(v, field + " missing in " + where);
          assertFalse(v.isNull() || v.isTextual() && v.asText().isBlank(), field + " blank in " + where);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = form.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          assertTrue(fieldName.matcher(e.getKey()).find(), where);
          assertTrue(e.getValue().isValueNode(), "flat values only: " + where);
          assertTrue(e.getValue().asText().length() <= 4000, where);
        }

        JsonNode files = n.path("attachments");
        assertTrue(files.size() >= p.requiredAttachments() && files.size() <= 20, where);
        for (JsonNode f : files) {
          assertTrue(mediaTypes.contains(f.path("mediaType").asText()), where);
          assertTrue(sha.matcher(f.path("sha256").asText()).find(), where);
          assertTrue(uri.matcher(f.path("storageUri").asText()).find(), where);
          long size = f.path("sizeBytes").asLong();
          assertTrue(size >= 1 && size <= 52_428_800, where);
          assertFalse(f.path("name").asText().isBlank(), where);
        }
        assertFalse(d.body().contains("\u0000"), where);
      }
    }
  }

  @Test
  void dossiersAreVariedAndVietnamese() throws Exception {
    Set<String> procedures = new HashSet<>();
    Set<String> names = new HashSet<>();
    Set<String> bodies = new HashSet<>();
    Pattern diacritics = Pattern.compile("[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐ]");
    int withDiacritics = 0;
    for (int i = 0; i < 2000; i++) {
      DossierFactory.Dossier d = factory.next();
      procedures.add(d.procedureCode());
      bodies.add(d.body());
      String name = JSON.readTree(d.body()).path("applicant").path("fullName").asText();
      names.add(name);
      if (diacritics.matcher(name).find()) {
        withDiacritics++;
      }
    }
    assertEquals(2000, bodies.size(), "every body is different (so retries are the only replays)");
    assertTrue(procedures.size() >= catalogue.active().size() - 2, "nearly every procedure drawn: " + procedures.size());
    assertTrue(names.size() > 500, "many applicant names: " + names.size());
    assertTrue(withDiacritics > 1500, "names carry diacritics: " + withDiacritics);
  }

  @Test
  void agencyCodesComeFromTheDirectoryWithoutClosedOrFutureCodes() throws Exception {
    JsonNode directory = JSON.readTree("{\"agencies\": ["
        + "{\"code\": \"000.00.00.H48\", \"validFrom\": \"2016-01-01\", \"validTo\": null},"
        + "{\"code\": \"000.00.00.H49\", \"validFrom\": \"2016-01-01\", \"validTo\": \"2025-07-01\"},"
        + "{\"code\": \"000.00.53.H48\", \"validFrom\": \"2027-01-01\", \"validTo\": null}]}");

    AgencyCodes codes = AgencyCodes.parse(directory, java.time.LocalDate.of(2026, 12, 1));

    assertEquals(Map.of("H48", java.util.List.of("000.00.00.H48")), codes.byProvince());
    assertTrue(agencies.of("H48").size() > 1, "the shipped directory has several H48 units");
    assertTrue(agencies.of("H49").isEmpty(), "Quảng Nam closed on 2025-07-01");
  }

  @Test
  void citizenIdsCarryProvinceAndCentury() {
    for (int i = 0; i < 500; i++) {
      String id = DossierFactory.citizenId(new String[] {"048", "Thành phố Đà Nẵng", "H48"});
      assertTrue(id.matches("048[0-3]\\d{8}"), id);
    }
  }
}
