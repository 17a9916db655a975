package vn.onewindow.common.dossier;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.jackson.DatabindCodec;
import java.io.IOException;

/**
 * What the intake needs of a queued payload, read in one streaming pass: the row's columns ({@link
 * DossierTable.Columns}) and whether PostgreSQL's readers can read every value back. Building the payload's tree
 * (Vert.x's {@code JsonObject}) to walk it twice took about 5 µs a dossier of the intake's 20 (ops/bench/RUNS.md, BP);
 * the pass builds no tree and copies no text but the five columns'.
 *
 * <p>It reads as {@code new JsonObject(payload)} did: Vert.x's own parser factory (so the same syntax: comments
 * allowed, no trailing content, the same size and depth limits), a duplicate name's last value wins for a column. One
 * difference, stricter: a value that cannot be read back is refused wherever it is, also under a name given twice,
 * where the tree kept only the last value (the gateway refuses duplicate names before a 202 anyway).
 *
 * <p>Not readable back (what {@code jsonb} refused at insert and {@code json} keeps, V9): U+0000 or an unpaired
 * surrogate in a name or a string (PostgreSQL's json operators cannot extract it), a fractional or exponent number
 * beyond a double (every Java reader decodes those into doubles: it would read back as infinity).
 */
public final class PayloadColumns {
  private static final JsonFactory FACTORY = DatabindCodec.mapper().getFactory();
  /** The index of the applicant's type among the columns, filled from the "applicant" object. */
  private static final int APPLICANT_TYPE = 4;

  /** The outcome: a JSON object readable back (its columns, a missing one null), or why not. */
  public enum Verdict { READABLE, NOT_AN_OBJECT, UNREADABLE }

  /** {@code columns}: null when the payload is not an object (an unreadable one's are read all the same). */
  public record Reading(Verdict verdict, DossierTable.Columns columns) {
  }

  private final JsonParser p;
  private boolean readable = true;

  private PayloadColumns(JsonParser p) {
    this.p = p;
  }

  public static Reading read(String payload) {
    if (!startsAsObject(payload)) {
      return new Reading(Verdict.NOT_AN_OBJECT, null);
    }
    try (JsonParser p = FACTORY.createParser(payload)) {
      return new PayloadColumns(p).document();
    } catch (IOException | RuntimeException e) {
      // malformed JSON, or beyond the parser's limits (number length, nesting depth): not an object it can read
      return new Reading(Verdict.NOT_AN_OBJECT, null);
    }
  }

  /** As the tree's reader required: after leading whitespace (Java's notion), an object. */
  private static boolean startsAsObject(String payload) {
    int i = 0;
    while (i < payload.length() && Character.isWhitespace(payload.charAt(i))) {
      i++;
    }
    return i < payload.length() && payload.charAt(i) == '{';
  }

  private Reading document() throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return new Reading(Verdict.NOT_AN_OBJECT, null);
    }
    String[] columns = new String[5];
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      text();
      int column = column(p.currentName());
      JsonToken value = p.nextToken();
      if (column == APPLICANT_TYPE && value == JsonToken.START_OBJECT) {
        columns[column] = applicantType();
      } else {
        // a text column's text; an applicant that is not an object has no type
        if (column >= 0) {
          columns[column] = column != APPLICANT_TYPE && value == JsonToken.VALUE_STRING ? p.getText() : null;
        }
        other(value);
      }
    }
    if (p.nextToken() != null) {
      // trailing content, as Vert.x's decoder refuses it
      return new Reading(Verdict.NOT_AN_OBJECT, null);
    }
    return new Reading(readable ? Verdict.READABLE : Verdict.UNREADABLE,
        new DossierTable.Columns(columns[0], columns[1], columns[2], columns[3], columns[APPLICANT_TYPE]));
  }

  /** The column a top-level name fills: 0-3 the four text columns, the applicant's type, -1 none. */
  private static int column(String name) {
    return switch (name) {
      case "procedureCode" -> 0;
      case "receivingUnit" -> 1;
      case "handlingAgency" -> 2;
      case "channel" -> 3;
      case "applicant" -> APPLICANT_TYPE;
      default -> -1;
    };
  }

  /** The applicant object's {@code type} when it is text (its last occurrence), the whole object walked. */
  private String applicantType() throws IOException {
    String type = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      text();
      boolean isType = "type".equals(p.currentName());
      JsonToken value = p.nextToken();
      if (isType) {
        type = value == JsonToken.VALUE_STRING ? p.getText() : null;
      }
      other(value);
    }
    return type;
  }

  /** Walks the value starting at {@code token} (to its end when a structure), noting what cannot be read back. */
  private void other(JsonToken token) throws IOException {
    int depth = 0;
    JsonToken t = token;
    while (true) {
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        depth++;
      } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
        depth--;
      } else if (t == JsonToken.FIELD_NAME || t == JsonToken.VALUE_STRING) {
        text();
      } else if (t == JsonToken.VALUE_NUMBER_FLOAT && !Double.isFinite(p.getDoubleValue())) {
        readable = false;
      }
      if (depth == 0) {
        return;
      }
      t = p.nextToken();
    }
  }

  /** Notes a current name or string holding U+0000 or an unpaired surrogate (read in the parser's own buffer). */
  private void text() throws IOException {
    int from = p.getTextOffset();
    if (DossierTable.unreadableText(p.getTextCharacters(), from, from + p.getTextLength())) {
      readable = false;
    }
  }
}
