package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onewindow.common.testing.TestServers;

/** The redis-server the hub starts for a user with none configured keeps answering however much it logs. */
class EmbeddedServersTest {

  /**
   * redis-server logs to its standard output, a pipe to this JVM that embedded-redis reads only until the server
   * is ready, and then closes: redis-server ignores SIGPIPE, so its later lines are dropped rather than filling a
   * pipe that nobody reads and blocking it (a few lines per AOF rewrite, every few seconds under a sustained load).
   * Holds for the day a reader that stops reading is added. DEBUG LOG writes one line to that log.
   */
  @Test
  void shouldKeepAnsweringOnceItsLogHasOutgrownAPipe(@TempDir Path data) {
    int port = TestServers.freePort();
    try (EmbeddedServers servers = new EmbeddedServers()) {
      servers.startRedis(data, port, false);
      String line = "x".repeat(1000);
      for (int i = 0; i < 200; i++) {   // about 200 KB of log: three pipes' worth
        assertThat(TestServers.redisCommand("127.0.0.1", port, "DEBUG", "LOG", line)).as("log line %d", i)
            .isEqualTo("+OK");
      }
      assertThat(TestServers.redisCommand("127.0.0.1", port, "PING")).isEqualTo("+PONG");
    }
  }
}
