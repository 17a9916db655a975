package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * An HTTP/2 client that never acknowledges the server's SETTINGS: Netty applies the advertised
 * SETTINGS_MAX_CONCURRENT_STREAMS only once they are acknowledged, so such a client opened as many streams as it sent
 * HEADERS (a tryout: 4 connections, 20,000 submissions whose bodies never came, 95 MB of live heap, readiness timing
 * out for 10 s). The limit holds from the connection's first stream: the streams past it are refused (REFUSED_STREAM,
 * nothing was processed), the ones within it still answered.
 */
class Http2StreamLimitTest extends OneGatewayPerClass {
  private static final int LIMIT = 10;
  private static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  private static final int REFUSED_STREAM = 0x7;
  private static final int PING = 6;

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("security.http2-max-concurrent-streams", String.valueOf(LIMIT)));
  }

  @Test
  void shouldRefuseStreamsPastTheLimitFromAClientThatNeverAcknowledgesTheSettings() throws IOException {
    int sent = LIMIT * 3;
    try (Socket socket = RawHttp2.connect(gw.port)) {
      OutputStream out = socket.getOutputStream();
      for (int i = 0; i < sent; i++) {
        // a submission whose body never comes: each held until the request deadline, unless refused
        RawHttp2.frame(out, RawHttp2.HEADERS, RawHttp2.END_HEADERS, 1 + 2 * i, RawHttp2.block(":method", "POST",
            ":scheme", "http", ":authority", "127.0.0.1", ":path", "/v1/dossiers", "content-type", "application/json",
            "content-length", "100", "x-api-key", GatewayFixture.API_KEY));
      }
      // a PING after the streams: its ACK is the server's word that every frame before it was read
      RawHttp2.frame(out, PING, 0, 0, new byte[8]);
      Frames frames = Frames.untilPingAck(socket);

      assertThat(frames.maxConcurrentStreams).as("advertised SETTINGS_MAX_CONCURRENT_STREAMS").isEqualTo(LIMIT);
      assertThat(frames.refused).as("streams refused").hasSize(sent - LIMIT)
          .allMatch(stream -> stream > 2 * LIMIT, "only streams past the first " + LIMIT);
    }
  }

  @Test
  void shouldStillServeAClientWithinTheLimit() {
    RawHttp2.Answer answer = RawHttp2.exchange(gw.port, null, ":method", "GET", ":scheme", "http", ":authority",
        "127.0.0.1", ":path", "/health/live");

    assertThat(answer.headers()).containsEntry(":status", "200");
  }

  /** The server's frames up to its PING acknowledgement: its advertised stream limit and the streams it refused. */
  private record Frames(long maxConcurrentStreams, List<Integer> refused) {
    static Frames untilPingAck(Socket socket) throws IOException {
      socket.setSoTimeout(10_000);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      long max = -1;
      List<Integer> refused = new ArrayList<>();
      try {
        while (true) {
          RawHttp2.Frame frame = RawHttp2.next(in);
          int type = frame.type();
          int flags = frame.flags();
          int stream = frame.stream();
          byte[] payload = frame.payload();
          int length = payload.length;
          if (type == RawHttp2.SETTINGS && (flags & 0x1) == 0) {
            for (int at = 0; at + 6 <= length; at += 6) {
              if (ByteBuffer.wrap(payload, at, 2).getShort() == SETTINGS_MAX_CONCURRENT_STREAMS) {
                max = ByteBuffer.wrap(payload, at + 2, 4).getInt() & 0xffffffffL;
              }
            }
          } else if (type == RawHttp2.RST_STREAM && ByteBuffer.wrap(payload).getInt() == REFUSED_STREAM) {
            refused.add(stream);
          } else if (type == PING && (flags & 0x1) != 0) {
            return new Frames(max, refused);
          } else if (type == RawHttp2.GOAWAY) {
            throw new AssertionError("GOAWAY before the PING's acknowledgement (refused so far: " + refused + ")");
          }
        }
      } catch (EOFException | SocketTimeoutException | SocketException ended) {
        throw new AssertionError("no PING acknowledgement (" + ended + "); refused so far: " + refused, ended);
      }
    }
  }
}
