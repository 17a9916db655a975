package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * The connection lifecycle around Http1Framing (a handler in front of Vert.x's on every HTTP/1 connection): ordinary
 * keep-alive, pipelining, 100-continue and h2c clients are unaffected; after a refused request the connection ends
 * within the linger bound even when the client neither closes nor finishes its body; a client that half-closes gets
 * its answer and the close. Raw sockets, waits on the socket's own events (bytes, EOF), a read timeout only as a bound.
 */
class FramingLifecycleTest extends OneGatewayPerClass {
  private static final String LIVE = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n";

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldServeKeepAliveAndPipelinedRequestsOnOneConnectionAndKeepItOpen() throws IOException {
    try (Socket socket = open()) {
      send(socket, LIVE);
      assertThat(readAnswers(socket, 1)).startsWith("HTTP/1.1 200 ");
      send(socket, LIVE + LIVE + LIVE);
      String three = readAnswers(socket, 3);
      assertThat(three.split("HTTP/1.1 200 ", -1)).hasSize(4);
      // still usable afterwards: the handler closed nothing
      send(socket, LIVE);
      assertThat(readAnswers(socket, 1)).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void shouldAnswer100ContinueThenTheRefusalOfTheBody() throws IOException {
    try (Socket socket = open()) {
      send(socket, "POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + GatewayFixture.API_KEY
          + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
      String interim = readUntil(socket, "\r\n\r\n");
      assertThat(interim).startsWith("HTTP/1.1 100 Continue");
      send(socket, "{}");
      assertThat(readUntil(socket, "}")).startsWith("HTTP/1.1 4");
    }
  }

  @Test
  void shouldCloseARefusedVersionsConnectionWithinTheLingerWhileItsClientHoldsItOpenMidBody() throws IOException {
    long before = System.nanoTime();
    try (Socket socket = open()) {
      // a large upload announced, 10 bytes of it sent, then nothing: neither the body's end nor a close
      send(socket, "POST /v1/dossiers HTTP/1.2\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 10000000\r\n\r\n0123456789");
      String all = readToEof(socket, 5000);
      assertThat(all).startsWith("HTTP/1.1 400 ").contains("HTTP/1.2").doesNotContain("<<");
    }
    assertThat((System.nanoTime() - before) / 1_000_000).isLessThan(4000);
  }

  @Test
  void shouldCloseAfterABadChunkWhileTheClientKeepsSending() throws IOException {
    long before = System.nanoTime();
    try (Socket socket = open()) {
      send(socket, "POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + GatewayFixture.API_KEY
          + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
      String head = readUntil(socket, "}");
      assertThat(head).startsWith("HTTP/1.1 400 ");
      // the client keeps writing: discarded; the server still closes within its linger
      byte[] junk = "x".repeat(8192).getBytes(StandardCharsets.US_ASCII);
      boolean closed = false;
      socket.setSoTimeout(50);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      while (!closed && (System.nanoTime() - before) / 1_000_000 < 5000) {
        try {
          socket.getOutputStream().write(junk);
        } catch (IOException e) {
          closed = true; // reset by the server's close: closed as it should be
          break;
        }
        try {
          closed = in.read(buffer) < 0;
        } catch (SocketTimeoutException e) {
          // nothing yet
        } catch (IOException e) {
          closed = true;
        }
      }
      assertThat(closed).as("closed within 5 s").isTrue();
    }
  }

  @Test
  void shouldAnswerAndCloseWhenTheClientHalfClosesAfterARefusedVersion() throws IOException {
    try (Socket socket = open()) {
      send(socket, "GET /health/live HTTP/1.2\r\nHost: x\r\n\r\n");
      socket.shutdownOutput();
      String all = readToEof(socket, 5000);
      assertThat(all).startsWith("HTTP/1.1 400 ").doesNotContain("<<");
    }
  }

  @Test
  void shouldLeaveAnH2cUpgradeRequestServed() throws IOException {
    try (Socket socket = open()) {
      send(socket, "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
          + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
      String first = readUntil(socket, "\r\n\r\n");
      // either served over HTTP/1.1 or switched to h2c: never a hang, an error or a close without an answer
      assertThat(first).matches("(?s)HTTP/1.1 (200|101) .*");
    }
  }

  private static Socket open() throws IOException {
    Socket socket = new Socket("127.0.0.1", gw.port);
    socket.setSoTimeout(5000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** Reads until {@code count} complete answers with Content-Length bodies have arrived. */
  private static String readAnswers(Socket socket, int count) throws IOException {
    StringBuilder all = new StringBuilder();
    InputStream in = socket.getInputStream();
    int complete = 0;
    while (complete < count) {
      int b = in.read();
      assertThat(b).as("answers so far: " + all).isGreaterThanOrEqualTo(0);
      all.append((char) b);
      complete = completeAnswers(all.toString());
    }
    return all.toString();
  }

  private static int completeAnswers(String raw) {
    int n = 0;
    int at = 0;
    while (true) {
      int headEnd = raw.indexOf("\r\n\r\n", at);
      if (headEnd < 0) {
        return n;
      }
      String head = raw.substring(at, headEnd).toLowerCase();
      int cl = head.indexOf("content-length:");
      int length = cl < 0 ? 0 : Integer.parseInt(head.substring(cl + 15, head.indexOf("\r\n", cl) < 0
          ? head.length() : head.indexOf("\r\n", cl)).strip());
      if (raw.length() < headEnd + 4 + length) {
        return n;
      }
      n++;
      at = headEnd + 4 + length;
    }
  }

  private static String readUntil(Socket socket, String marker) throws IOException {
    StringBuilder all = new StringBuilder();
    InputStream in = socket.getInputStream();
    while (all.indexOf(marker) < 0) {
      int b = in.read();
      assertThat(b).as("before " + marker + ": " + all).isGreaterThanOrEqualTo(0);
      all.append((char) b);
    }
    return all.toString();
  }

  private static String readToEof(Socket socket, int boundMs) throws IOException {
    socket.setSoTimeout(boundMs);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      out.write(("\n<<still open after " + boundMs + " ms>>").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      out.write(("\n<<" + e.getMessage() + ">>").getBytes(StandardCharsets.US_ASCII));
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
