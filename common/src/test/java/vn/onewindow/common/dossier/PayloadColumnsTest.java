package vn.onewindow.common.dossier;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.PayloadColumns.Reading;
import vn.onewindow.common.dossier.PayloadColumns.Verdict;

/**
 * The streaming pass reads what the intake's tree did (Vert.x's JsonObject, then a walk for values PostgreSQL cannot
 * read back, then the columns): the tree is kept here as the oracle, on edge cases and on thousands of mutations of
 * the example dossiers.
 */
class PayloadColumnsTest {
  private static final String[] EXAMPLES = {"birth-registration.json", "driving-licence-renewal.json",
      "business-registration.json"};

  @Test
  void theExampleDossiersAreReadableWithTheirColumns() throws IOException {
    for (String name : EXAMPLES) {
      String payload = example(name);
      Reading reading = PayloadColumns.read(payload);
      assertThat(reading.verdict()).as(name).isEqualTo(Verdict.READABLE);
      assertThat(reading.columns().missing()).as(name).isNull();
      assertThat(reading).as(name).isEqualTo(oracle(payload));
    }
  }

  @Test
  void edgeCasesReadAsTheTreeDid() {
    List<String> cases = List.of(
        "", "   ", "x", "[]", "[{}]", "\"text\"", "null", "{", "{} x", "{}{}", "{}", " \n{}\t",
        "{/* a comment */\"channel\":\"2\"}",
        "{\"channel\":\"1\",\"channel\":\"2\"}",
        "{\"channel\":\"1\",\"channel\":2}",
        "{\"applicant\":{\"type\":\"citizen\"},\"applicant\":\"x\"}",
        "{\"applicant\":\"x\",\"applicant\":{\"type\":\"business\",\"type\":\"citizen\"}}",
        "{\"applicant\":{\"type\":{\"type\":\"nested\"}}}",
        "{\"applicant\":[{\"type\":\"citizen\"}]}",
        "{\"x\":{\"procedureCode\":\"nested, not a column\"},\"procedureCode\":\"1.001612\"}",
        "{\"n\":123456789012345678901234567890}",
        "{\"n\":1e-400}",
        "{\"n\":1e400}",
        "{\"a\":[1,[2,[3e999]]]}",
        "{\"s\":\"nul \\u0000 inside\"}",
        "{\"deep\":{\"na\\u0000me\":1}}",
        "{\"s\":\"lone \\ud800 high\"}",
        "{\"s\":\"lone \\udc00 low\"}",
        "{\"s\":\"a pair \\ud83d\\ude00 is fine\"}",
        "{\"s\":\"ends high \\ud83d\"}",
        "{\"applicant\":{\"type\":\"citizen\",\"name\":\"\\u0000\"}}",
        "{\"a\":NaN}", "{'a':1}", "{\"a\":01}", "{\"a\":1,}");
    for (String payload : cases) {
      assertThat(PayloadColumns.read(payload)).as(payload).isEqualTo(oracle(payload));
    }
  }

  @Test
  void aValueThatCannotBeReadBackIsRefusedAlsoUnderANameGivenTwice() {
    String shadowed = "{\"note\":\"\\u0000\",\"note\":\"fine\",\"channel\":\"2\"}";
    assertThat(oracle(shadowed).verdict()).as("the tree kept the last value only").isEqualTo(Verdict.READABLE);
    assertThat(PayloadColumns.read(shadowed).verdict()).isEqualTo(Verdict.UNREADABLE);
  }

  @Test
  void mutationsOfTheExamplesReadAsTheTreeDid() throws IOException {
    Random random = new Random(20261205);
    String alphabet = "{}[]\":,\\ u0d8ecE.-+1e9ntrufals/*\u0000\ud800";
    int compared = 0;
    for (String name : EXAMPLES) {
      String example = example(name);
      for (int i = 0; i < 3000; i++) {
        StringBuilder mutated = new StringBuilder(example);
        for (int m = random.nextInt(3) + 1; m > 0; m--) {
          int at = random.nextInt(mutated.length());
          char c = alphabet.charAt(random.nextInt(alphabet.length()));
          switch (random.nextInt(3)) {
            case 0 -> mutated.insert(at, c);
            case 1 -> mutated.deleteCharAt(at);
            default -> mutated.setCharAt(at, c);
          }
        }
        String payload = mutated.toString();
        Reading expected = oracle(payload);
        Reading actual = PayloadColumns.read(payload);
        if (expected.verdict() == Verdict.READABLE && actual.verdict() == Verdict.UNREADABLE) {
          assertThat(hasDuplicateNames(payload)).as("stricter only under a name given twice: %s", payload).isTrue();
          continue;
        }
        assertThat(actual).as(payload).isEqualTo(expected);
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(8000);
  }

  /** The intake's reading before the streaming pass: the whole tree, walked. */
  private static Reading oracle(String payload) {
    int i = 0;
    while (i < payload.length() && Character.isWhitespace(payload.charAt(i))) {
      i++;
    }
    if (i == payload.length() || payload.charAt(i) != '{') {
      return new Reading(Verdict.NOT_AN_OBJECT, null);
    }
    JsonObject doc;
    try {
      doc = new JsonObject(payload);
    } catch (DecodeException | ClassCastException e) {
      return new Reading(Verdict.NOT_AN_OBJECT, null);
    }
    Object applicant = doc.getValue("applicant");
    DossierTable.Columns columns = new DossierTable.Columns(text(doc, "procedureCode"), text(doc, "receivingUnit"),
        text(doc, "handlingAgency"), text(doc, "channel"), applicant instanceof JsonObject a ? text(a, "type") : null);
    return new Reading(readable(doc) ? Verdict.READABLE : Verdict.UNREADABLE, columns);
  }

  private static String text(JsonObject o, String name) {
    return o.getValue(name) instanceof String s ? s : null;
  }

  private static boolean readable(Object value) {
    if (value instanceof JsonObject o) {
      for (Map.Entry<String, Object> member : o) {
        if (!readable(member.getKey()) || !readable(member.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (value instanceof JsonArray a) {
      for (Object item : a) {
        if (!readable(item)) {
          return false;
        }
      }
      return true;
    }
    if (value instanceof String s) {
      return s.indexOf('\u0000') < 0 && !DossierTable.hasUnpairedSurrogate(s);
    }
    return !(value instanceof Double d) || Double.isFinite(d);
  }

  /** Whether some object of the document names a member twice (the tree keeps only the last). */
  private static boolean hasDuplicateNames(String payload) {
    List<List<String>> names = new ArrayList<>();
    try (var p = io.vertx.core.json.jackson.DatabindCodec.mapper().getFactory().createParser(payload)) {
      for (var t = p.nextToken(); t != null; t = p.nextToken()) {
        switch (t) {
          case START_OBJECT -> names.add(new ArrayList<>());
          case END_OBJECT -> names.remove(names.size() - 1);
          case FIELD_NAME -> {
            List<String> current = names.get(names.size() - 1);
            if (current.contains(p.currentName())) {
              return true;
            }
            current.add(p.currentName());
          }
          default -> { }
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private static String example(String name) throws IOException {
    Path dir = Path.of("config/examples");
    for (int up = 0; up < 3 && !Files.isDirectory(dir); up++) {
      dir = Path.of("..").resolve(dir);
    }
    return Files.readString(dir.resolve(name));
  }
}
