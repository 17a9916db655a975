package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.Await;

/**
 * A drain never leaves a keep-alive client a connection it may still send on: every HTTP/1.1 answer written while
 * the process drains says {@code Connection: close} and the server then closes the connection cleanly (end of stream,
 * no reset), before the listener stops and for a request in flight across the listener's close alike. Raw sockets,
 * so that the test sees exactly what a client's connection pool sees; no timing, each step waits for its event.
 */
class DrainConnectionsTest {
  private static final String RATING = "{\"answers\":[5,4,3,5,2],\"channel\":\"online\"}";

  private final GatewayFixture gw = new GatewayFixture(Map.of());

  @AfterEach
  void tearDown() {
    gw.close();
  }

  @Test
  void shouldAskKeepAliveClientsToCloseAndCloseAfterTheAnswerWhileDraining() throws IOException {
    try (RawConnection connection = new RawConnection(gw.port)) {
      connection.send(get("/health/live"));
      Answer before = connection.answer();
      assertThat(before.status()).isEqualTo(200);
      assertThat(before.headers()).doesNotContainKey("connection");

      gw.shared.admission().startDraining();
      connection.send(get("/health/live"));
      Answer during = connection.answer();

      assertThat(during.status()).isEqualTo(200);
      assertThat(during.headers()).containsEntry("connection", "close");
      connection.assertClosedByTheServer();
    }
  }

  @Test
  void shouldAnswerARequestInFlightAcrossTheListenersCloseWithConnectionClose() throws IOException {
    String body = RATING;
    int half = body.length() / 2;
    try (RawConnection connection = new RawConnection(gw.port)) {
      // a request in flight: its head read, its body still arriving
      connection.send("POST /v1/dossiers/" + UUID.randomUUID() + "/rating HTTP/1.1\r\nHost: localhost\r\n"
          + "X-Api-Key: " + GatewayFixture.API_KEY + "\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body.substring(0, half));
      Await.until(Duration.ofSeconds(10), "the gateway to read the request's head", () -> activeRequests() == 1);

      // what Hub.drain() does: refuse, then stop the listener (HttpServer.shutdown), letting in-flight requests end
      gw.shared.admission().startDraining();
      List<Future<Void>> undeployed = gw.vertx.deploymentIDs().stream().map(gw.vertx::undeploy).toList();
      Await.until(Duration.ofSeconds(10), "the listener to close", () -> !accepts(gw.port));
      connection.send(body.substring(half));
      Answer answer = connection.answer();

      assertThat(answer.status()).as("an unknown dossier").isEqualTo(404);
      assertThat(answer.headers()).containsEntry("connection", "close");
      connection.assertClosedByTheServer();
      Future.all(undeployed).await();
    }
  }

  private double activeRequests() {
    return gw.registry.find("vertx.http.server.active.requests").gauges().stream().mapToDouble(Gauge::value).sum();
  }

  private static boolean accepts(int port) {
    try (Socket probe = new Socket("127.0.0.1", port)) {
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (SocketException e) {
      // the listener closed with this probe still in its backlog: the kernel resets it (a CI run), no listener either
      if (String.valueOf(e.getMessage()).contains("reset")) {
        return false;
      }
      throw new UncheckedIOException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  }

  private record Answer(int status, Map<String, String> headers, String body) {
  }

  /** One HTTP/1.1 keep-alive connection, written and read by hand. */
  private static final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawConnection(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** One answer: its head, then a body of its Content-Length. */
    Answer answer() throws IOException {
      String[] head = readHead().split("\r\n");
      Map<String, String> headers = new HashMap<>();
      for (int i = 1; i < head.length; i++) {
        int colon = head[i].indexOf(':');
        headers.put(head[i].substring(0, colon).trim().toLowerCase(), head[i].substring(colon + 1).trim());
      }
      byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
      return new Answer(Integer.parseInt(head[0].split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** The server closed its side after the answer: end of stream, not a reset (which read() throws). */
    void assertClosedByTheServer() throws IOException {
      assertThat(in.read()).as("nothing after the answer, then the end of the stream").isEqualTo(-1);
    }

    private String readHead() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("the connection closed before an answer; read so far: " + head);
        }
        head.write(b);
        matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
      }
      return head.toString(StandardCharsets.US_ASCII).strip();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
