package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * A client that gives up on its request while sending the body: a mobile app losing its network, a browser tab
 * closed or a fetch aborted mid-upload (HTTP/2 RST_STREAM), or a client breaking HTTP/2 mid-body. The client's own
 * doing, as a bad chunk size is: each was logged as an ERROR "unhandled failure" with its stack trace, and the
 * protocol error was answered 500 internal-error (frontend tryout). Written on raw sockets: no client library sends
 * these.
 */
class AbortedRequestsTest extends OneGatewayPerClass {
  private static final String HEAD = "POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + GatewayFixture.API_KEY
      + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":";
  @RegisterExtension
  final LogCapture logged = LogCapture.of(Problems.class);
  /** Where Vert.x logs a connection's failure that no handler took, as an ERROR with the failure's message. */
  @RegisterExtension
  final LogCapture connections = LogCapture.of("io.vertx.core.net.impl.ConnectionBase");

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldLogNoErrorWhenAnHttp1ClientClosesMidBody() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.port)) {
      socket.getOutputStream().write(HEAD.getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(300);
    }
    assertNoErrorLogged();
  }

  @Test
  void shouldLogNoErrorWhenAnHttp2ClientResetsItsStreamMidBody() throws Exception {
    try (Socket socket = h2Post()) {
      frame(socket.getOutputStream(), 3, 0, 1, new byte[] {0, 0, 0, 8}); // RST_STREAM, CANCEL
      Thread.sleep(300);
    }
    assertNoErrorLogged();
  }

  /** A WINDOW_UPDATE for a stream never opened is a connection error (RFC 9113 5.1.1): 400, not 500. */
  @Test
  void shouldAnswerAnHttp2ProtocolErrorMidBodyAsTheClients() throws Exception {
    String answer;
    try (Socket socket = h2Post()) {
      frame(socket.getOutputStream(), 8, 0, 99, new byte[] {0, 0, 0, 100}); // WINDOW_UPDATE on stream 99
      answer = readAll(socket);
    }
    assertThat(answer).doesNotContain("internal-error").contains("malformed-request");
    assertNoErrorLogged();
  }

  /**
   * The HTTP/2 preface followed by anything but a SETTINGS frame: Vert.x logged an ERROR with a stack trace for
   * each such connection, and Netty's message quotes the client's first bytes ("Hex dump for first 5 bytes:
   * 3037393132", the start of a citizen ID): any client could write ERRORs, and its own bytes, into the log.
   */
  @Test
  void shouldLogNothingOfAnHttp2ConnectionThatDoesNotStartWithSettings() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.port)) {
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n079123456789 Nguyen Van An 0912345678"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      readAll(socket);
    }
    Thread.sleep(500);
    assertThat(connections.events()).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
  }

  private void assertNoErrorLogged() throws InterruptedException {
    Thread.sleep(500);
    assertThat(logged.events()).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
        .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
  }

  /** h2c by prior knowledge: a POST whose HEADERS promise 100 bytes, and the first 5 of them. */
  private static Socket h2Post() throws IOException, InterruptedException {
    Socket socket = new Socket("127.0.0.1", gw.port);
    OutputStream out = socket.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(out, 4, 0, 0, new byte[0]); // SETTINGS
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    for (String[] field : new String[][] {{":method", "POST"}, {":path", "/v1/dossiers"}, {":scheme", "http"},
        {":authority", "x"}, {"content-type", "application/json"}, {"x-api-key", GatewayFixture.API_KEY},
        {"content-length", "100"}}) {
      literal(block, field[0], field[1]);
    }
    frame(out, 1, 0x4, 1, block.toByteArray()); // HEADERS, END_HEADERS
    frame(out, 0, 0, 1, "{\"a\":".getBytes(StandardCharsets.US_ASCII)); // DATA, the stream left open
    Thread.sleep(300);
    return socket;
  }

  /** HPACK literal field without indexing, new name, no Huffman coding (RFC 7541 6.2.2): short strings only. */
  private static void literal(ByteArrayOutputStream block, String name, String value) {
    block.write(0);
    for (String s : new String[] {name, value}) {
      byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
      block.write(bytes.length);
      block.write(bytes, 0, bytes.length);
    }
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
    int n = payload.length;
    out.write(new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type, (byte) flags,
        (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
    out.write(payload);
    out.flush();
  }

  /** What the server sends until it closes the connection (or 3 s); the problem's JSON is legible in its frames. */
  private static String readAll(Socket socket) throws IOException {
    socket.setSoTimeout(3000);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException ended) {
      // the server closed or reset the connection after its GOAWAY
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }
}
