package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onewindow.common.infra.EmbeddedServers;
import vn.onewindow.common.testing.TestServers;

/**
 * A hub SIGKILLed (the OOM killer, kill -9) leaves its embedded PostgreSQL running, orphaned, on its data directory;
 * every later start refused it ("belongs to another running hub, or a killed hub left it running") until someone
 * stopped the postmaster by hand (a rehearsal tryout). Its redis-server was already cleared away by the next start;
 * now its PostgreSQL is too, once no live process holds the data directory. One that does is never touched.
 */
class EmbeddedPostgresAfterKillTest {
  @Test
  void shouldStopTheOrphanedPostgresOfAKilledProcessAndLeaveALiveOnesAlone(@TempDir Path data) throws Exception {
    int port = TestServers.freePort();
    Process owner = localPostgres(data, port);
    try (EmbeddedServers second = new EmbeddedServers()) {
      assertThatThrownBy(() -> second.startPostgres(data, port, true)).as("a live owner's server")
          .hasMessageContaining("belongs to another running hub");
      owner.destroyForcibly();   // SIGKILL to the JVM alone, as kill -9 <pid> does: its postmaster lives on
      assertThat(owner.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(TestServers.answers(port)).as("the killed process's PostgreSQL lives on").isTrue();

      String url = second.startPostgres(data, port, true);

      assertThat(TestServers.queryLong(url, "SELECT 1")).isEqualTo(1);
    } finally {
      owner.destroyForcibly();
    }
    assertThat(TestServers.answers(port)).as("stopped with the servers that started it").isFalse();
  }

  /** The hub's LocalPostgres in a JVM of its own, returned once its server answers (it prints the URL then). */
  private static Process localPostgres(Path data, int port) throws Exception {
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), LocalPostgres.class.getName(), data.toString(), Integer.toString(port))
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("HUB_POSTGRES_URL=")) {
      // its log lines
    }
    assertThat(line).as("LocalPostgres printed its URL").isNotNull();
    return process;
  }
}
