package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.gateway.http.Routes;

/** The contract itself: served complete at GET /openapi.yaml, and naming every route the router has. */
class ApiContractTest extends OneGatewayPerClass {
  private static final Path ROUTER = Path.of("src/main/java/vn/onewindow/gateway/GatewayVerticle.java");
  /** {@code router.get("/path")} or {@code router.get(Routes.NAME)}. */
  private static final Pattern ROUTE =
      Pattern.compile("router\\.(get|post|put|delete|patch)\\((?:\"([^\"]+)\"|Routes\\.([A-Z_]+))\\)");

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldServeTheContractWithoutAnApiKeyAndSelfContained() {
    WebClient anonymous = ContractCheck.get().validating(WebClient.create(gw.vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port)));

    HttpResponse<Buffer> response = anonymous.get("/openapi.yaml").send().await();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/yaml");
    String served = response.bodyAsString();
    assertThat(served).doesNotContain("$ref: ./").doesNotContain("externalValue");
    SwaggerParseResult parsed = new OpenAPIParser().readContents(served, null, null);
    assertThat(parsed.getMessages()).isEmpty();
    assertThat(parsed.getOpenAPI().getPaths().keySet())
        .isEqualTo(ContractCheck.get().api().getPaths().keySet());
    assertThat(parsed.getOpenAPI().getComponents().getSchemas()).containsKeys("Problem", "Receipt");
    // a YAML 1.1 loader (SnakeYAML here, PyYAML, js-yaml in Swagger UI) must read every date-like value as a string
    Object loaded = new org.yaml.snakeyaml.Yaml().load(served);
    assertThat(((Map<?, ?>) ((Map<?, ?>) loaded).get("info")).get("version")).isInstanceOf(String.class);
    assertThat(nonStrings(loaded)).isEmpty();
  }

  /** Values a YAML 1.1 loader read as something JSON has no type for (dates, timestamps). */
  private static List<Object> nonStrings(Object node) {
    if (node instanceof Map<?, ?> map) {
      return map.values().stream().flatMap(v -> nonStrings(v).stream()).toList();
    }
    if (node instanceof List<?> list) {
      return list.stream().flatMap(v -> nonStrings(v).stream()).toList();
    }
    return node == null || node instanceof String || node instanceof Number || node instanceof Boolean
        ? List.of() : List.of(node);
  }

  @Test
  void shouldAnswerNotModifiedForTheCurrentEtag() {
    String etag = gw.get("/openapi.yaml").getHeader("ETag");

    HttpResponse<Buffer> again = gw.client.get("/openapi.yaml").putHeader("If-None-Match", etag).send().await();

    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.bodyAsString()).isNullOrEmpty();
    for (String ifNoneMatch : List.of("*", "W/" + etag, "\"older\", " + etag, "\"older\",W/" + etag)) {
      assertThat(gw.client.get("/openapi.yaml").putHeader("If-None-Match", ifNoneMatch).send().await().statusCode())
          .as("If-None-Match: %s (RFC 9110: any of a list, compared weakly; * for any)", ifNoneMatch).isEqualTo(304);
    }
    HttpResponse<Buffer> other = gw.client.get("/openapi.yaml").putHeader("If-None-Match", "\"older\"").send().await();
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.bodyAsString()).startsWith("openapi:");
  }

  /**
   * The contract may be kept by shared caches (public) and is answered with Access-Control-Allow-Origin to a browser's
   * allowed origin only: a copy kept from a request without Origin (a script, a CI job) must not be served to the
   * portal's developer page, whose browser would then refuse to read it (frontend tryout), so it varies by Origin.
   */
  @Test
  void shouldVaryByOriginAsItsAnswerDoes() {
    HttpResponse<Buffer> plain = gw.client.get("/openapi.yaml").send().await();
    HttpResponse<Buffer> browser = gw.client.get("/openapi.yaml").putHeader("Origin", "https://dichvucong.gov.vn")
        .send().await();
    HttpResponse<Buffer> revalidated = gw.client.get("/openapi.yaml").putHeader("Origin", "https://dichvucong.gov.vn")
        .putHeader("If-None-Match", plain.getHeader("ETag")).send().await();

    assertThat(plain.getHeader("Access-Control-Allow-Origin")).isNull();
    assertThat(browser.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://dichvucong.gov.vn");
    assertThat(revalidated.statusCode()).isEqualTo(304);
    for (HttpResponse<Buffer> response : List.of(plain, browser, revalidated)) {
      assertThat(response.getHeader("Cache-Control")).isEqualTo("public, max-age=300");
      assertThat(response.getHeader("Vary")).isEqualToIgnoringCase("Origin");
    }
  }

  /** A route added to the router without its contract fails here (the router is read from its source). */
  @Test
  void shouldDescribeEveryRouteOfTheRouter() throws IOException {
    Set<String> routed = new TreeSet<>();
    Matcher route = ROUTE.matcher(Files.readString(ROUTER));
    while (route.find()) {
      String path = route.group(2) != null ? route.group(2) : routeConstant(route.group(3));
      routed.add(route.group(1).toUpperCase(Locale.ROOT) + " " + path.replaceAll(":(\\w+)", "{$1}"));
    }
    OpenAPI api = ContractCheck.get().api();
    Set<String> described = new TreeSet<>();
    api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
        .forEach(method -> described.add(method.name() + " " + path)));

    assertThat(routed).hasSizeGreaterThanOrEqualTo(6);
    assertThat(described).containsAll(routed);
    // and nothing described that is not routed (CORS preflights are answered for any path by the edge handlers)
    described.removeIf(operation -> operation.startsWith("OPTIONS "));
    assertThat(routed).containsAll(described);
  }

  private static String routeConstant(String name) {
    try {
      return (String) Routes.class.getField(name).get(null);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("the router names Routes." + name + ", which does not exist", e);
    }
  }
}
