package vn.onewindow.common.testing;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.SimpleValidationReportFormat;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.oas.OpenApi31;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.client.impl.WebClientInternal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The API contract ({@code config/openapi.yaml}) as the oracle of the integration tests: a WebClient passed through
 * {@link #validating} has every request it sends and every answer it gets checked against the contract by the
 * Atlassian OpenAPI validator, and the call fails with the validator's report on a mismatch, so the build breaks the
 * day the hub and its contract drift apart.
 *
 * <p>Hostile or deliberately malformed requests (bad JSON, wrong credentials, oversize bodies) do not match the
 * contract by design: send them through {@link #answersOnly}, which skips the request check but still checks every
 * answer. Answers to paths or methods the contract does not describe (the router's 404 and 405) must still be a
 * problem+json matching {@code components/schemas/Problem}.
 *
 * <p>The Atlassian validator reads an OpenAPI 3.0 schema's {@code type} but not an OpenAPI 3.1 one's ({@code type:
 * integer} and {@code type: [string, 'null']} alike): with it alone a member of any type passed. Every JSON answer body
 * is therefore also checked against its operation's response schema as JSON Schema 2020-12, the dialect of OpenAPI 3.1
 * ({@link BodySchemas}, the networknt validator the gateway itself uses), formats included.
 *
 * <p>The contract lists no HEAD operations: a HEAD request, which the hub answers wherever it answers GET (RFC 9110,
 * 9.3.2), is checked as that GET, its answer's status and header fields against the GET's, the body it must leave off
 * excepted.
 */
public final class ContractCheck {
  /** The contract as tests read it: the repository's file, so a test run always checks the file under edit. */
  public static final Path SPEC = locate("config/openapi.yaml");
  private static final ContractCheck INSTANCE = new ContractCheck(SPEC);
  /** Report keys meaning "the contract has no such path or method": the request was not one the API offers. */
  private static final Set<String> UNDESCRIBED = Set.of("validation.request.path.missing",
      "validation.request.operation.notAllowed", "validation.response.path.missing",
      "validation.response.operation.notAllowed");
  /** Report key of an answer without the body its operation describes: what a HEAD answer must be. */
  private static final String NO_BODY = "validation.response.body.missing";
  /** The router's own answers to such requests, by status: the response components that describe them. */
  private static final Map<Integer, String> ROUTER_PROBLEMS = Map.of(404, "NotFound", 405, "MethodNotAllowed");

  private static final String SENT = "contract.sent";
  private static final String SENT_BODY = "contract.sent-body";

  private final OpenAPI api;
  private final OpenApiInteractionValidator validator;
  private final SchemaValidator schemas;
  private final BodySchemas bodies;

  private ContractCheck(Path spec) {
    this.api = parse(spec);
    this.validator = OpenApiInteractionValidator.createFor(api).build();
    this.schemas = new SchemaValidator(api, new MessageResolver());
    this.bodies = new BodySchemas(spec);
  }

  /** The one checker of this JVM (parsing the contract takes a moment; the validator is thread-safe). */
  public static ContractCheck get() {
    return INSTANCE;
  }

  /** The parsed contract, for tests that compare it with the router. */
  public OpenAPI api() {
    return api;
  }

  /** Checks every request {@code client} sends and every answer it receives. Returns the same client. */
  public <C extends WebClient> C validating(C client) {
    return intercept(client, true);
  }

  /** For deliberately malformed or hostile requests: checks only the answers. Returns the same client. */
  public <C extends WebClient> C answersOnly(C client) {
    return intercept(client, false);
  }

  /** Checks one exchange; throws an AssertionError carrying the validator's report when it breaks the contract. */
  public void check(String method, String uri, MultiMap requestHeaders, String requestBody, HttpResponse<?> answer,
                    boolean checkRequest) {
    URI parsed = URI.create(uri);
    String path = parsed.getRawPath();
    boolean head = "HEAD".equals(method);
    // an answers-only check reads nothing of the request's body: not even its charset, which the validator would
    // resolve through Charset.forName and fail on a name the hub takes that Java does not know (csUTF8)
    Request request = request(head ? "GET" : method, parsed, requestHeaders, checkRequest ? requestBody : null);
    SimpleResponse response = response(answer);
    ValidationReport report = checkRequest ? validator.validate(request, response)
        : validator.validateResponse(path, request.getMethod(), response);
    if (head) {
      report = ValidationReport.from(report.getMessages().stream()
          .filter(m -> !NO_BODY.equals(m.getKey())).toList());
    }
    if (report.getMessages().stream().anyMatch(m -> UNDESCRIBED.contains(m.getKey()))) {
      report = undescribed(answer, head);
    } else if (!head) {
      report = report.merge(bodies.validate(request.getMethod().name(), path, answer.statusCode(),
          answer.getHeader("Content-Type"), answer.bodyAsString()));
    }
    if (report.hasErrors()) {
      throw new AssertionError("API contract " + SPEC + " broken by " + method + " " + uri + " -> "
          + answer.statusCode() + (checkRequest ? "" : " (answer checked only)") + ":\n"
          + SimpleValidationReportFormat.getInstance().apply(report)
          + "answer headers: " + answer.headers().names() + "\nanswer body: " + abbreviated(answer.bodyAsString()));
    }
  }

  private <C extends WebClient> C intercept(C client, boolean checkRequest) {
    ((WebClientInternal) client).addInterceptor(ctx -> onDispatch(ctx, checkRequest));
    return client;
  }

  private void onDispatch(HttpContext<?> ctx, boolean checkRequest) {
    if (ctx.phase() == ClientPhase.SEND_REQUEST) {
      // the request as it goes on the wire, session headers included; the context drops it before dispatch
      ctx.set(SENT, ctx.clientRequest());
      ctx.set(SENT_BODY, bodyOf(ctx.body()));
    }
    if (ctx.phase() != ClientPhase.DISPATCH_RESPONSE) {
      ctx.next();
      return;
    }
    HttpClientRequest sent = ctx.get(SENT);
    String sentBody = ctx.get(SENT_BODY);
    try {
      check(sent.getMethod().name(), sent.getURI(), sent.headers(), sentBody, ctx.response(),
          checkRequest);
    } catch (AssertionError | RuntimeException e) {
      ctx.fail(e);
      return;
    }
    ctx.next();
  }

  /**
   * An answer to a path or method the contract lacks: only the router's own problems may come back (to a HEAD, its
   * headers only).
   */
  private ValidationReport undescribed(HttpResponse<?> answer, boolean head) {
    String component = ROUTER_PROBLEMS.get(answer.statusCode());
    Schema<?> problem = component == null ? api.getComponents().getSchemas().get("Problem")
        : api.getComponents().getResponses().get(component).getContent().get("application/problem+json").getSchema();
    String contentType = answer.getHeader("Content-Type");
    if (!"application/problem+json".equals(contentType)) {
      return ValidationReport.singleton(ValidationReport.Message.create("contract.undescribed",
          "a path or method the contract does not describe must be answered with application/problem+json, not "
              + contentType).build());
    }
    if (head) {
      return ValidationReport.empty();
    }
    return schemas.validate(answer.bodyAsString(), problem, "contract.undescribed.body");
  }

  /**
   * The response schemas of the contract as JSON Schema 2020-12, read from the YAML itself (its {@code $ref}s, to the
   * components and to {@code schema/*.json}, resolved by the validator against the file).
   */
  private static final class BodySchemas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonNode document;
    private final String base;
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
        b -> b.metaSchema(OpenApi31.getInstance()).defaultMetaSchemaIri(OpenApi31.getInstance().getIri()));
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true)
        .build();
    private final Map<String, JsonSchema> byPointer = new ConcurrentHashMap<>();

    BodySchemas(Path spec) {
      try {
        this.document = new YAMLMapper().readTree(spec.toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      this.base = spec.toUri().toString();
    }

    ValidationReport validate(String method, String path, int status, String contentType, String body) {
      String mediaType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
      if (body == null || body.isEmpty() || !(mediaType.equals("application/json") || mediaType.endsWith("+json"))) {
        return ValidationReport.empty();
      }
      String pointer = schemaPointer(method, path, status, mediaType);
      if (pointer == null) {
        return ValidationReport.empty(); // no schema for it: the Atlassian report already says so where it matters
      }
      JsonNode instance;
      try {
        instance = JSON.readTree(body);
      } catch (IOException e) {
        return message("contract.body.json", "the answer body is not JSON: " + e.getMessage());
      }
      JsonSchema schema = byPointer.computeIfAbsent(pointer,
          p -> factory.getSchema(SchemaLocation.of(base + "#" + p), config));
      return ValidationReport.from(schema.validate(instance).stream()
          .map(m -> ValidationReport.Message.create("contract.body.schema", "[JSON Schema 2020-12, " + pointer
              + "] " + m.getMessage()).build())
          .toList());
    }

    /** The JSON Pointer of the schema describing this answer's body, or null when the contract gives none. */
    private String schemaPointer(String method, String path, int status, String mediaType) {
      String template = template(path);
      if (template == null) {
        return null;
      }
      String pointer = "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT) + "/responses";
      JsonNode responses = document.at(pointer);
      String code = responses.has(Integer.toString(status)) ? Integer.toString(status)
          : responses.has(status / 100 + "XX") ? status / 100 + "XX" : responses.has("default") ? "default" : null;
      if (code == null) {
        return null;
      }
      pointer += "/" + code;
      for (JsonNode response = document.at(pointer); response.has("$ref"); response = document.at(pointer)) {
        pointer = response.get("$ref").asText().substring(1);
      }
      JsonNode content = document.at(pointer + "/content/" + escape(mediaType));
      return content.has("schema") ? pointer + "/content/" + escape(mediaType) + "/schema" : null;
    }

    /** The path template matching {@code path}: the literal one first, as OpenAPI resolves them. */
    private String template(String path) {
      String match = null;
      for (Iterator<String> it = document.path("paths").fieldNames(); it.hasNext(); ) {
        String template = it.next();
        if (template.equals(path)) {
          return template;
        }
        if (match == null && Pattern.matches(template.replaceAll("\\{[^}]+}", "[^/]+"), path)) {
          match = template;
        }
      }
      return match;
    }

    private static String escape(String token) {
      return token.replace("~", "~0").replace("/", "~1");
    }

    private static ValidationReport message(String key, String text) {
      return ValidationReport.singleton(ValidationReport.Message.create(key, text).build());
    }
  }

  private static Request request(String method, URI uri, MultiMap headers, String body) {
    SimpleRequest.Builder builder = new SimpleRequest.Builder(method, uri.getRawPath());
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        builder.withQueryParam(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    for (String name : headers.names()) {
      builder.withHeader(name, headers.getAll(name));
    }
    if (body != null) {
      builder.withBody(body);
    }
    return builder.build();
  }

  private static SimpleResponse response(HttpResponse<?> answer) {
    SimpleResponse.Builder builder = new SimpleResponse.Builder(answer.statusCode());
    for (String name : answer.headers().names()) {
      builder.withHeader(name, answer.headers().getAll(name));
    }
    String body = answer.bodyAsString();
    if (body != null && !body.isEmpty()) {
      builder.withBody(body);
    }
    return builder.build();
  }

  private static String abbreviated(String text) {
    return text == null || text.length() <= 600 ? text : text.substring(0, 600) + "... (" + text.length() + " chars)";
  }

  private static String bodyOf(Object body) {
    if (body == null) {
      return null;
    } else if (body instanceof Buffer buffer) {
      return buffer.toString();
    } else if (body instanceof JsonObject json) {
      return json.encode();
    } else if (body instanceof JsonArray json) {
      return json.encode();
    }
    return body.toString();
  }

  private static OpenAPI parse(Path spec) {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    SwaggerParseResult result = new OpenAPIParser().readLocation(spec.toUri().toString(), null, options);
    if (result.getOpenAPI() == null || result.getMessages() != null && !result.getMessages().isEmpty()) {
      throw new IllegalStateException("API contract " + spec + " does not parse: " + result.getMessages());
    }
    return result.getOpenAPI();
  }

  /** Walks up from the module directory (the test's working directory) to the repository's {@code relative}. */
  private static Path locate(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(relative);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }

  /** Query parameters as the server reads them: percent-decoded. */
  private static String decode(String raw) {
    return java.net.URLDecoder.decode(raw, java.nio.charset.StandardCharsets.UTF_8);
  }
}
