package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.regex.Pattern;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * Strict JSON reading of a request body: duplicate keys, trailing garbage, deep nesting and oversized numbers are
 * malformed input (400), decided before any schema rule runs. The 400's detail is written for the API's user: the
 * JSON reader's own wording is kept only where it names no library class, method or setting. Thread-safe.
 */
public final class DossierParser {
  /** A dossier is at most a few levels deep; anything deeper is hostile. */
  static final int MAX_NESTING_DEPTH = 16;
  static final int MAX_NUMBER_LENGTH = 64;
  /** Where the JSON reader's messages start naming its own classes and settings (cut there, see {@link #reason}). */
  private static final String[] LIBRARY_HINTS = {"`", "[Source:", "Feature '"};
  /**
   * The reader quotes up to 256 characters of a bare word it could not read (a citizen ID or a name sent without
   * quotes): the answer's position says where it is, and the detail does not repeat the sender's data.
   */
  private static final Pattern BARE_TOKEN = Pattern.compile("^Unrecognized token '.*?'(?=: was expecting|$)");
  /** How the reader's message on too deep a body starts. */
  private static final String NESTING = "Document nesting depth";

  private final ObjectMapper mapper;
  private final StreamReadConstraints limits;
  private final String emptyBody;

  /**
   * @param what what the route takes, as its user would say it ("dossier", "progress event"), for the empty-body
   *     message
   */
  public DossierParser(long maxBodyBytes, String what) {
    this.limits = StreamReadConstraints.builder()
        .maxNestingDepth(MAX_NESTING_DEPTH)
        .maxNumberLength(MAX_NUMBER_LENGTH)
        .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxBodyBytes))
        .build();
    JsonFactory factory = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .streamReadConstraints(limits)
        .build();
    // trailing data is checked in read() (the reader's own check names its classes in its message)
    this.mapper = JsonMapper.builder(factory)
        .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .build();
    this.emptyBody = "the request body is empty; send the " + what + " as a JSON object";
  }

  public JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw HttpFailure.malformed(emptyBody);
    }
    try (JsonParser parser = mapper.createParser(body)) {
      return read(parser);
    } catch (JsonProcessingException e) {
      throw HttpFailure.malformed("the body is not valid JSON" + where(e.getLocation()) + ": "
          + reason(e.getOriginalMessage()));
    } catch (NumberFormatException e) {
      // Jackson reports an exponent too long to read (e.g. 1e400000000000100) this way, not as a parse error
      throw HttpFailure.malformed("the body holds a number that cannot be read (exponent too large)");
    } catch (IOException e) {
      throw HttpFailure.malformed("the body could not be read as JSON");
    }
  }

  private JsonNode read(JsonParser parser) throws IOException {
    try {
      JsonNode node = mapper.readTree(parser);
      if (node == null || node.isMissingNode()) {
        throw HttpFailure.malformed(emptyBody);
      }
      if (parser.nextToken() != null) {
        throw HttpFailure.malformed("the body holds more than one JSON value; the second starts"
            + where(parser.currentTokenLocation()));
      }
      return node;
    } catch (StreamConstraintsException e) {
      // the exception carries no location; the reader stopped right after the offending bracket, or the number,
      // string or name that was too long
      String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
      JsonLocation stopped = parser.currentLocation();
      int back = message.startsWith(NESTING) ? 1 : 0;
      throw HttpFailure.malformed(limitExceeded(message) + where(stopped.getLineNr(), stopped.getColumnNr() - back));
    }
  }

  /** Which of the reader's limits the body broke, in the user's terms (the reader's message names its own methods). */
  private String limitExceeded(String m) {
    if (m.startsWith(NESTING)) {
      return "the body nests objects or arrays deeper than " + limits.getMaxNestingDepth() + " levels";
    } else if (m.startsWith("Number value length")) {
      return "the body holds a number of more than " + limits.getMaxNumberLength() + " digits";
    } else if (m.startsWith("String value length")) {
      return "the body holds a string of more than " + limits.getMaxStringLength() + " characters";
    } else if (m.startsWith("Name length")) {
      return "the body holds a field name of more than " + limits.getMaxNameLength() + " characters";
    }
    return "the body is too large or too deeply structured to be read";
  }

  private static String where(JsonLocation location) {
    return location == null ? "" : where(location.getLineNr(), location.getColumnNr());
  }

  private static String where(int line, int column) {
    return line < 0 || column < 1 ? "" : " at line " + line + ", column " + column;
  }

  /**
   * The reader's first line, up to where it names its own classes or settings ("enable `JsonReadFeature...`",
   * "[Source: REDACTED ...]", "Feature 'ALLOW_COMMENTS' not enabled"): cut at the last " (" or ": " before that.
   */
  static String reason(String message) {
    if (message == null) {
      return "unreadable JSON";
    }
    int newline = message.indexOf('\n');
    String line = BARE_TOKEN.matcher(newline < 0 ? message : message.substring(0, newline))
        .replaceFirst("Unrecognized token");
    int hint = line.length();
    for (String marker : LIBRARY_HINTS) {
      int at = line.indexOf(marker);
      // a backtick the body itself held is quoted as ('`' (code 96)): that one names no library
      while (at > 0 && line.charAt(at - 1) == '\'') {
        at = line.indexOf(marker, at + 1);
      }
      if (at >= 0 && at < hint) {
        hint = at;
      }
    }
    if (hint < line.length()) {
      int cut = Math.max(line.lastIndexOf(" (", hint), line.lastIndexOf(": ", hint));
      line = cut > 0 ? line.substring(0, cut) : "unreadable JSON";
    }
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
