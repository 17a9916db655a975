package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.Await;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * The public listener holds at most {@code security.max-connections} client connections, across the verticle
 * instances that share its port. It had no bound: with {@code ulimit -n 256}, 214 slowloris connections took every
 * descriptor, and submissions, readiness and the Redis and PostgreSQL pools waited until the idle timeout freed some.
 * A connection past the bound is reset at once, unread; once connections close, new ones are served again.
 * <p>
 * A reset, not an end of stream: an end of stream before any byte of an answer left Node 20's {@code fetch} (undici)
 * waiting, its promise neither settled nor retried after 40 s (a surge rehearsal, a portal-backend-like client past a
 * cap of 200), where a reset rejects it at once ({@code ECONNRESET}).
 */
class ConnectionLimitTest extends OneGatewayPerClass {
  private static final int LIMIT = 6;
  private static final int PAST_IT = 4;

  @BeforeAll
  static void start() {
    // the idle timeout far past the waits below: a close seen here is the bound's, never the idle clock's
    gw = new GatewayFixture(Map.of("security.max-connections", String.valueOf(LIMIT),
        "security.idle-timeout-seconds", "600"));
  }

  @Test
  void shouldCloseConnectionsPastTheLimitAtOnceAndServeAgainOnceConnectionsClose() throws Exception {
    List<Socket> held = new ArrayList<>();
    List<Socket> past = new ArrayList<>();
    try {
      for (int i = 0; i < LIMIT; i++) {
        Socket socket = new Socket("127.0.0.1", gw.port);
        held.add(socket);
        assertThat(liveOn(socket)).as("connection %d within the limit is served", i).startsWith("HTTP/1.1 200");
      }
      for (int i = 0; i < PAST_IT; i++) {
        Socket socket = new Socket("127.0.0.1", gw.port);
        past.add(socket);
        assertThat(endedByServer(socket)).as("connection %d past the limit, waiting for an answer", i)
            .isEqualTo("a reset");
      }
      assertThat(liveOn(held.get(0))).as("a held connection is still served").startsWith("HTTP/1.1 200");
      assertThat(closures().count()).isEqualTo(PAST_IT);
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
      for (Socket socket : past) {
        socket.close();
      }
    }
    // the server sees the clients' closes on its own time: awaited, then a submission goes through as usual
    Await.until(Duration.ofSeconds(20), "the held connections closed on the server's side",
        () -> gw.registry.get(MeterNames.CONNECTIONS_OPEN).gauge().value() == 0);
    assertThat(gw.post(GatewayFixture.birthRegistration().encode()).statusCode()).isEqualTo(202);
    assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);
  }

  /** GET /health/live on a keep-alive connection, read to the end of its answer: the answer's status line. */
  private static String liveOn(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    socket.setSoTimeout(20_000);
    InputStream in = socket.getInputStream();
    String status = line(in);
    int length = 0;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(header.substring("content-length:".length()).trim());
      }
    }
    in.readNBytes(length);
    return status;
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c == -1) {
        throw new IOException("the server ended the connection mid-answer: " + line);
      }
      line.append((char) c);
    }
    return line.toString().trim();
  }

  /** How the server ended the connection: "a reset", "an end of stream", or what else the client saw. */
  private static String endedByServer(Socket socket) throws IOException {
    // the bound of the wait, far below the idle timeout: not a timing assertion, the close is the event awaited
    socket.setSoTimeout(20_000);
    try {
      return socket.getInputStream().read() == -1 ? "an end of stream" : "an answer";
    } catch (SocketTimeoutException stillOpen) {
      return "nothing (still open)";
    } catch (SocketException reset) {
      return "a reset";
    }
  }

  private static Counter closures() {
    return gw.registry.get(MeterNames.CONNECTIONS_CLOSED)
        .tag(MeterNames.TAG_REASON, MeterNames.ConnectionClosure.OVER_LIMIT.tag()).counter();
  }
}
