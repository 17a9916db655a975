package vn.onewindow.gateway.http;

import com.fasterxml.jackson.databind.util.RawValue;

/**
 * A stored JSON document served as a member of an answer as its text was stored: the submission an agency reads is
 * the body the citizen sent, byte for byte (the payload column is json, V9). Decoded into a JsonObject and encoded
 * again, its numbers would change form: Vert.x reads 1.8432e5 as a double and writes 184320.0, which a strict
 * client expecting the schema's integer refuses. Written raw by Jackson's databind, which encodes every answer here
 * (Vert.x's DatabindCodec: databind is on the gateway's classpath through the schema validator).
 */
public final class StoredJson {
  private StoredJson() {
  }

  /** The document's text as a member value; select the column {@code ::text} so that the client does not decode it. */
  public static Object of(String storedText) {
    return storedText == null ? null : new RawValue(storedText);
  }
}
