package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * An HTTP/2 connection that opens no stream for {@code security.idle-timeout-seconds} is closed, whatever frames it
 * trickles meanwhile. Vert.x's idle clock sits in front of the HTTP/2 decoder, so each trickled byte of a header block
 * (or of the first SETTINGS) reset it, and such a connection was held for good; over HTTP/1 the clock sits behind the
 * decoder and an unfinished head never resets it. A connection that opens a stream now and then is kept.
 */
class Http2IdleTest extends OneGatewayPerClass {
  private static final int CONTINUATION = 9;
  /** Well within the idle timeout: Vert.x's own idle clock never fires on the trickles below. */
  private static final int TRICKLE_MS = 400;

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("security.idle-timeout-seconds", "2",
        // every timeout below the idle timeout, as the start's checks ask
        "security.request-timeout-ms", "1500", "timeout.redis-enqueue-ms", "800", "timeout.postgres-write-ms", "400",
        "timeout.postgres-read-ms", "1000", "stats.timeout-ms", "1000"));
  }

  @Test
  void shouldCloseAConnectionTricklingAHeaderBlock() throws IOException {
    try (Socket socket = RawHttp2.connect(gw.port)) {
      OutputStream out = socket.getOutputStream();
      // HEADERS without END_HEADERS, then a CONTINUATION announcing 1,000 bytes that come one at a time
      RawHttp2.frame(out, RawHttp2.HEADERS, 0, 1, RawHttp2.block(":method", "GET"));
      out.write(new byte[] {0, 0x3, (byte) 0xe8, CONTINUATION, 0, 0, 0, 0, 1});
      out.flush();

      assertThat(closedWhileTrickling(socket)).as("the server closed the connection").isTrue();
      assertThat(gw.registry.get(MeterNames.CONNECTIONS_CLOSED)
          .tag(MeterNames.TAG_REASON, MeterNames.ConnectionClosure.HTTP2_NO_REQUEST.tag()).counter().count())
          .isPositive();
    }
  }

  @Test
  void shouldCloseAConnectionTricklingItsFirstSettings() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gw.port)) {
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      // a SETTINGS frame of 600 bytes (100 settings), which Vert.x awaits before it calls the connection handler
      out.write(new byte[] {0, 0x2, 0x58, RawHttp2.SETTINGS, 0, 0, 0, 0, 0});
      out.flush();

      assertThat(closedWhileTrickling(socket)).as("the server closed the connection").isTrue();
    }
  }

  @Test
  void shouldKeepAConnectionThatOpensAStreamNowAndThen() throws IOException, InterruptedException {
    try (Socket socket = RawHttp2.connect(gw.port)) {
      // six requests a second apart: three idle timeouts in all, never one without a stream
      for (int stream = 1; stream <= 11; stream += 2) {
        RawHttp2.frame(socket.getOutputStream(), RawHttp2.HEADERS, RawHttp2.END_HEADERS | RawHttp2.END_STREAM, stream,
            RawHttp2.block(":method", "GET", ":scheme", "http", ":authority", "127.0.0.1", ":path", "/health/live"));
        assertThat(answered(socket, stream)).as("stream %d answered on the same connection", stream).isTrue();
        Thread.sleep(1000);
      }
    }
  }

  /**
   * One byte every {@link #TRICKLE_MS} while the server keeps the connection, up to a bound far past the idle timeout
   * (not a timing assertion: the close is the event awaited); true once the server ended it.
   */
  private static boolean closedWhileTrickling(Socket socket) throws IOException {
    socket.setSoTimeout(TRICKLE_MS);
    InputStream in = socket.getInputStream();
    OutputStream out = socket.getOutputStream();
    byte[] buffer = new byte[4096];
    long bound = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < bound) {
      try {
        if (in.read(buffer) == -1) {
          return true;
        }
      } catch (SocketTimeoutException quiet) {
        try {
          out.write(0);
          out.flush();
        } catch (SocketException ended) {
          return true;
        }
      } catch (SocketException reset) {
        return true;
      }
    }
    return false;
  }

  /** Reads frames until {@code stream}'s answer ends (true), or the connection ends or sends GOAWAY (false). */
  private static boolean answered(Socket socket, int stream) throws IOException {
    socket.setSoTimeout(10_000);
    DataInputStream in = new DataInputStream(socket.getInputStream());
    try {
      while (true) {
        RawHttp2.Frame frame = RawHttp2.next(in);
        if (frame.type() == RawHttp2.SETTINGS && (frame.flags() & 0x1) == 0) {
          RawHttp2.frame(socket.getOutputStream(), RawHttp2.SETTINGS, 0x1, 0, new byte[0]);
        } else if (frame.type() == RawHttp2.GOAWAY) {
          return false;
        } else if (frame.stream() == stream && (frame.type() == RawHttp2.HEADERS || frame.type() == RawHttp2.DATA)
            && (frame.flags() & RawHttp2.END_STREAM) != 0) {
          return true;
        }
      }
    } catch (IOException ended) {
      return false;
    }
  }
}
