package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.dossier.PayloadColumns;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.gateway.GatewayFixture;

/**
 * Property-based fuzzing of POST /v1/dossiers on the running gateway (real Redis and PostgreSQL): thousands of
 * generated hostile dossiers. For every one: never a 5xx, never a hang (10 s cap); a 4xx is a problem document and
 * queues nothing; a 202 queues exactly one stream entry whose payload is the request body, byte for byte.
 */
class HostileInputFuzzTest {
  private static final Set<Integer> REFUSALS = Set.of(400, 413, 422);
  private static final String[] STRING_FIELDS = {"/applicant/fullName", "/applicant/address", "/note",
      "/formData/childFullName", "/formData/placeOfBirth", "/attachments/0/name", "/applicant/email",
      "/applicant/phone", "/applicant/citizenId", "/procedureCode", "/receivingUnit", "/attachments/1/storageUri",
      "/formData/extraField", "/resultDelivery", "/channel"};
  private static final String[] ANY_FIELDS = {"/applicant", "/formData", "/attachments", "/attachments/0",
      "/attachments/0/sizeBytes", "/attachments/1/sha256", "/applicant/type", "/formData/childDateOfBirth",
      "/formData/someNumber", "/channel", "/note", "/procedureCode", "/applicant/citizenId"};
  private static final List<String> NASTY = List.of(
      "", " ", "Nguyễn Văn Thử", Normalizer.normalize("Nguyễn Thị Ánh Tuyết", Normalizer.Form.NFD),
      "Đặng Thị Hồng Nhung ✨🇻🇳👨‍👩‍👧‍👦", "\u202Etxt.exe\u202C", "\u200F\u200E\u200B\u2060\uFEFF", "a\u0301\u0302\u0303\u0304",
      "'; DROP TABLE dossier; --", "\" OR \"1\"=\"1", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
      "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "%00%0d%0a", "\r\nX-Injected: 1", "../../../../etc/passwd",
      "\u0000", "a\u0000b", "\u0001\u001F\u007F", "\\", "\\\\u0000", "\ud800", "\udfff\ud800", "\uFFFF\uFFFE",
      "000000000001", "0900000001", "+84900000001", "１２３４５６７８９０１２", "٠١٢٣٤٥٦٧٨٩٠١", "000000000001\n",
      "1.001612.000.00.00.H48", "000.00.53.H48", "online", "postal", "x".repeat(2001), "ệ".repeat(4001));

  private static GatewayFixture gw;
  private static Connection postgres;
  private static final Map<String, Map<Integer, AtomicInteger>> STATUSES = new ConcurrentHashMap<>();

  @BeforeContainer
  static void start() {
    Map<String, String> overrides = new HashMap<>();
    if (Settings.of(Map.of()).asMap().containsKey("ratelimit.enabled")) {
      overrides.put("ratelimit.enabled", "false");   // thousands of requests a second from one client, on purpose
    }
    gw = new GatewayFixture(overrides);
  }

  @AfterContainer
  static void stop() throws SQLException {
    System.out.println("hostile-input fuzz, statuses per property: " + new TreeMap<>(STATUSES));
    if (postgres != null) {
      postgres.close();
    }
    gw.close();
  }

  @Property(tries = 1200, shrinking = ShrinkingMode.BOUNDED)
  void hostileStringsInAnyTextField(@ForAll("dossiersWithHostileStrings") String body) {
    assertQueuedVerbatimOrRefused("strings", body.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 800, shrinking = ShrinkingMode.BOUNDED)
  void wrongTypesAndOutOfRangeNumbers(@ForAll("dossiersWithWrongTypes") String body) {
    assertQueuedVerbatimOrRefused("types", body.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 800, shrinking = ShrinkingMode.BOUNDED)
  void structuralGarbage(@ForAll("garbage") String body) {
    assertQueuedVerbatimOrRefused("structure", body.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 1200, shrinking = ShrinkingMode.BOUNDED)
  void characterLevelMutationsOfAValidDossier(@ForAll("mutatedDossiers") String body) {
    assertQueuedVerbatimOrRefused("mutations", body.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Bodies that are not strict UTF-8, and every accepted payload must be one PostgreSQL can read back (what jsonb
   * accepts: the payload column is json since V9, whose operators fail on what jsonb refuses): refused by the payload
   * guard step, right after parsing.
   */
  @Property(tries = 600, shrinking = ShrinkingMode.BOUNDED)
  void everyAcceptedPayloadIsStorableInPostgres(@ForAll("bytesPostgresMayRefuse") byte[] body) throws SQLException {
    String id = assertQueuedVerbatimOrRefused("postgres", body);
    if (id != null) {
      // what the intake accepts after the 202 (it dead-letters anything else), and what jsonb would have taken
      assertThat(PayloadColumns.read(new String(body, StandardCharsets.UTF_8)).verdict())
          .as("accepted and readable back: %s", new String(body, StandardCharsets.UTF_8))
          .isEqualTo(PayloadColumns.Verdict.READABLE);
      try (PreparedStatement check = postgres().prepareStatement("SELECT ?::jsonb")) {
        check.setString(1, new String(body, StandardCharsets.UTF_8));
        check.execute();
      }
    }
  }

  /** The contract for one request; returns the dossier id when it was accepted. */
  private static String assertQueuedVerbatimOrRefused(String property, byte[] body) {
    long before = gw.queued();
    HttpResponse<Buffer> response = gw.rawClient.post("/v1/dossiers").putHeader("Content-Type", "application/json")
        .timeout(10_000).sendBuffer(Buffer.buffer(body)).await();
    int status = response.statusCode();
    STATUSES.computeIfAbsent(property, p -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
    String shown = new String(body, StandardCharsets.UTF_8);
    shown = shown.length() > 300 ? shown.substring(0, 300) + "..." : shown;
    assertThat(status).as("status for %s -> %s", shown, response.bodyAsString()).isLessThan(500);
    if (status == 202) {
      String id = response.bodyAsJsonObject().getString("id");
      assertThat(gw.queued()).as("one entry queued").isEqualTo(before + 1);
      assertThat(SecurityTestSupport.streamEntryOf(gw, id).get("payload")).as("payload of %s", shown).isEqualTo(body);
      return id;
    }
    assertThat(status).as("status for %s -> %s", shown, response.bodyAsString()).isIn(REFUSALS);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getInteger("status")).isEqualTo(status);
    assertThat(gw.queued()).as("nothing queued for a %d", status).isEqualTo(before);
    return null;
  }

  @Provide
  Arbitrary<String> dossiersWithHostileStrings() {
    Arbitrary<String> field = Arbitraries.of(STRING_FIELDS);
    return Combinators.combine(field, hostileStrings(), field, hostileStrings(), citizenIds())
        .as((f1, v1, f2, v2, citizen) -> {
          JsonObject dossier = SecurityTestSupport.dossierOf(citizen);
          put(dossier, f1, v1);
          put(dossier, f2, v2);
          return dossier.encode();
        });
  }

  /**
   * Exponents stay below 1e10000 here: a larger one in an enum-checked field (channel, applicant type) makes the
   * JSON Schema validator expand it digit by digit and blocks the event loop for minutes (1e99999999: found by this
   * test). {@link #everyAcceptedPayloadIsStorableInPostgres} covers those.
   */
  @Provide
  Arbitrary<String> dossiersWithWrongTypes() {
    return Combinators.combine(Arbitraries.of(ANY_FIELDS), rawJsonValues(), citizenIds()).as((pointer, raw, citizen) -> {
      JsonObject dossier = SecurityTestSupport.dossierOf(citizen);
      put(dossier, pointer, "__RAW__");
      return dossier.encode().replace("\"__RAW__\"", raw);
    });
  }

  @Provide
  Arbitrary<String> garbage() {
    Arbitrary<String> deep = Arbitraries.integers().between(10, 3000).flatMap(depth -> Arbitraries.of(
        "[".repeat(depth) + "]".repeat(depth),
        "{\"a\":".repeat(depth) + "1" + "}".repeat(depth),
        "[".repeat(depth)));
    Arbitrary<String> wide = Arbitraries.integers().between(100, 20_000).map(n ->
        "{\"attachments\":" + new JsonArray(java.util.Collections.nCopies(n, 0)).encode() + "}");
    Arbitrary<String> duplicates = Combinators.combine(Arbitraries.of(STRING_FIELDS), Arbitraries.of(NASTY))
        .as((pointer, value) -> {
          String key = pointer.substring(pointer.lastIndexOf('/') + 1);
          String dossier = SecurityTestSupport.dossierOf(SecurityTestSupport.randomCitizenId()).encode();
          return "{\"" + key + "\":" + new JsonArray().add(value).encode().replaceAll("^\\[|]$", "") + ","
              + dossier.substring(1);
        });
    Arbitrary<String> random = Arbitraries.strings().withChars("{}[]\":,.0123456789eE+-truefalsn \\u\t\n")
        .ofMinLength(0).ofMaxLength(400);
    Arbitrary<String> tails = Arbitraries.of("{}", "{} {}", "{}x", "{\"a\":1}]", "null", "true", "\"x\"", "1e9999",
        "[]", "", " ", "\u0000", "{\"a\":1,}", "{'a':1}", "{a:1}", "/*c*/{}", "{\"a\":NaN}", "{\"a\":Infinity}",
        "{\"a\":0x10}", "{\"a\":01}", "{\"a\":\"\\x41\"}", "{\"a\":\"\t\"}");
    return Arbitraries.oneOf(deep, wide, duplicates, random, tails);
  }

  @Provide
  Arbitrary<String> mutatedDossiers() {
    Arbitrary<Integer> position = Arbitraries.integers().between(0, 1_000_000);
    Arbitrary<String> insert = Arbitraries.oneOf(Arbitraries.of(NASTY),
        Arbitraries.strings().all().ofMinLength(1).ofMaxLength(3), Arbitraries.of("\"", "{", "}", "[", "]", ",", ":",
            "\\", "\\u", "\\ud83d", "null", "1e400", "-", "."));
    Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.integers().between(0, 3), position, position, insert)
        .as(Mutation::new);
    return Combinators.combine(citizenIds(), mutation.list().ofMinSize(1).ofMaxSize(4)).as((citizen, mutations) -> {
      StringBuilder text = new StringBuilder(SecurityTestSupport.dossierOf(citizen).encode());
      for (Mutation m : mutations) {
        m.applyTo(text);
      }
      return text.toString();
    });
  }

  @Provide
  Arbitrary<byte[]> bytesPostgresMayRefuse() {
    Arbitrary<byte[]> junk = Arbitraries.of(new byte[] {(byte) 0xC0, (byte) 0x80}, new byte[] {(byte) 0xC1, (byte) 0xBF},
        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
        new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xFF});
    Arbitrary<byte[]> invalidUtf8 = Combinators.combine(citizenIds(), junk).as((citizen, bytes) -> {
      String text = SecurityTestSupport.dossierOf(citizen).put("note", "@@").encode();
      int at = text.indexOf("@@");
      byte[] head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
      byte[] tail = text.substring(at + 2).getBytes(StandardCharsets.UTF_8);
      byte[] out = new byte[head.length + bytes.length + tail.length];
      System.arraycopy(head, 0, out, 0, head.length);
      System.arraycopy(bytes, 0, out, head.length, bytes.length);
      System.arraycopy(tail, 0, out, head.length + bytes.length, tail.length);
      return out;
    });
    Arbitrary<byte[]> escapes = Combinators.combine(citizenIds(), Arbitraries.of("\"\\ud800\"", "\"a\\udc00b\"",
        "\"\\ud83d\\ude00\"", "1e999999", "-1e-999999", "1e308", "1e309", "9e308", "-1.8e308",
        "123456789012345678901234567890", "0.0", "1e99999999", "0e99999999"))
        .as((citizen, raw) -> {
          JsonObject dossier = SecurityTestSupport.dossierOf(citizen);
          dossier.getJsonObject("formData").put("extra", "__RAW__");
          return dossier.encode().replace("\"__RAW__\"", raw).getBytes(StandardCharsets.UTF_8);
        });
    Arbitrary<byte[]> bom = citizenIds().map(c -> ("\uFEFF" + SecurityTestSupport.dossierOf(c).encode())
        .getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(invalidUtf8, escapes, bom);
  }

  private static Arbitrary<String> hostileStrings() {
    String vietnamese = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐ ";
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.of(NASTY)),
        net.jqwik.api.Tuple.of(3, Arbitraries.strings().withChars(vietnamese).ofMinLength(1).ofMaxLength(120)
            .map(s -> Math.random() < 0.5 ? s : Normalizer.normalize(s, Normalizer.Form.NFD))),
        net.jqwik.api.Tuple.of(3, Arbitraries.strings().all().ofMaxLength(200)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().withCharRange('\u0000', '\u001F').ofMaxLength(8)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x1F300, 0x1FAFF).list().ofMaxSize(30)
            .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString())),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1990, 6000).map("y"::repeat)));
  }

  private static Arbitrary<String> rawJsonValues() {
    Arbitrary<String> numbers = Arbitraries.of("1e400", "-1e400", "1e-400", "123456789012345678901234567890", "-0",
        "0.0", "9007199254740993", "1.7976931348623157e309", "-9223372036854775809", "1e9999", "0e9999", "-1e-9999",
        "1" + "0".repeat(63), "1" + "0".repeat(70), "1.5", "-1", "0", "52428801", "52428800");
    Arbitrary<String> others = Arbitraries.of("true", "false", "null", "[]", "{}", "[[[[[[[[]]]]]]]]", "\"\"",
        "{\"a\":{\"b\":{\"c\":[1,2,{\"d\":null}]}}}", "[\"x\",1,null,true]", "\"\\ud800\"", "\"\\u0000\"", "\"\\\\\"",
        "\"\\\"\"", "\"\\/\"");
    return Arbitraries.oneOf(numbers, others, Arbitraries.longs().map(Object::toString),
        Arbitraries.doubles().map(Object::toString).filter(d -> !d.contains("N") && !d.contains("I")));
  }

  private static Arbitrary<String> citizenIds() {
    return Arbitraries.longs().between(0, 999_999_999_999L).map(n -> String.format("%012d", n));
  }

  /** Sets a value at a simple JSON Pointer into the example dossier (creating the last field if absent). */
  private static void put(JsonObject dossier, String pointer, Object value) {
    String[] parts = pointer.substring(1).split("/");
    Object node = dossier;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node instanceof JsonObject o ? o.getValue(parts[i]) : ((JsonArray) node).getValue(Integer.parseInt(parts[i]));
    }
    String last = parts[parts.length - 1];
    if (node instanceof JsonObject o) {
      o.put(last, value);
    } else {
      ((JsonArray) node).set(Integer.parseInt(last), value);
    }
  }

  /** 0 delete a range, 1 insert, 2 replace a range, 3 truncate. */
  private record Mutation(int kind, int from, int to, String text) {
    void applyTo(StringBuilder s) {
      if (s.length() == 0) {
        s.append(text);
        return;
      }
      int a = from % s.length();
      int b = Math.min(s.length(), a + to % 16);
      switch (kind) {
        case 0 -> s.delete(a, b);
        case 1 -> s.insert(a, text);
        case 2 -> s.replace(a, b, text);
        default -> s.setLength(a);
      }
    }
  }

  private static Connection postgres() throws SQLException {
    if (postgres == null) {
      PostgresClients.Jdbc jdbc = PostgresClients.jdbc(gw.config.postgres());
      postgres = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
    }
    return postgres;
  }
}
