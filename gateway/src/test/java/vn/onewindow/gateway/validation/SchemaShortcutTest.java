package vn.onewindow.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.validation.SchemaShortcut.Verdict;

/**
 * The shortcut never calls a body valid that the schema library finds fault with (nor invalid one it passes), held to
 * the library on bodies made by mutating valid ones: members removed, added and replaced by values near every
 * keyword's edge (lengths in code points, integer bounds, decimals, enum neighbours, patterns' near misses, the
 * citizen/business condition). And it does decide the valid dossiers clients send, or it would save nothing.
 */
class SchemaShortcutTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonSchemas SUBMISSION = JsonSchemas.load(DossierValidator.SCHEMA_RESOURCE);
  private static final JsonSchemas EVENT = JsonSchemas.load("config/schema/dossier-event.schema.json");
  private static final List<String> NAMES = List.of("procedureCode", "receivingUnit", "handlingAgency", "channel",
      "applicant", "formData", "attachments", "resultDelivery", "note", "type", "citizenId", "taxCode", "fullName",
      "phone", "email", "address", "name", "mediaType", "sizeBytes", "sha256", "storageUri", "extra", "1bad",
      "field_2", "eventId", "status", "at", "officer", "dueDate", "result", "documentId", "uri", "",
      // the library's additionalProperties skips a name starting with '#' (networknt 1.5.9): never "surely invalid"
      "#note");
  private static final List<Supplier<JsonNode>> VALUES = List.of(
      () -> TextNode.valueOf(""), () -> TextNode.valueOf(" "), () -> TextNode.valueOf("a"),
      () -> TextNode.valueOf("x".repeat(200)), () -> TextNode.valueOf("x".repeat(201)),
      () -> TextNode.valueOf("x".repeat(4001)), () -> TextNode.valueOf("\u00e9".repeat(255)),
      () -> TextNode.valueOf("\ud83d\ude00".repeat(150)), () -> TextNode.valueOf("\ud83d\ude00".repeat(201)),
      () -> TextNode.valueOf("a\u0000b"), () -> TextNode.valueOf("\u202eName"), () -> TextNode.valueOf(" lead"),
      () -> TextNode.valueOf("online"), () -> TextNode.valueOf("counter"), () -> TextNode.valueOf("Online"),
      () -> TextNode.valueOf("citizen"), () -> TextNode.valueOf("business"), () -> TextNode.valueOf("0912345678"),
      () -> TextNode.valueOf("+84912345678"), () -> TextNode.valueOf("0912345678\n"),
      () -> TextNode.valueOf("012345678901"), () -> TextNode.valueOf("0123456789"),
      () -> TextNode.valueOf("0123456789-123"), () -> TextNode.valueOf("a@b.vn"),
      () -> TextNode.valueOf("\"q u\"@example.com"), () -> TextNode.valueOf("a@localhost"),
      () -> TextNode.valueOf("1.000894"), () -> TextNode.valueOf("1.001612.000.00.00.H48"),
      () -> TextNode.valueOf("000.00.53.H48"), () -> TextNode.valueOf("s3://bucket/x.pdf"),
      () -> TextNode.valueOf("ftp://x/y"), () -> TextNode.valueOf("a".repeat(64)),
      () -> TextNode.valueOf("A".repeat(64)), () -> TextNode.valueOf("application/pdf"),
      () -> TextNode.valueOf("2026-12-05"), () -> TextNode.valueOf("2026-12-05T10:00:00+07:00"),
      () -> NODES.numberNode(0), () -> NODES.numberNode(1), () -> NODES.numberNode(-1), () -> NODES.numberNode(10),
      () -> NODES.numberNode(11), () -> NODES.numberNode(52428800), () -> NODES.numberNode(52428801),
      () -> NODES.numberNode(Long.MAX_VALUE), () -> NODES.numberNode(new BigInteger("1" + "0".repeat(30))),
      () -> DecimalNode.valueOf(new BigDecimal("1.0")), () -> DecimalNode.valueOf(new BigDecimal("1.5")),
      () -> DecimalNode.valueOf(new BigDecimal("5E+1")), () -> NODES.booleanNode(true), () -> NODES.nullNode(),
      NODES::objectNode, NODES::arrayNode, () -> NODES.objectNode().put("a", 1),
      () -> NODES.arrayNode().add(1).add("x"));

  @Test
  void decidesTheExampleDossiersValid() throws IOException {
    for (JsonNode dossier : examples()) {
      assertThat(SUBMISSION.shortcut().verdict(dossier)).isEqualTo(Verdict.VALID);
      assertThat(SUBMISSION.libraryViolations(dossier, new TreeSet<>())).isEmpty();
    }
  }

  @Test
  void decidesTheConditionBothWays() throws IOException {
    ObjectNode citizen = (ObjectNode) examples().get(0).deepCopy();
    ((ObjectNode) citizen.get("applicant")).remove("citizenId");
    assertThat(SUBMISSION.shortcut().verdict(citizen)).isEqualTo(Verdict.INVALID);
    ((ObjectNode) citizen.get("applicant")).put("type", "business").put("taxCode", "0123456789");
    assertThat(SUBMISSION.shortcut().verdict(citizen)).isEqualTo(Verdict.VALID);
    assertThat(SUBMISSION.libraryViolations(citizen, new TreeSet<>())).isEmpty();
  }

  @Test
  void leavesSchemasWithKeywordsItDoesNotModelToTheLibrary() throws IOException {
    SchemaShortcut unique = SchemaShortcut.of(JSON.readTree("{\"type\":\"array\",\"uniqueItems\":true}"),
        new SchemaPatterns(), new EmailFormat());
    assertThat(unique.verdict(JSON.readTree("[1,2]"))).isEqualTo(Verdict.UNSURE);
    SchemaShortcut dates = SchemaShortcut.of(JSON.readTree("{\"type\":\"string\",\"format\":\"date\"}"),
        new SchemaPatterns(), new EmailFormat());
    assertThat(dates.verdict(TextNode.valueOf("2026-12-05"))).isEqualTo(Verdict.UNSURE);
    SchemaShortcut draft7 = SchemaShortcut.of(JSON.readTree("{\"properties\":{\"a\":{"
        + "\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"string\"}}}"), new SchemaPatterns(),
        new EmailFormat());
    assertThat(draft7.verdict(JSON.readTree("{\"a\":\"x\"}"))).isEqualTo(Verdict.UNSURE);
  }

  /**
   * formData's maxProperties (100) and attachments' maxItems (20) at and past their limits, which the mutations
   * (one member or item, or twenty items of which nearly always one is junk, at a time) do not reach.
   */
  @Test
  void decidesTheSizeLimitsExactly() throws IOException {
    ObjectNode example = (ObjectNode) examples().get(0);
    for (int fields = 98; fields <= 102; fields++) {
      for (int files = 18; files <= 22; files++) {
        ObjectNode body = example.deepCopy();
        ObjectNode formData = body.putObject("formData");
        for (int i = 0; i < fields; i++) {
          formData.put("field_" + i, "v");
        }
        ArrayNode attachments = body.putArray("attachments");
        for (int i = 0; i < files; i++) {
          attachments.add(example.get("attachments").get(0).deepCopy());
        }
        boolean within = fields <= 100 && files <= 20;
        assertThat(SUBMISSION.libraryViolations(body, new TreeSet<>())).as("%d fields, %d files", fields, files)
            .hasSize(within ? 0 : (fields > 100 ? 1 : 0) + (files > 20 ? 1 : 0));
        assertThat(SUBMISSION.shortcut().verdict(body)).as("%d fields, %d files", fields, files)
            .isEqualTo(within ? Verdict.VALID : Verdict.UNSURE);
      }
    }
  }

  /** Every type name and a list of them, against every kind of value the parser makes (decimals included). */
  @Test
  void readsTypesAsTheLibraryDoes() throws IOException {
    for (String type : List.of("\"integer\"", "\"number\"", "\"string\"", "\"boolean\"", "\"null\"",
        "\"object\"", "\"array\"", "[\"string\",\"integer\"]", "[\"null\",\"number\"]")) {
      agreeOnEveryValue(JsonSchemas.of(JSON.readTree("{\"type\":" + type + "}")));
    }
  }

  /** Integer bounds, inclusive, against integers of every width and decimals (left to the library). */
  @Test
  void readsBoundsAsTheLibraryDoes() throws IOException {
    for (String bounds : List.of("\"minimum\":1,\"maximum\":10", "\"minimum\":-1", "\"maximum\":52428800",
        "\"minimum\":0,\"maximum\":0")) {
      agreeOnEveryValue(JsonSchemas.of(JSON.readTree("{" + bounds + "}")));
    }
  }

  private static void agreeOnEveryValue(JsonSchemas schema) {
    for (Supplier<JsonNode> value : VALUES) {
      assertAgrees(schema, schema.shortcut().verdict(value.get()), value.get());
    }
  }

  /** A limit that is not a whole number: the library then takes maxItems as 0, not as the number cut to an int. */
  @Test
  void readsSizeLimitsAsTheLibraryDoes() throws IOException {
    for (String keyword : List.of("minItems", "maxItems", "minLength", "maxLength", "minProperties",
        "maxProperties")) {
      JsonSchemas schema = JsonSchemas.of(JSON.readTree("{\"" + keyword + "\":1.5}"));
      for (String body : List.of("[]", "[1]", "[1,2]", "\"\"", "\"a\"", "\"ab\"", "{}", "{\"a\":1}",
          "{\"a\":1,\"b\":2}")) {
        JsonNode value = JSON.readTree(body);
        assertAgrees(schema, schema.shortcut().verdict(value), value);
      }
    }
  }

  @Property(tries = 400)
  void agreesWithTheLibraryOnMutatedDossiers(@ForAll long seed) throws IOException {
    Random random = new Random(seed);
    List<JsonNode> examples = examples();
    for (int i = 0; i < 10; i++) {
      JsonNode body = mutated(examples.get(random.nextInt(examples.size())), random);
      Verdict verdict = SUBMISSION.shortcut().verdict(body);
      Statistics.label("verdict").collect(verdict);
      assertAgrees(SUBMISSION, verdict, body);
    }
    // mutations must reach every verdict, or the property proves little
    Statistics.label("verdict").coverage(c -> {
      c.check(Verdict.VALID).percentage(p -> p > 10);
      c.check(Verdict.INVALID).percentage(p -> p > 2);
      c.check(Verdict.UNSURE).percentage(p -> p > 20);
    });
  }

  @Property(tries = 100)
  void agreesWithTheLibraryOnMutatedEvents(@ForAll long seed) throws IOException {
    Random random = new Random(seed);
    JsonNode event = JSON.readTree("{\"eventId\":\"ev-1\",\"status\":5,\"at\":\"2026-12-05T10:00:00+07:00\","
        + "\"officer\":\"x\",\"dueDate\":\"2026-12-20\",\"result\":[{\"name\":\"n\",\"documentId\":\"d\","
        + "\"uri\":\"s3://b/k\"}]}");
    for (int i = 0; i < 10; i++) {
      JsonNode body = mutated(event, random);
      assertAgrees(EVENT, EVENT.shortcut().verdict(body), body);
    }
  }

  private static void assertAgrees(JsonSchemas schema, Verdict verdict, JsonNode body) {
    if (verdict != Verdict.UNSURE) {
      assertThat(schema.libraryViolations(body, new TreeSet<>()).isEmpty())
          .as("shortcut says %s of %s", verdict, body).isEqualTo(verdict == Verdict.VALID);
    }
  }

  /** One to three changes at random places: a member removed, added or replaced, an item added or removed. */
  private static JsonNode mutated(JsonNode original, Random random) {
    JsonNode body = original.deepCopy();
    int changes = 1 + random.nextInt(3);
    for (int c = 0; c < changes; c++) {
      List<ContainerNode<?>> containers = new ArrayList<>();
      collect(body, containers);
      ContainerNode<?> at = containers.get(random.nextInt(containers.size()));
      List<JsonNode> children = new ArrayList<>();
      at.forEach(children::add);
      // a sibling's value (another member's or item's) or one from the edges above
      JsonNode value = random.nextInt(4) == 0 && !children.isEmpty()
          ? children.get(random.nextInt(children.size())).deepCopy()
          : VALUES.get(random.nextInt(VALUES.size())).get();
      if (at instanceof ObjectNode object) {
        List<String> present = new ArrayList<>();
        object.fieldNames().forEachRemaining(present::add);
        int op = random.nextInt(3);
        if (op == 0 && !present.isEmpty()) {
          object.remove(present.get(random.nextInt(present.size())));
        } else if (op == 1 && !present.isEmpty()) {
          object.set(present.get(random.nextInt(present.size())), value);
        } else {
          object.set(NAMES.get(random.nextInt(NAMES.size())), value);
        }
      } else {
        ArrayNode array = (ArrayNode) at;
        if (random.nextBoolean() && !array.isEmpty()) {
          array.remove(random.nextInt(array.size()));
        } else {
          for (int n = random.nextInt(3) == 0 ? 20 : 1; n > 0; n--) {
            array.add(array.isEmpty() || random.nextBoolean() ? value : array.get(0).deepCopy());
          }
        }
      }
    }
    return body;
  }

  private static void collect(JsonNode node, List<ContainerNode<?>> containers) {
    if (node instanceof ContainerNode<?> container) {
      containers.add(container);
      node.forEach(child -> collect(child, containers));
    }
  }

  private static List<JsonNode> examples() throws IOException {
    List<JsonNode> examples = new ArrayList<>();
    for (String name : List.of("birth-registration", "business-registration", "driving-licence-renewal")) {
      try (InputStream in = SchemaShortcutTest.class.getClassLoader()
          .getResourceAsStream("config/examples/" + name + ".json")) {
        examples.add(JSON.readTree(in));
      }
    }
    return examples;
  }
}
