package vn.onewindow.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.common.infra.Digests;

/**
 * GET /openapi.yaml: the API contract ({@code config/openapi.yaml}), read once at start. The contract points at the
 * dossier JSON Schema and the examples with relative references ({@code ./schema/...}, {@code ./examples/...}) that
 * the hub does not serve, so they are inlined here: the document a client downloads is complete on its own.
 */
public final class ApiContract {
  /** Where the contract is read from: a classpath resource (config/ ships in the common jar) or a file. */
  public static final String LOCATION = "config/openapi.yaml";
  public static final String CONTENT_TYPE = "application/yaml";

  // Every string is written quoted: with quotes minimised the writer left strings that read as dates or times
  // ("2026-11-01") bare, and YAML 1.1 loaders (PyYAML, js-yaml as Swagger UI uses it) then read dates, not strings.
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Buffer document;
  private final String etag;

  private ApiContract(byte[] document) {
    this.document = Buffer.buffer(document);
    this.etag = "\"" + Digests.sha256Hex(document).substring(0, 32) + "\"";
  }

  /** Reads and bundles the contract (blocking: call at start). Fails naming the file when it cannot. */
  public static ApiContract load(String location) {
    String base = location.contains("/") ? location.substring(0, location.lastIndexOf('/') + 1) : "";
    try {
      JsonNode contract = YAML.readTree(read(location));
      inline(contract, base);
      return new ApiContract(YAML.writeValueAsBytes(contract));
    } catch (IOException e) {
      throw new UncheckedIOException("API contract '" + location + "' could not be read", e);
    }
  }

  public void serve(RoutingContext ctx) {
    ctx.response()
        .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=300")
        // a shared cache must not serve a copy kept with (or without) Access-Control-Allow-Origin to another origin
        // (CorsHandler says Vary only when several origins are allowed)
        .putHeader(HttpHeaders.VARY, "Origin")
        .putHeader(HttpHeaders.ETAG, etag);
    if (notModified(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      ctx.response().setStatusCode(304).end();
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE);
    HeadRequests.end(ctx, document);
  }

  /**
   * If-None-Match as RFC 9110 (13.1.2) reads it: {@code *}, or a list of entity tags compared weakly (a {@code W/}
   * prefix does not matter), any of which is the current one.
   */
  private boolean notModified(String ifNoneMatch) {
    if (ifNoneMatch == null) {
      return false;
    }
    if (ifNoneMatch.trim().equals("*")) {
      return true;
    }
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if ((t.startsWith("W/") ? t.substring(2) : t).equals(etag)) {
        return true;
      }
    }
    return false;
  }

  /** Replaces {@code $ref: ./x.json} with the referenced document and {@code externalValue: ./x} with its value. */
  private static void inline(JsonNode node, String base) throws IOException {
    if (node instanceof ObjectNode object) {
      JsonNode ref = object.get("$ref");
      if (ref != null && ref.asText().startsWith("./")) {
        object.remove("$ref");
        object.setAll((ObjectNode) JSON.readTree(read(base + ref.asText().substring(2))));
      }
      JsonNode external = object.get("externalValue");
      if (external != null && external.asText().startsWith("./")) {
        object.remove("externalValue");
        object.set("value", JSON.readTree(read(base + external.asText().substring(2))));
      }
      for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
        inline(fields.next().getValue(), base);
      }
    } else if (node != null && node.isArray()) {
      for (JsonNode item : node) {
        inline(item, base);
      }
    }
  }

  private static byte[] read(String location) throws IOException {
    Path path = Path.of(location);
    try (InputStream in = Files.isRegularFile(path) ? Files.newInputStream(path)
        : ApiContract.class.getClassLoader().getResourceAsStream(location)) {
      if (in == null) {
        throw new IOException("'" + location + "' is neither a file nor on the classpath");
      }
      return in.readAllBytes();
    }
  }
}
