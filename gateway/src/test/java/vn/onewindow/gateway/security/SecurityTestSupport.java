package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.GatewayFixture;

/** Shared helpers of the security tests: raw clients without the fixture's default key, problem assertions. */
public final class SecurityTestSupport {
  static final String PORTAL_KEY = "dev-portal-web-key";
  static final String MOBILE_KEY = "dev-mobile-app-key";
  static final String KIOSK_KEY = "dev-kiosk-key";

  private SecurityTestSupport() {
  }

  /**
   * A client that sends only what each test puts on the request (no default API key). Every request and answer is
   * checked against the API contract ({@link ContractCheck}).
   */
  static WebClient bareClient(Vertx vertx, int port) {
    return ContractCheck.get().validating(plainClient(vertx, port));
  }

  /**
   * For requests that break the contract on purpose (no or a wrong key, a forged token, hostile headers or bodies):
   * only the answers are checked against the contract.
   */
  static WebClient hostileClient(Vertx vertx, int port) {
    return ContractCheck.get().answersOnly(plainClient(vertx, port));
  }

  private static WebClient plainClient(Vertx vertx, int port) {
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(false), new PoolOptions().setHttp1MaxSize(8));
  }

  static HttpResponse<Buffer> send(WebClient client, HttpMethod method, String path, Map<String, String> headers,
                                   String body) {
    HttpRequest<Buffer> request = client.request(method, path);
    headers.forEach(request::putHeader);
    return (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body))).await();
  }

  static HttpResponse<Buffer> post(WebClient client, Map<String, String> headers, String body) {
    Map<String, String> all = new HashMap<>(headers);
    all.putIfAbsent("Content-Type", "application/json");
    return send(client, HttpMethod.POST, "/v1/dossiers", all, body);
  }

  /** The problem+json contract, the security headers every answer carries, and no server banner. */
  public static JsonObject assertProblem(HttpResponse<Buffer> response, int status, String type) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("type")).endsWith("/problems/" + type);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getString("detail")).isNotBlank().doesNotContain("Exception").doesNotContain("at vn.");
    assertThat(problem.getString("requestId")).isEqualTo(response.getHeader("X-Request-Id"));
    assertSecurityHeaders(response);
    return problem;
  }

  static void assertSecurityHeaders(HttpResponse<Buffer> response) {
    assertThat(response.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(response.getHeader("X-Frame-Options")).isEqualTo("DENY");
    assertThat(response.getHeader("Referrer-Policy")).isEqualTo("no-referrer");
    assertThat(response.getHeader("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(response.headers().contains("Server")).as("server banner").isFalse();
  }

  /** A birth registration in the name of a fresh random citizen (so per-applicant limits never interfere). */
  static JsonObject dossierOf(String citizenId) {
    JsonObject dossier = GatewayFixture.birthRegistration();
    dossier.getJsonObject("applicant").put("citizenId", citizenId);
    return dossier;
  }

  static String randomCitizenId() {
    return String.format("%012d", ThreadLocalRandom.current().nextLong(1_000_000_000_000L));
  }

  /** A proxy to the suite's Redis, up: a test stops it to take Redis away from its own gateway only. */
  static TcpProxy proxyToTheTestRedis() throws IOException {
    URI redis = URI.create(TestServers.get().redisUrl());
    TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort());
    proxy.up();
    return proxy;
  }

  /** A gateway of the test's own whose Redis is behind {@code proxy}; rate limits off (not what these tests read). */
  static GatewayFixture gatewayBehind(TcpProxy proxy) {
    return new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(), "ratelimit.enabled", "false"));
  }

  /** The stream entry of a queued dossier, field by field, read back as raw bytes. */
  static Map<String, byte[]> streamEntryOf(GatewayFixture gw, String dossierId) {
    Response range = gw.redis(Command.XREVRANGE, gw.keys.stream(), "+", "-", "COUNT", "200");
    for (int e = 0; e < range.size(); e++) {
      Response fields = range.get(e).get(1);
      Map<String, byte[]> map = new HashMap<>();
      Map<String, String> text = new HashMap<>();
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        map.put(fields.get(i).toString(), fields.get(i + 1).toBuffer().getBytes());
        text.put(fields.get(i).toString(), fields.get(i + 1).toString());
      }
      // the entry's own id names the dossier, with the pre-id it carries (Partitions.entryDossierId)
      if (dossierId.equals(StreamEntry.fromFields(text, range.get(e).get(0).toString()).dossierId())) {
        return map;
      }
    }
    throw new AssertionError("dossier " + dossierId + " is not in the stream");
  }

  static String field(Map<String, byte[]> entry, String name) {
    return new String(entry.get(name), StandardCharsets.UTF_8);
  }

  /** Writes raw bytes on a fresh connection and returns everything the server sent before closing (or 5 s). */
  public static String rawExchange(int port, byte[] request) {
    try {
      return rawExchange(new Socket("127.0.0.1", port), request);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same over a socket of the caller's (a TLS one): closes it. */
  public static String rawExchange(Socket connected, byte[] request) {
    try (Socket socket = connected) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException e) {
        out.write("\n<<still open after 5 s>>".getBytes(StandardCharsets.US_ASCII));
      } catch (java.net.SocketException e) {
        out.write(("\n<<" + e.getMessage() + ">>").getBytes(StandardCharsets.US_ASCII));
      }
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String resource(String name) {
    try (InputStream in = SecurityTestSupport.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path tempFile(String prefix, String suffix, String content) {
    try {
      Path file = Files.createTempFile(prefix, suffix);
      file.toFile().deleteOnExit();
      Files.writeString(file, content);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
