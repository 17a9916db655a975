package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import java.text.Normalizer;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catalogue's form field types over real HTTP: a wrong-typed formData field is a 422 naming it, and nothing reaches
 * Redis (queue, sequence); the catalogue endpoint tells a frontend each field's type.
 */
class FormDataTypesTest extends OneGatewayPerClass {
  private static final String BIRTH = "1.001612.000.00.00.H48";
  private static final String DATE_WORDS = "must be a date YYYY-MM-DD (for example 2026-11-23)";

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("ratelimit.applicant-per-minute", "6000", "ratelimit.applicant-burst", "1000"));
  }

  @Test
  void shouldRefuseADateOfBirthThatIsANumberWith422NamingTheField() {
    JsonObject dossier = birth();
    dossier.getJsonObject("formData").put("childDateOfBirth", 12);
    String sequence = gw.keys.sequence("000.00.53.H48", LocalDate.now(ZoneId.of("Asia/Ho_Chi_Minh"))
        .format(DateTimeFormatter.ofPattern("yyMMdd")));
    String drawn = String.valueOf(gw.redis(Command.GET, sequence));

    HttpResponse<Buffer> response = gw.post(dossier.encode());

    JsonObject problem = assertProblem(response, 422, "invalid-dossier");
    assertThat(problem.getJsonArray("errors")).containsExactly(new JsonObject()
        .put("pointer", "/formData/childDateOfBirth").put("detail", DATE_WORDS));
    assertThat(problem.getString("detail")).isEqualTo("1 field of the dossier is invalid");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
    assertThat(String.valueOf(gw.redis(Command.GET, sequence))).as("no dossier code drawn").isEqualTo(drawn);
  }

  @Test
  void shouldRefuseADayThatDoesNotExistOrLiesAfterTheDayOfReceipt() {
    JsonObject impossible = birth();
    impossible.getJsonObject("formData").put("childDateOfBirth", "2026-02-30");
    JsonObject future = birth();
    future.getJsonObject("formData").put("childDateOfBirth",
        LocalDate.now(ZoneId.of("Asia/Ho_Chi_Minh")).plusDays(2).toString());

    assertThat(assertProblem(gw.post(impossible.encode()), 422, "invalid-dossier").getJsonArray("errors"))
        .containsExactly(new JsonObject().put("pointer", "/formData/childDateOfBirth")
            .put("detail", "must be a real calendar date: 2026-02 has days 01 to 28"));
    JsonArray errors = assertProblem(gw.post(future.encode()), 422, "invalid-dossier").getJsonArray("errors");
    assertThat(errors).hasSize(1);
    assertThat(errors.getJsonObject(0).getString("pointer")).isEqualTo("/formData/childDateOfBirth");
    assertThat(errors.getJsonObject(0).getString("detail")).startsWith("must not be later than the day of receipt, ");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldListEveryWrongTypedFieldAtOnceOptionalOnesIncludedButNotUnknownOnes() {
    JsonObject dossier = birth();
    dossier.getJsonObject("formData").put("childDateOfBirth", "28/10/2026").put("fatherFullName", 1)
        .put("motherFullName", "M".repeat(101)).put("childGender", "male").put("contactNote", 12);

    JsonObject problem = assertProblem(gw.post(dossier.encode()), 422, "invalid-dossier");

    assertThat(problem.getJsonArray("errors")).containsExactly(
        new JsonObject().put("pointer", "/formData/childDateOfBirth").put("detail", DATE_WORDS),
        new JsonObject().put("pointer", "/formData/childGender")
            .put("detail", "does not have a value in the enumeration [Nam, Nữ]"),
        new JsonObject().put("pointer", "/formData/fatherFullName").put("detail", "integer found, string expected"),
        new JsonObject().put("pointer", "/formData/motherFullName")
            .put("detail", "must be at most 100 characters long"));
    assertThat(problem.getString("detail")).isEqualTo("4 fields of the dossier are invalid");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /**
   * "Nữ" as some iOS keyboards send it, decomposed (NFD: 'u', U+031B horn, U+0303 tilde), is other text than the
   * catalogue's code (NFC), and the body is stored and fed to agencies byte for byte: refused, but the 422 says why,
   * so that a frontend developer normalizes to NFC. The same value in NFC is accepted; nothing of the NFD one queued.
   */
  @Test
  void shouldTellAFrontendToSendAnEnumValueInNfcWhenOnlyItsFormDiffers() {
    String nfd = "Nu\u031B\u0303";
    assertThat(Normalizer.normalize(nfd, Normalizer.Form.NFC)).isEqualTo("Nữ");
    JsonObject decomposed = birth();
    decomposed.getJsonObject("formData").put("childGender", nfd);

    JsonObject problem = assertProblem(gw.post(decomposed.encode()), 422, "invalid-dossier");

    assertThat(problem.getJsonArray("errors")).containsExactly(new JsonObject().put("pointer", "/formData/childGender")
        .put("detail", "does not have a value in the enumeration [Nam, Nữ]: it is \"Nữ\" with its accents as "
            + "separate characters; send text in Unicode NFC (JavaScript: value.normalize('NFC'))"));
    assertThat(gw.queued()).isEqualTo(queuedBefore);
    // a value that no form of Unicode makes a code keeps the plain words
    decomposed.getJsonObject("formData").put("childGender", "Nu\u0303");
    assertThat(assertProblem(gw.post(decomposed.encode()), 422, "invalid-dossier").getJsonArray("errors"))
        .containsExactly(new JsonObject().put("pointer", "/formData/childGender")
            .put("detail", "does not have a value in the enumeration [Nam, Nữ]"));

    JsonObject composed = birth();
    composed.getJsonObject("formData").put("childGender", "Nữ");
    assertThat(gw.post(composed.encode()).statusCode()).isEqualTo(202);
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  @Test
  void shouldTypeNumbersBooleansAndChoicesOfOtherProcedures() {
    JsonObject copies = birth().put("procedureCode", "2.000815.000.00.00.H48")
        .put("formData", new JsonObject().put("documentTitle", "Giấy khai sinh").put("numberOfCopies", "2"));
    JsonObject business = new JsonObject(GatewayFixture.example("business-registration.json"));
    business.getJsonObject("formData").put("charterCapitalUnchanged", "yes");
    JsonObject licence = new JsonObject(GatewayFixture.example("driving-licence-renewal.json"));
    licence.getJsonObject("formData").put("licenceClass", "Z").put("expiryDate", "2026-06-31");

    assertThat(assertProblem(gw.post(copies.encode()), 422, "invalid-dossier").getJsonArray("errors"))
        .containsExactly(new JsonObject().put("pointer", "/formData/numberOfCopies")
            .put("detail", "string found, integer expected"));
    assertThat(assertProblem(gw.post(business.encode()), 422, "invalid-dossier").getJsonArray("errors"))
        .containsExactly(new JsonObject().put("pointer", "/formData/charterCapitalUnchanged")
            .put("detail", "string found, boolean expected"));
    JsonArray licenceErrors = assertProblem(gw.post(licence.encode()), 422, "invalid-dossier").getJsonArray("errors");
    assertThat(licenceErrors.getJsonObject(0)).isEqualTo(new JsonObject().put("pointer", "/formData/expiryDate")
        .put("detail", "must be a real calendar date: 2026-06 has days 01 to 30"));
    assertThat(licenceErrors.getJsonObject(1).getString("pointer")).isEqualTo("/formData/licenceClass");
    assertThat(licenceErrors.getJsonObject(1).getString("detail"))
        .startsWith("does not have a value in the enumeration [").contains("A1", "B", "FC");
    assertThat(gw.queued()).isEqualTo(queuedBefore);

    copies.getJsonObject("formData").put("numberOfCopies", 2);
    business.getJsonObject("formData").put("charterCapitalUnchanged", false);
    assertThat(gw.post(copies.encode()).statusCode()).isEqualTo(202);
    assertThat(gw.post(business.encode()).statusCode()).isEqualTo(202);
    assertThat(gw.queued()).isEqualTo(queuedBefore + 2);
  }

  /**
   * A form sends an optional field the citizen left empty as "" (an unchosen select, an empty box), as it does a null:
   * such a dossier was accepted before fields had types, and a required field's blank counts as missing, not as a
   * value of the wrong type, too.
   */
  @Test
  void shouldTakeAnOptionalFieldLeftBlankAsNotGiven() {
    JsonObject dossier = birth();
    dossier.getJsonObject("formData").put("childGender", "");
    JsonObject business = new JsonObject(GatewayFixture.example("business-registration.json"));
    business.getJsonObject("formData").put("charterCapitalUnchanged", " ");

    assertThat(gw.post(dossier.encode()).statusCode()).isEqualTo(202);
    assertThat(gw.post(business.encode()).statusCode()).isEqualTo(202);
    assertThat(gw.queued()).isEqualTo(queuedBefore + 2);
  }

  /**
   * A required field holding only characters nobody sees (a C1 control such as NEL, a zero-width space, a BOM, a
   * text-direction mark, a no-break space) is as missing as a blank one: a fuzzing tryout had such a motherFullName
   * and wifeFullName queued. A visible value with such a character inside stays accepted (Vietnamese text with bidi
   * marks, HostileInputTest).
   */
  @Test
  void shouldTakeARequiredFieldOfInvisibleCharactersOnlyAsMissing() {
    for (String invisible : List.of("\u0085", "\u200B", "\uFEFF", "\u202E", "\u00A0", " \u200B\u2060 ")) {
      JsonObject dossier = birth();
      dossier.getJsonObject("formData").put("motherFullName", invisible);

      assertThat(assertProblem(gw.post(dossier.encode()), 422, "invalid-dossier").getJsonArray("errors"))
          .as(invisible.codePoints().mapToObj(Integer::toHexString).toList().toString())
          .containsExactly(new JsonObject().put("pointer", "/formData/motherFullName")
              .put("detail", "required by procedure " + BIRTH));
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore);
    JsonObject marked = birth();
    marked.getJsonObject("formData").put("motherFullName", "Trần\u200BThị\u00A0Mẫu\u202E");
    assertThat(gw.post(marked.encode()).statusCode()).isEqualTo(202);
  }

  @Test
  void shouldAcceptTheExampleBodiesAsTheyAre() {
    for (String example : List.of("birth-registration.json", "business-registration.json",
        "driving-licence-renewal.json")) {
      assertThat(gw.post(GatewayFixture.example(example)).statusCode()).as(example).isEqualTo(202);
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore + 3);
  }

  @Test
  void shouldTellAFrontendEachFieldsType() {
    HttpResponse<Buffer> response = gw.get("/v1/procedures/" + BIRTH);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    JsonArray fields = response.bodyAsJsonObject().getJsonArray("fields");
    assertThat(fields.getJsonObject(0)).isEqualTo(new JsonObject().put("name", "childFullName").put("required", true)
        .put("type", "text").put("maxLength", 100));
    assertThat(fields.getJsonObject(1)).isEqualTo(new JsonObject().put("name", "childDateOfBirth")
        .put("required", true).put("type", "date").put("notFuture", true));
    assertThat(fields).contains(new JsonObject().put("name", "childGender").put("required", false).put("type", "enum")
        .put("values", new JsonArray().add("Nam").add("Nữ")));
    assertThat(response.bodyAsJsonObject().getJsonArray("requiredFields")).containsExactly("childFullName",
        "childDateOfBirth", "placeOfBirth", "fatherFullName", "motherFullName");

    JsonArray items = gw.get("/v1/procedures").bodyAsJsonObject().getJsonArray("items");
    JsonObject copies = find(items, "2.000815.000.00.00.H48");
    assertThat(find(copies.getJsonArray("fields"), "numberOfCopies")).isEqualTo(new JsonObject()
        .put("name", "numberOfCopies").put("required", true).put("type", "integer").put("minimum", 1)
        .put("maximum", 100));
    JsonObject business = find(items, "2.002046.000.00.00.H48");
    assertThat(find(business.getJsonArray("fields"), "charterCapitalUnchanged")).isEqualTo(new JsonObject()
        .put("name", "charterCapitalUnchanged").put("required", false).put("type", "boolean"));
    for (Object item : items) {
      for (Object field : ((JsonObject) item).getJsonArray("fields")) {
        assertThat(((JsonObject) field).getString("type")).as(((JsonObject) item).getString("code") + " " + field)
            .isNotEqualTo("any");
      }
    }
  }

  private static JsonObject find(JsonArray array, String codeOrName) {
    return array.stream().map(JsonObject.class::cast)
        .filter(o -> codeOrName.equals(o.getString("code", o.getString("name")))).findFirst().orElseThrow();
  }

  private static JsonObject birth() {
    return GatewayFixture.birthRegistration();
  }
}
