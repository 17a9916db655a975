package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onewindow.common.testing.TestServers;

/**
 * The redis-server the hub starts for a user with none configured keeps answering however much it logs, and belongs
 * to its hub: a second hub on the same data directory never stops it. The PostgreSQL it starts to keep data commits
 * durably.
 */
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

  /**
   * An {@code embedded.data-dir} the hub cannot make a directory of (a file of that name, a read-only mount) stops the
   * start with a line naming the setting, not only the path it could not create (a config tryout): the operator's fix
   * is that setting, whichever server meets it first.
   */
  @Test
  void shouldNameTheSettingWhenTheDataDirectoryCannotBeMade(@TempDir Path parent) throws Exception {
    Path data = Files.writeString(parent.resolve("not-a-directory"), "");
    try (EmbeddedServers servers = new EmbeddedServers()) {
      assertThatThrownBy(() -> servers.startRedis(data, TestServers.freePort(), true))
          .hasMessageContaining("embedded.data-dir").hasMessageContaining(data.toString());
      assertThatThrownBy(() -> servers.startPostgres(data, TestServers.freePort(), true))
          .hasMessageContaining("embedded.data-dir").hasMessageContaining(data.toString());
    }
  }

  /**
   * A hub restarted after a SIGKILL stops the redis-server its dead predecessor left on the data directory
   * (hub EmbeddedRedisAfterKillTest); the server of a live hub on that directory is never taken for such an orphan.
   */
  @Test
  void shouldLeaveTheRedisServerOfALiveHubOnTheSameDirectoryAlone(@TempDir Path data) {
    int port = TestServers.freePort();
    try (EmbeddedServers first = new EmbeddedServers(); EmbeddedServers second = new EmbeddedServers()) {
      first.startRedis(data, port, true);
      TestServers.redisCommand("127.0.0.1", port, "SET", "queued", "yes");
      assertThatThrownBy(() -> second.startRedis(data, port, true))
          .hasMessageContaining("belongs to another running hub");
      assertThat(TestServers.redisCommand("127.0.0.1", port, "GET", "queued")).as("still the first hub's server")
          .isEqualTo("$3");
    }
  }

  /**
   * The intake deletes an entry from Redis once PostgreSQL has answered its COMMIT: that answer must mean the row is
   * on disk. zonky's embedded PostgreSQL sets synchronous_commit=off by default (a commit answered before its WAL is
   * flushed: a crash of PostgreSQL, kill -9 included, loses the last few hundred milliseconds of commits), so the
   * dossiers of those commits, already gone from Redis, would be lost (ops tryout). A throwaway instance (tests) may
   * keep the faster setting.
   */
  @Test
  void shouldCommitDurablyWhenItKeepsData(@TempDir Path data) throws Exception {
    int port = TestServers.freePort();
    try (EmbeddedServers servers = new EmbeddedServers()) {
      servers.startPostgres(data, port, true);
      try (Connection db = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres",
          "")) {
        assertThat(setting(db, "synchronous_commit")).isEqualTo("on");
        assertThat(setting(db, "fsync")).isEqualTo("on");
      }
    }
  }

  /**
   * A second hub on a data directory in use (./ops/run-hub.sh started twice, or a gateway and an intake instance both
   * on the embedded defaults) starts PostgreSQL first: it failed with "embedded PostgreSQL failed to start on port
   * 15432" and no cause, so the user could not tell it from a broken installation. It must say that the directory
   * belongs to another running hub, as the redis-server's start does, and leave that hub's PostgreSQL running.
   */
  @Test
  void shouldNameTheLiveHubWhosePostgresHoldsTheDirectory(@TempDir Path data) throws Exception {
    int port = TestServers.freePort();
    try (EmbeddedServers first = new EmbeddedServers(); EmbeddedServers second = new EmbeddedServers()) {
      first.startPostgres(data, port, true);
      assertThatThrownBy(() -> second.startPostgres(data, port, true))
          .hasMessageContaining("belongs to another running hub");
      try (Connection db = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres",
          "")) {
        assertThat(setting(db, "fsync")).as("still the first hub's server").isEqualTo("on");
      }
    }
  }

  /**
   * A postmaster.pid whose pid runs no process is stale (a hub killed with its PostgreSQL, a machine restarted):
   * PostgreSQL replaces it, and so the start goes on. One whose pid is a live process is refused with the message
   * above whatever that process is, as PostgreSQL's own lock-file check refuses it: a process whose command did not
   * end with "postgres" (here sleep) used to be taken for no claim, and the start failed later, in zonky's words
   * ("failed to start"), without saying why.
   */
  @Test
  void shouldStartOverAStalePidFileAndRefuseOneNamingALiveProcess(@TempDir Path data) throws Exception {
    int port = TestServers.freePort();
    Path pidFile = data.resolve("postgres").resolve("postmaster.pid");
    List<String> lines;
    try (EmbeddedServers first = new EmbeddedServers()) {
      first.startPostgres(data, port, true);
      lines = new ArrayList<>(Files.readAllLines(pidFile));
    }
    assertThat(pidFile).doesNotExist();

    long dead = pidOfNoProcess();
    lines.set(0, Long.toString(dead));
    Files.write(pidFile, lines);
    try (EmbeddedServers servers = new EmbeddedServers()) {
      servers.startPostgres(data, port, true);
      assertThat(Files.readAllLines(pidFile).get(0)).as("PostgreSQL's own pid now").isNotEqualTo(Long.toString(dead));
    }

    Process sleep = new ProcessBuilder("sleep", "300").start();
    try {
      lines.set(0, Long.toString(sleep.pid()));
      Files.write(pidFile, lines);
      try (EmbeddedServers servers = new EmbeddedServers()) {
        assertThatThrownBy(() -> servers.startPostgres(data, port, true))
            .hasMessageContaining("belongs to another running hub")
            .hasMessageContaining("postmaster pid " + sleep.pid() + ", a running process")
            .hasMessageContaining("sleep");
      }
      assertThat(sleep.isAlive()).isTrue();
      assertThat(Files.readAllLines(pidFile)).isEqualTo(lines);
      assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
          "postgres", "")).as("no PostgreSQL started").isInstanceOf(java.sql.SQLException.class);
    } finally {
      sleep.destroy();
      sleep.waitFor();
    }
  }

  /** A pid no process has: counted down from the kernel's highest, which a test machine's processes seldom reach. */
  private static long pidOfNoProcess() throws Exception {
    // readAllLines, not readString: JDK 17 reads a /proc file by its reported size, and read "3" of "32768"
    long max = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).trim());
    for (long pid = max - 1; pid > 1; pid--) {
      if (ProcessHandle.of(pid).isEmpty() && !Files.exists(Path.of("/proc", Long.toString(pid)))) {
        return pid;
      }
    }
    throw new IllegalStateException("every pid is in use");
  }

  private static String setting(Connection db, String name) throws Exception {
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SHOW " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
