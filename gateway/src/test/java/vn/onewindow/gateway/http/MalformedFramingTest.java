package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;
import vn.onewindow.gateway.security.SecurityTestSupport;

/**
 * HTTP/1 framing Vert.x answers by itself: a request line naming an HTTP version other than 1.0 or 1.1 (a bare 501,
 * no headers, its status line echoing the client's version, counted as a 5xx that pages on-call), and a chunk size
 * that is not hexadecimal (the 400 written, then the connection closed before it was sent: 0 bytes). Each must be a
 * 400 problem+json that reaches the client. Raw sockets: no client library sends these.
 */
class MalformedFramingTest extends OneGatewayPerClass {
  private static final String SUBMIT_HEAD = "POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nX-Api-Key: "
      + GatewayFixture.API_KEY + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldRefuseAnHttpVersionOtherThan10Or11With400NamingIt() {
    for (String version : List.of("HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "HTTP/1.10", "HTTPS/1.1", "http/1.1")) {
      Answer answer = exchange("GET /health/live " + version + "\r\nHost: x\r\nConnection: close\r\n\r\n");

      JsonObject problem = answer.assertProblem(version, 400, "malformed-request");
      assertThat(problem.getString("detail")).as(version).contains(version.toUpperCase(Locale.ROOT));
      assertThat(problem.getString("instance")).as(version).isEqualTo("-");
    }
    // Connection: keep-alive, and a request pipelined behind: never served, the connection ends with the answer
    Answer pipelined = exchange("GET /health/live HTTP/1.2\r\nHost: x\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\n"
        + "\r\n");
    pipelined.assertProblem("pipelined", 400, "malformed-request");
    assertThat(pipelined.raw).doesNotContain("HTTP/1.1 200");
  }

  @Test
  void shouldNotCountARefusedHttpVersionAsAServerError() {
    exchange("GET /health/live HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n").assertProblem("1.2", 400,
        "malformed-request");

    String metrics = gw.get("/metrics").bodyAsString();
    assertThat(metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total")))
        .noneMatch(l -> l.contains("code=\"5"))
        .anyMatch(l -> l.contains("code=\"400\""));
  }

  @Test
  void shouldAnswerABadChunkSizeWith400BeforeClosing() {
    Answer answer = exchange(SUBMIT_HEAD + "zz\r\n{}\r\n0\r\n\r\n");

    answer.assertProblem("zz", 400, "malformed-request");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldAnswerABadChunkSizeMidBodyWith400BeforeClosing() {
    String body = GatewayFixture.birthRegistration().encode();
    String first = Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n";
    // what follows the bad line is never read as HTTP: however much of it there is, the answer still arrives whole
    Answer answer = exchange(SUBMIT_HEAD + first + "1g\r\n" + "x".repeat(300_000));

    answer.assertProblem("mid-body", 400, "malformed-request");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /**
   * RFC 9113 8.2.1: a field value with CR, LF or NUL makes an HTTP/2 request malformed. Netty's HTTP/1 decoder refuses
   * such a line; its HTTP/2 decoder, as Vert.x 5.0.10 builds it, checks field names only, and the request was served
   * (a 202, the dossier queued) with the bytes in its header, for whatever logs or forwards it to read as two lines.
   * In a field the hub never reads as in one it does, and in the request target (:path).
   */
  @Test
  void shouldRefuseAnHttp2FieldValueWithCrLfOrNulAs400() {
    byte[] body = GatewayFixture.birthRegistration().encode().getBytes(StandardCharsets.UTF_8);
    for (String value : List.of("a\rb", "a\nInjected: yes", "a\r\nInjected: yes", "a\u0000b")) {
      String what = value.replace("\r", "CR").replace("\n", "LF").replace("\u0000", "NUL");
      for (String[] field : new String[][] {{"x-trace", value}, {"idempotency-key", value},
          {":path", "/v1/dossiers?" + value}}) {
        RawHttp2.Answer answer = h2Submit(body, field[0], field[1]);

        assertThat(answer.headers()).as(what + " in " + field[0]).containsEntry(":status", "400")
            .containsEntry("content-type", "application/problem+json");
        JsonObject problem = new JsonObject(answer.body());
        assertThat(problem.getString("type")).as(what).endsWith("/problems/malformed-request");
        assertThat(problem.getString("detail")).as(what)
            .isEqualTo("a header field or the request target holds CR, LF or NUL (RFC 9113 8.2.1): send each field "
                + "on its own, without control characters");
        assertThat(answer.body()).as(what).doesNotContain("Injected");
      }
    }
    // before any handler, Vert.x resets a stream whose :authority does not parse (PROTOCOL_ERROR), and ends the
    // connection of one whose :method holds a control character: neither is served. Not refused: one at either end
    // of :method, which Netty's HttpMethod trims off ("POST\0" is served as POST, the NUL read by nothing)
    for (String[] field : new String[][] {{":authority", "local\r\nhost"}, {":authority", "local\u0000host"},
        {":method", "PO\r\nST"}, {":method", "PO\u0000ST"}}) {
      RawHttp2.Answer answer = h2Submit(body, field[0], field[1]);
      assertThat(answer.ended()).as(field[0])
          .isEqualTo(field[0].equals(":authority") ? "RST_STREAM 1" : "connection ended");
      assertThat(answer.headers()).as(field[0]).isEmpty();
    }
    assertThat(gw.queued()).as("nothing queued").isEqualTo(queuedBefore);
    assertThat(h2Submit(body, "x-trace", "a b").headers()).as("the same request, its value clean")
        .containsEntry(":status", "202");
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  /**
   * RFC 9113 8.2.1: a field value starting or ending with a space or tab makes an HTTP/2 request malformed too. HTTP/1
   * strips that whitespace (it is the line's optional whitespace), HTTP/2 kept it: a key sent as " key" was a 401 over
   * HTTP/2 and a 200 over HTTP/1.1 (a security tryout), the protocols disagreeing on what one header says.
   */
  @Test
  void shouldRefuseAnHttp2FieldValueWithWhitespaceAtEitherEndAs400() {
    byte[] body = GatewayFixture.birthRegistration().encode().getBytes(StandardCharsets.UTF_8);
    for (String value : List.of(" a", "a ", "\ta", "a\t")) {
      RawHttp2.Answer answer = h2Submit(body, "x-trace", value);

      assertThat(answer.headers()).as("[" + value + "]").containsEntry(":status", "400")
          .containsEntry("content-type", "application/problem+json");
      JsonObject problem = new JsonObject(answer.body());
      assertThat(problem.getString("type")).endsWith("/problems/malformed-request");
      assertThat(problem.getString("detail")).isEqualTo("a header field's value starts or ends with a space or tab "
          + "(RFC 9113 8.2.1): send it without that whitespace");
    }
    assertThat(gw.queued()).as("nothing queued").isEqualTo(queuedBefore);
    assertThat(h2Submit(body, "x-trace", "a \t b").headers()).as("whitespace inside the value")
        .containsEntry(":status", "202");
  }

  /**
   * The same value on an HTTP/1.1 line is refused by Netty's decoder, before any route: the HTTP/2 refusal matches it.
   * The answer says Connection: close, as the connection is closed after it (RFC 9112 9.6).
   */
  @Test
  void shouldRefuseAnHttp1FieldValueWithNulAs400() {
    String body = GatewayFixture.birthRegistration().encode();
    Answer answer = exchange("POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + GatewayFixture.API_KEY
        + "\r\nContent-Type: application/json\r\nX-Trace: a\u0000b\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);

    assertThat(answer.raw()).startsWith("HTTP/1.1 400 ").contains("/problems/malformed-request")
        .doesNotContain("<<still open");
    answer.assertProblem("a NUL in a field value", 400, "malformed-request");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /**
   * security.max-initial-line-bytes bounds the request line over HTTP/1 (Netty's decoder: 414); over HTTP/2 the target
   * is the :path field, which no codec limit measures but the whole header block's. A tryout: a 5,000-byte :path was
   * served (200, a submission 202 and queued) where the same request over HTTP/1.1 was a 414. Over HTTP/2 the line
   * HTTP/1.1 would send for the request is measured against the same limit; one within it is served.
   */
  @Test
  void shouldRefuseAnHttp2PathOverTheRequestLineLimitWith414AsHttp1Does() {
    byte[] body = GatewayFixture.birthRegistration().encode().getBytes(StandardCharsets.UTF_8);
    int limit = gw.config.security().maxInitialLineBytes();
    String overlong = "/v1/dossiers?pad=" + "a".repeat(limit);
    Answer http1 = exchange("POST " + overlong + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(http1.raw()).as("HTTP/1.1").containsPattern("^HTTP/1\\.[01] 414 ");

    RawHttp2.Answer answer = h2Submit(body, ":path", overlong);

    assertThat(answer.headers()).as("the same target over HTTP/2").containsEntry(":status", "414")
        .containsEntry("content-type", "application/problem+json");
    JsonObject problem = new JsonObject(answer.body());
    assertThat(problem.getString("type")).endsWith("/problems/uri-too-long");
    assertThat(problem.getString("detail")).isEqualTo("the request line exceeds " + limit + " bytes");
    assertThat(gw.queued()).as("nothing queued").isEqualTo(queuedBefore);

    assertThat(h2Submit(body, ":path", "/v1/dossiers?pad=" + "a".repeat(limit / 2)).headers()).as("within the limit")
        .containsEntry(":status", "202");
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  /** A valid submission over h2c, the field {@code name} set to {@code value} (replaced, or added). */
  private static RawHttp2.Answer h2Submit(byte[] body, String name, String value) {
    List<String> fields = new java.util.ArrayList<>(List.of(":method", "POST", ":path", "/v1/dossiers", ":scheme",
        "http", ":authority", "localhost", "content-type", "application/json", "x-api-key", GatewayFixture.API_KEY,
        "content-length", Integer.toString(body.length)));
    int at = fields.indexOf(name);
    if (at >= 0 && at % 2 == 0) {
      fields.set(at + 1, value);
    } else {
      fields.addAll(List.of(name, value));
    }
    return RawHttp2.exchange(gw.port, body, fields.toArray(String[]::new));
  }

  private static Answer exchange(String request) {
    return new Answer(SecurityTestSupport.rawExchange(gw.port, request.getBytes(StandardCharsets.ISO_8859_1)));
  }

  /** One HTTP/1.1 answer read off the wire, up to the server's close. */
  private record Answer(String raw) {
    JsonObject assertProblem(String what, int status, String type) {
      assertThat(raw).as(what).startsWith("HTTP/1.1 " + status + " ").doesNotContain("<<");
      int headEnd = raw.indexOf("\r\n\r\n");
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String line : raw.substring(0, headEnd).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
      }
      assertThat(headers).as(what)
          .containsEntry("Content-Type", "application/problem+json")
          .containsEntry("Cache-Control", "no-store")
          .containsEntry("Connection", "close")
          .containsEntry("X-Content-Type-Options", "nosniff")
          .containsEntry("X-Frame-Options", "DENY")
          .containsKey("X-Request-Id")
          .doesNotContainKey("Server");
      int length = Integer.parseInt(headers.get("Content-Length"));
      String body = raw.substring(headEnd + 4);
      // one answer, then the close: nothing after it (a second request served, a stray answer)
      assertThat(body.getBytes(StandardCharsets.UTF_8)).as(what).hasSize(length);
      JsonObject problem = new JsonObject(body);
      assertThat(problem.getString("type")).as(what).endsWith("/problems/" + type);
      assertThat(problem.getInteger("status")).as(what).isEqualTo(status);
      assertThat(problem.getString("requestId")).as(what).isEqualTo(headers.get("X-Request-Id"));
      return problem;
    }
  }
}
