package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.Await;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * Hostile dossiers, one named case each: a precise 4xx problem, or accepted and queued byte for byte; never a 5xx.
 * {@link HostileInputFuzzTest} throws thousands of generated ones at the same gateway.
 */
class HostileInputTest extends OneGatewayPerClass {

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldKeepVietnameseDiacriticsEmojiAndBidiMarksIntact() {
    String nfc = Normalizer.normalize("Nguyễn Thị Ánh Tuyết", Normalizer.Form.NFC);
    String nfd = Normalizer.normalize("Trần Đức Lộc", Normalizer.Form.NFD);
    JsonObject dossier = dossierOf(randomCitizenId());
    dossier.getJsonObject("applicant").put("fullName", nfc).put("address", nfd + ", Hà Nội \u202Eabc\u202C \u200F");
    dossier.put("note", "Gia đình 👨‍👩‍👧‍👦 🇻🇳 \uFEFF zero\u200Bwidth \u0301\u0301 ﷽ עברית العربية");
    dossier.getJsonObject("formData").put("childFullName", nfd);

    assertStoredVerbatim(gw.postRaw(dossier.encode()), dossier.encode().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldStoreInjectionStringsVerbatimAndInertly() {
    JsonObject dossier = dossierOf(randomCitizenId());
    dossier.getJsonObject("applicant").put("fullName", "Robert'); DROP TABLE dossier;--")
        .put("address", "<script>alert(document.cookie)</script> ${jndi:ldap://x/a} {{7*7}} ../../etc/passwd");
    dossier.put("note", "' OR '1'='1' -- \\\" \\\\ %00 %n%s $(rm -rf /) `id`");

    HttpResponse<Buffer> response = gw.postRaw(dossier.encode());

    assertStoredVerbatim(response, dossier.encode().getBytes(StandardCharsets.UTF_8));
    assertThat(gw.get(response.getHeader("Location")).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldRefuseNulAndControlCharactersInTextWith422() {
    JsonObject nul = dossierOf(randomCitizenId());
    nul.getJsonObject("applicant").put("address", "Nguyễn\u0000Văn");
    HttpResponse<Buffer> response = gw.postRaw(nul.encode());

    assertThat(nul.encode()).contains("\\u0000");
    assertThat(pointers(assertProblem(response, 422, "invalid-dossier"))).contains("/applicant/address");
    assertThat(response.bodyAsJsonObject().getJsonArray("errors")).contains(new JsonObject()
        .put("pointer", "/applicant/address").put("detail", "must not contain the NUL character (U+0000)"));
    assertProblem(gw.postRaw("{\"note\":\"a\u0000b\"}"), 400, "malformed-request");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /** A name is shown to officers and printed: not blank, no control character, no text-direction override. */
  @Test
  void shouldRefuseBlankAndDisguisedNamesWith422() {
    for (String name : List.of("   ", "Nguyễn\u001B[31mVăn", "Nguyễn \u202Enăv", "Trần\u2066Lộc", "Lê\tVăn", "\u0085")) {
      JsonObject dossier = dossierOf(randomCitizenId());
      dossier.getJsonObject("applicant").put("fullName", name);
      HttpResponse<Buffer> response = gw.postRaw(dossier.encode());

      assertThat(response.bodyAsJsonObject().getJsonArray("errors")).as(name).contains(new JsonObject()
          .put("pointer", "/applicant/fullName")
          .put("detail", "must hold a visible name, without control characters or text-direction marks"));
    }
    JsonObject spaced = dossierOf(randomCitizenId());
    spaced.getJsonObject("applicant").put("fullName", " Nguyễn Văn  An ");
    assertThat(gw.postRaw(spaced.encode()).statusCode()).as("spaces around a name").isEqualTo(202);
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  @Test
  void shouldAnswerStructuralAttacksWithPrecise4xx() {
    Map<String, Integer> cases = new LinkedHashMap<>();
    cases.put("[".repeat(5000) + "]".repeat(5000), 400);
    cases.put("{\"a\":".repeat(2000) + "1" + "}".repeat(2000), 400);
    cases.put(dossierOf(randomCitizenId()).put("procedureCode", "1.001612.000.00.00.H48").encode()
        .replaceFirst("\\{", "{\"channel\":\"postal\","), 400);
    cases.put("{\"procedureCode\":1e999999999}", 422);
    cases.put("{\"formData\":{\"x\":" + "9".repeat(65) + "}}", 400);
    cases.put("{\"formData\":{\"x\":-0.0000000000000000000000000000001e-999999999}}", 422);
    cases.put("{} trailing", 400);
    cases.put("null", 422);
    cases.put("\"just a string\"", 422);
    cases.put("[]", 422);
    cases.put("{\"attachments\":" + new JsonArray(java.util.Collections.nCopies(2000, 1)).encode() + "}", 422);
    cases.put("{\"note\":\"\\ud800\"}", 422);
    cases.put("{\"note\":\"" + "é".repeat(150_000) + "\"}", 413);
    cases.forEach((body, status) -> {
      HttpResponse<Buffer> response = gw.postRaw(body);
      String what = body.length() > 60 ? body.substring(0, 60) + "..." : body;
      assertThat(response.statusCode()).as(what + " -> " + response.bodyAsString()).isEqualTo(status);
      assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    });
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldRefuseABodyPaddedWithWhitespace() {
    long queuedBefore = gw.queued();
    // a valid dossier of about 1.3 KB stored, queued and fed to agencies 200 times over (QA: 250,000 spaces got 202)
    String dossier = dossierOf(randomCitizenId()).encode();

    HttpResponse<Buffer> padded = gw.postRaw(dossier + " ".repeat(250_000));
    HttpResponse<Buffer> inside = gw.postRaw(dossier.replaceFirst("\\{", "{" + "\n".repeat(40_000)));
    // over 16 KiB of padding and over half the body, in a body under 32 KiB (QA: 20,000 spaces got 202)
    HttpResponse<Buffer> underTwice = gw.postRaw(dossier + " ".repeat(20_000));

    for (HttpResponse<Buffer> response : List.of(padded, inside, underTwice)) {
      JsonObject problem = assertProblem(response, 400, "malformed-request");
      assertThat(problem.getString("detail")).contains("whitespace between its values");
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore);
    // indentation is no padding: the same dossier pretty-printed is taken
    HttpResponse<Buffer> pretty = gw.postRaw(new JsonObject(dossier).encodePrettily());
    assertThat(pretty.statusCode()).as(pretty.bodyAsString()).isEqualTo(202);
  }

  @Test
  void shouldRefuseWrongTypesAndOutOfRangeNumbersWith422() {
    JsonObject wrongTypes = dossierOf(randomCitizenId());
    wrongTypes.put("channel", 1).put("attachments", "none");
    wrongTypes.getJsonObject("applicant").put("citizenId", 12345678901L).put("fullName", new JsonArray().add("x"));
    JsonObject outOfRange = dossierOf(randomCitizenId());
    outOfRange.getJsonArray("attachments").getJsonObject(0).put("sizeBytes", Long.MAX_VALUE);
    outOfRange.getJsonArray("attachments").getJsonObject(1).put("sizeBytes", -1);
    String hugeExponent = dossierOf(randomCitizenId()).encode().replace("\"sizeBytes\":184320", "\"sizeBytes\":1e400");

    assertThat(pointers(assertProblem(gw.postRaw(wrongTypes.encode()), 422, "invalid-dossier")))
        .contains("/channel", "/attachments", "/applicant/citizenId", "/applicant/fullName");
    assertThat(pointers(assertProblem(gw.postRaw(outOfRange.encode()), 422, "invalid-dossier")))
        .contains("/attachments/0/sizeBytes", "/attachments/1/sizeBytes");
    assertThat(pointers(assertProblem(gw.postRaw(hugeExponent), 422, "invalid-dossier")))
        .contains("/attachments/0/sizeBytes");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /**
   * Found by HostileInputFuzzTest: a huge exponent in an enum-checked field makes the JSON Schema validator expand
   * the number digit by digit, blocking the event loop for minutes. the payload guard step refuses it before validation,
   * so the 422 comes well within the gateway's own request deadline (a blocked event loop could not answer at all).
   */
  @Test
  void shouldRefuseAHugeExponentWithoutBlockingTheEventLoop() {
    String body = dossierOf(randomCitizenId()).encode().replace("\"channel\":\"online\"", "\"channel\":1e99999999");
    long deadlineMs = gw.config.security().requestTimeout().toMillis();
    long started = System.nanoTime();

    HttpResponse<Buffer> response = gw.rawClient.post("/v1/dossiers").putHeader("Content-Type", "application/json")
        .timeout(deadlineMs * 2).sendBuffer(Buffer.buffer(body)).await();
    long elapsedMs = Await.millisSince(started);

    System.out.printf("huge exponent: refused in %d ms (request deadline %d ms)%n", elapsedMs, deadlineMs);
    assertThat(pointers(assertProblem(response, 422, "invalid-dossier"))).containsExactly("/channel");
    assertThat(elapsedMs).as("answered within the configured request deadline").isLessThan(deadlineMs);
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /**
   * A progress event gets the dossier's strict reading and its own schema: refusals name the event, never the
   * dossier, and say in words what a value must look like (no regular expression, no garbled format line).
   */
  @Test
  void shouldWordAProgressEventsRefusalsForTheEvent() {
    WebClient agency = SecurityTestSupport.hostileClient(gw.vertx, gw.port);
    String path = "/v1/dossiers/" + java.util.UUID.randomUUID() + "/events";
    java.util.function.Function<String, HttpResponse<Buffer>> send = body -> agency.post(path)
        .putHeader("X-Api-Key", "dev-agency-key").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)).await();

    JsonObject empty = assertProblem(send.apply(""), 400, "malformed-request");
    JsonObject deep = assertProblem(send.apply("{\"a\":".repeat(40) + "1" + "}".repeat(40)), 400, "malformed-request");
    JsonObject schema = assertProblem(send.apply(new JsonObject().put("eventId", "bad id!").put("status", 2)
        .put("at", "yesterday").put("dueDate", "2026-13-01").encode()), 422, "invalid-event");

    assertThat(empty.getString("detail")).isEqualTo("the request body is empty; send the progress event as a JSON "
        + "object");
    assertThat(deep.getString("detail")).isEqualTo("the body nests objects or arrays deeper than 16 levels at line 1, "
        + "column 81");
    assertThat(schema.getJsonArray("errors")).containsExactly(
        new JsonObject().put("pointer", "/at").put("detail", "must be an RFC 3339 date-time (for example "
            + "2026-11-23T09:12:44+07:00)"),
        new JsonObject().put("pointer", "/dueDate").put("detail", "must be a real calendar date: months run from 01 "
            + "to 12"),
        new JsonObject().put("pointer", "/eventId").put("detail", "must be 1 to 128 characters, each an ASCII letter, "
            + "a digit or one of . _ : -"));
    // a dueDate of the right shape naming no day is told so, in the words a formData date gets (an agency tryout:
    // "2026-02-29" was told "must be a date YYYY-MM-DD", which it is); another shape keeps the format's words
    java.util.function.Function<String, String> dueDateWords = due -> assertProblem(send.apply(new JsonObject()
        .put("eventId", "due-1").put("status", 2).put("at", "2026-11-23T09:12:44+07:00").put("dueDate", due)
        .encode()), 422, "invalid-event").getJsonArray("errors").getJsonObject(0).getString("detail");
    assertThat(dueDateWords.apply("2026-02-29")).isEqualTo("must be a real calendar date: 2026-02 has days 01 to 28");
    assertThat(dueDateWords.apply("2028-02-30")).isEqualTo("must be a real calendar date: 2028-02 has days 01 to 29");
    assertThat(dueDateWords.apply("2026-2-28")).isEqualTo("must be a date YYYY-MM-DD (for example 2026-11-23)");
    // U+0000 (PostgreSQL text cannot hold it) is the field's 422, before any store is asked
    JsonObject nul = assertProblem(send.apply(new JsonObject().put("eventId", "nul-1").put("status", 9)
        .put("at", "2026-11-23T09:12:44+07:00").put("officer", "a\u0000b").put("note", "c\u0000d")
        .put("result", new JsonArray().add(new JsonObject().put("name", "e\u0000").put("documentId", "\u0000f")))
        .encode()), 422, "invalid-event");
    assertThat(nul.getJsonArray("errors")).extracting(e -> ((JsonObject) e).getString("pointer"))
        .containsExactly("/note", "/officer", "/result/0/documentId", "/result/0/name");
    assertThat(nul.getJsonArray("errors")).extracting(e -> ((JsonObject) e).getString("detail")).allSatisfy(
        detail -> assertThat(detail).isEqualTo("must not contain the NUL character (U+0000)"));
    agency.close();
  }

  /** The payload guard runs as its own router step, right after parsing. */
  @Test
  void shouldRefuseWhatPostgresCouldNotStoreVerbatim() {
    JsonObject surrogate = dossierOf(randomCitizenId()).put("note", "__NOTE__");
    JsonObject hugeNumber = dossierOf(randomCitizenId());
    hugeNumber.getJsonObject("formData").put("weightGrams", "__NUMBER__");

    HttpResponse<Buffer> bom = gw.rawClient.post("/v1/dossiers").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("\uFEFF" + dossierOf(randomCitizenId()).encode())).await();
    HttpResponse<Buffer> lone = gw.postRaw(surrogate.encode().replace("\"__NOTE__\"", "\"abc\\ud800\""));
    HttpResponse<Buffer> huge = gw.postRaw(hugeNumber.encode().replace("\"__NUMBER__\"", "1e999999"));
    // exponent 308, magnitude beyond a double: what the intake would refuse after a 202
    HttpResponse<Buffer> beyondDouble = gw.postRaw(hugeNumber.encode().replace("\"__NUMBER__\"", "-9e308"));
    HttpResponse<Buffer> justAbove = gw.postRaw(hugeNumber.encode().replace("\"__NUMBER__\"", "1.0000001e308"));

    assertProblem(bom, 400, "malformed-request");
    assertThat(pointers(assertProblem(lone, 422, "invalid-dossier"))).containsExactly("/note");
    assertThat(pointers(assertProblem(huge, 422, "invalid-dossier"))).containsExactly("/formData/weightGrams");
    assertThat(pointers(assertProblem(beyondDouble, 422, "invalid-dossier"))).containsExactly("/formData/weightGrams");
    assertThat(pointers(assertProblem(justAbove, 422, "invalid-dossier"))).containsExactly("/formData/weightGrams");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /** The payload guard runs as its own router step, right after parsing. */
  @Test
  void shouldRefuseBodiesThatAreNotUtf8With400() {
    byte[] valid = dossierOf(randomCitizenId()).encode().getBytes(StandardCharsets.UTF_8);
    for (byte[] junk : new byte[][] {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}}) {
      byte[] body = insertIntoNote(valid, junk);
      HttpResponse<Buffer> response = gw.rawClient.post("/v1/dossiers").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(body)).await();
      assertProblem(response, 400, "malformed-request");
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  private static byte[] insertIntoNote(byte[] body, byte[] junk) {
    String text = new String(body, StandardCharsets.UTF_8);
    int at = text.indexOf("\"note\":\"") + "\"note\":\"".length();
    byte[] head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
    byte[] tail = text.substring(at).getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + junk.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(junk, 0, out, head.length, junk.length);
    System.arraycopy(tail, 0, out, head.length + junk.length, tail.length);
    return out;
  }

  private void assertStoredVerbatim(HttpResponse<Buffer> response, byte[] body) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
    String id = response.bodyAsJsonObject().getString("id");
    assertThat(SecurityTestSupport.streamEntryOf(gw, id).get("payload")).isEqualTo(body);
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  private static java.util.List<String> pointers(JsonObject problem) {
    return problem.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("pointer")).toList();
  }
}
