package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Once connections close, new ones are served again.
 * <p>
 * A connection past the bound gets a fixed 503 overloaded problem with {@code Retry-After}, written before any byte of
 * it is read, then an end of stream: overload is a fast 503, never a timeout. It was reset, unread: no
 * {@code Retry-After} for the client, and a proxy in front answered its own 502. Not a bare end of stream either: one
 * before any byte of an answer left Node 20's {@code fetch} (undici) waiting, neither settled nor retried after 40 s.
 * Past the few connections that may be answering at once ({@code ConnectionCap}), a connection is reset at once.
 */
class ConnectionLimitTest extends OneGatewayPerClass {
  private static final int LIMIT = 16;
  /** Connections past the bound answered at once: an eighth of it. */
  private static final int ANSWERING = LIMIT / 8;

  @BeforeAll
  static void start() {
    // the idle timeout far past the waits below: a close seen here is the bound's, never the idle clock's
    gw = new GatewayFixture(Map.of("security.max-connections", String.valueOf(LIMIT),
        "security.idle-timeout-seconds", "600"));
  }

  @Test
  void shouldAnswerConnectionsPastTheLimitWith503ResetPastTheAnsweringOnesAndServeAgainOnceConnectionsClose()
      throws Exception {
    List<Socket> held = new ArrayList<>();
    List<Socket> past = new ArrayList<>();
    try {
      for (int i = 0; i < LIMIT; i++) {
        Socket socket = new Socket("127.0.0.1", gw.port);
        held.add(socket);
        assertThat(liveOn(socket).status()).as("connection %d within the limit is served", i)
            .startsWith("HTTP/1.1 200");
      }
      // held open by their clients once answered: each keeps its place among the answering ones until it closes (or
      // the server's linger ends it, seconds away)
      for (int i = 0; i < ANSWERING; i++) {
        Socket socket = new Socket("127.0.0.1", gw.port);
        past.add(socket);
        Answer answer = liveOn(socket);
        assertThat(answer.status()).as("connection %d past the limit", i).isEqualTo("HTTP/1.1 503 Service Unavailable");
        assertThat(answer.headers()).containsEntry("retry-after", "1").containsEntry("connection", "close")
            .containsEntry("cache-control", "no-store").containsEntry("content-type", Problems.CONTENT_TYPE);
        JsonObject problem = new JsonObject(answer.body());
        assertThat(problem.getString("type")).isEqualTo(Problem.OVERLOADED.typeUri());
        assertThat(problem.getString("title")).isEqualTo(Problem.OVERLOADED.title());
        assertThat(problem.getInteger("status")).isEqualTo(503);
        assertThat(problem.getString("detail")).isNotBlank();
        assertThat(endedByServer(socket)).as("after the 503").isEqualTo("an end of stream");
      }
      Socket beyond = new Socket("127.0.0.1", gw.port);
      past.add(beyond);
      assertThat(endedByServer(beyond)).as("a connection past the limit and the answering ones").isEqualTo("a reset");
      assertThat(liveOn(held.get(0)).status()).as("a held connection is still served").startsWith("HTTP/1.1 200");
      assertThat(closures(MeterNames.ConnectionClosure.OVER_LIMIT_ANSWERED).count()).isEqualTo(ANSWERING);
      assertThat(closures(MeterNames.ConnectionClosure.OVER_LIMIT).count()).isEqualTo(1);
      assertThat(openConnections()).as("the refused ones are not counted").isEqualTo(LIMIT);
      // one held connection closes: exactly one place frees, for a new connection to be served
      held.remove(0).close();
      Await.until(Duration.ofSeconds(20), "the closed connection counted down", () -> openConnections() == LIMIT - 1);
      Socket next = new Socket("127.0.0.1", gw.port);
      held.add(next);
      assertThat(liveOn(next).status()).as("a connection in the freed place").startsWith("HTTP/1.1 200");
      assertThat(openConnections()).isEqualTo(LIMIT);
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
        () -> openConnections() == 0);
    assertThat(gw.post(GatewayFixture.birthRegistration().encode()).statusCode()).isEqualTo(202);
    assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);
  }

  private static double openConnections() {
    return gw.registry.get(MeterNames.CONNECTIONS_OPEN).gauge().value();
  }

  private record Answer(String status, Map<String, String> headers, String body) {
  }

  /** GET /health/live on a keep-alive connection, read to the end of its answer. */
  private static Answer liveOn(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    socket.setSoTimeout(20_000);
    InputStream in = socket.getInputStream();
    String status = line(in);
    Map<String, String> headers = new HashMap<>();
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    return new Answer(status, headers, new String(in.readNBytes(length), StandardCharsets.UTF_8));
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

  private static Counter closures(MeterNames.ConnectionClosure reason) {
    return gw.registry.get(MeterNames.CONNECTIONS_CLOSED).tag(MeterNames.TAG_REASON, reason.tag()).counter();
  }
}
