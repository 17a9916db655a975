package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * Strict JSON reading of a request body: duplicate keys, trailing garbage, deep nesting and oversized numbers are
 * malformed input (400), decided before any schema rule runs. Thread-safe.
 */
public final class DossierParser {
  /** A dossier is at most a few levels deep; anything deeper is hostile. */
  static final int MAX_NESTING_DEPTH = 16;

  private final ObjectMapper mapper;

  public DossierParser(long maxBodyBytes) {
    JsonFactory factory = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(64)
            .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxBodyBytes))
            .build())
        .build();
    this.mapper = JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .build();
  }

  public JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw HttpFailure.malformed("the request body is empty; send the dossier as a JSON object");
    }
    try {
      JsonNode node = mapper.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw HttpFailure.malformed("the request body is empty; send the dossier as a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw HttpFailure.malformed("the body is not valid JSON" + where + ": " + firstLine(e.getOriginalMessage()));
    } catch (NumberFormatException e) {
      // Jackson reports an exponent too long to read (e.g. 1e400000000000100) this way, not as a parse error
      throw HttpFailure.malformed("the body holds a number that cannot be read (exponent too large)");
    } catch (IOException e) {
      throw HttpFailure.malformed("the body could not be read as JSON");
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable JSON";
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
