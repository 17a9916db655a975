package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.testing.TestServers;

/**
 * A worker-only process's management port (health and metrics on {@code http.port}, every interface in production)
 * holds the public port's connection limits: a connection that never finishes its request head is closed at the idle
 * timeout. It had Vert.x's defaults, no idle timeout at all, so such connections were held for as long as their
 * clients liked (the connection-abuse tryout's slow heads, against the gateway's port); and no bound on its connections,
 * which can take every descriptor the worker's pools need ({@code security.max-connections}).
 */
class ManagementPortLimitsTest {

  @Test
  void aConnectionThatNeverFinishesItsRequestHeadIsClosedAtTheIdleTimeout() throws Exception {
    int port = TestServers.freePort();
    HubConfig config = TestServers.get().config(Map.of("hub.role", "intake", "http.port", Integer.toString(port),
        "warmup.intake-duration-ms", "0", "security.idle-timeout-seconds", "2",
        // every timeout below the idle timeout, as the start's checks ask
        "security.request-timeout-ms", "1500", "timeout.redis-enqueue-ms", "800", "timeout.postgres-write-ms", "400",
        "timeout.postgres-read-ms", "1000", "stats.timeout-ms", "1000"));
    try (Hub hub = Hub.start(config); Socket slow = new Socket("127.0.0.1", hub.httpPort())) {
      // the bound of the wait, not a timing assertion: the close is the event awaited
      slow.setSoTimeout(20_000);
      slow.getOutputStream().write("GET /metr".getBytes(StandardCharsets.US_ASCII));
      slow.getOutputStream().flush();
      InputStream in = slow.getInputStream();
      assertThat(in.read()).as("the server closed the connection, answering nothing").isEqualTo(-1);
    }
  }

  @Test
  void aConnectionPastTheLimitIsAnswered503AndOnePastTheAnsweringOnesReset() throws Exception {
    int port = TestServers.freePort();
    HubConfig config = TestServers.get().config(Map.of("hub.role", "intake", "http.port", Integer.toString(port),
        "warmup.intake-duration-ms", "0", "security.max-connections", "2"));
    try (Hub hub = Hub.start(config); Socket first = new Socket("127.0.0.1", hub.httpPort());
         Socket second = new Socket("127.0.0.1", hub.httpPort());
         Socket past = new Socket("127.0.0.1", hub.httpPort())) {
      // the bound of the waits, far below the idle timeout (30 s): the answer and the close are the events awaited
      past.setSoTimeout(20_000);
      // a 503 overloaded, unread, as on the public port (ConnectionLimitTest says why)
      String answer = new String(past.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).as("the third connection").startsWith("HTTP/1.1 503 ").contains("Retry-After: 1\r\n")
          .contains("\"status\":503");
      // held open by its client: the one answering place of a bound of 2 is taken (for seconds at most)
      try (Socket beyond = new Socket("127.0.0.1", hub.httpPort())) {
        beyond.setSoTimeout(20_000);
        assertThatThrownBy(() -> beyond.getInputStream().read()).as("the fourth connection, unread")
            .isInstanceOf(SocketException.class).hasMessageContaining("reset");
      }
    }
  }
}
