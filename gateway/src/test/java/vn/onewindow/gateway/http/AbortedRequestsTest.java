package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.http.RawHttp2.frame;
import static vn.onewindow.gateway.http.RawHttp2.readAll;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.testing.Await;
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

  /**
   * A mobile network that ends the connection with a reset (RST: a NAT or a carrier's proxy forgetting it, an app
   * killed, SO_LINGER 0) rather than a close, mid-body: the client's doing as a close is, but it was an ERROR
   * "unhandled failure" with the socket's stack trace, answered as a 500 and counted as an upstream error, which the
   * submission-failure alert reads (QA, deadline day: about one such line per flaky client).
   */
  @Test
  void shouldCountAnHttp1ClientThatResetsMidBodyAsTheClientsDoing() throws Exception {
    double malformed = submissions("malformed");
    double upstream = submissions("upstream_error");
    try (Socket socket = new Socket("127.0.0.1", gw.port)) {
      socket.setSoLinger(true, 0); // close() sends a reset
      socket.getOutputStream().write(HEAD.getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(300);
    }
    Await.until(Duration.ofSeconds(10), "the reset request to be counted",
        () -> submissions("malformed") + submissions("upstream_error") > malformed + upstream);

    assertThat(submissions("upstream_error")).isEqualTo(upstream);
    assertThat(submissions("malformed")).isEqualTo(malformed + 1);
    assertNoErrorLogged();
  }

  /** hub_submissions_total of a submission whose body was never read (no channel known) and this outcome. */
  private static double submissions(String outcome) {
    Counter counter = gw.registry.find("hub.submissions").tags("channel", "unknown", "outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void shouldLogNoErrorWhenAnHttp2ClientResetsItsStreamMidBody() throws Exception {
    try (Socket socket = h2Post()) {
      frame(socket.getOutputStream(), RawHttp2.RST_STREAM, 0, 1, new byte[] {0, 0, 0, 8}); // CANCEL
      Thread.sleep(300);
    }
    assertNoErrorLogged();
  }

  /** A WINDOW_UPDATE for a stream never opened is a connection error (RFC 9113 5.1.1): 400, not 500. */
  @Test
  void shouldAnswerAnHttp2ProtocolErrorMidBodyAsTheClients() throws Exception {
    String answer;
    try (Socket socket = h2Post()) {
      frame(socket.getOutputStream(), RawHttp2.WINDOW_UPDATE, 0, 99, new byte[] {0, 0, 0, 100}); // stream 99
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
    Socket socket = RawHttp2.connect(gw.port);
    OutputStream out = socket.getOutputStream();
    frame(out, RawHttp2.HEADERS, RawHttp2.END_HEADERS, 1, RawHttp2.block(":method", "POST", ":path", "/v1/dossiers",
        ":scheme", "http", ":authority", "x", "content-type", "application/json", "x-api-key", GatewayFixture.API_KEY,
        "content-length", "100"));
    frame(out, RawHttp2.DATA, 0, 1, "{\"a\":".getBytes(StandardCharsets.US_ASCII)); // the stream left open
    Thread.sleep(300);
    return socket;
  }
}
