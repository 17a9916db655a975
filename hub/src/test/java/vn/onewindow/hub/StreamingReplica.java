package vn.onewindow.hub;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import vn.onewindow.common.testing.TestServers;

/**
 * A PostgreSQL primary and a hot standby streaming from it through a physical replication slot, both this test's own
 * (the shared test server is never paused). zonky's binaries hold no pg_basebackup, so the standby starts from a copy
 * of the primary's data directory taken after a clean shutdown, which needs no backup label. Replay on the standby can
 * be paused: a replica lagging behind the primary for as long as a test needs, as on a deadline day.
 */
final class StreamingReplica implements AutoCloseable {
  private static final String SLOT = "standby";
  /** Files of a running server that a copy must leave behind: zonky's lock, the postmaster's. */
  private static final Set<String> NOT_COPIED = Set.of("epg-lock", "postmaster.pid", "postmaster.opts");

  private final Path dir;
  private final EmbeddedPostgres primary;
  private final EmbeddedPostgres standby;

  private StreamingReplica(Path dir, EmbeddedPostgres primary, EmbeddedPostgres standby) {
    this.dir = dir;
    this.primary = primary;
    this.standby = standby;
  }

  /** Both servers started, the standby streaming, and a database {@code hub} on both. */
  static StreamingReplica start() {
    try {
      Path dir = Files.createTempDirectory("hub-streaming-replica");
      Path primaryDir = dir.resolve("primary");
      int primaryPort = TestServers.freePort();
      try (EmbeddedPostgres first = server(primaryDir, primaryPort).start()) {
        execute(first, "SELECT pg_create_physical_replication_slot('" + SLOT + "', true)");
        execute(first, "CREATE DATABASE hub");
      }
      Path standbyDir = dir.resolve("standby");
      copy(primaryDir, standbyDir);
      deleteTree(standbyDir.resolve("pg_replslot").resolve(SLOT));
      Files.createFile(standbyDir.resolve("standby.signal"));
      // in the file: zonky hands its server settings to pg_ctl as one option string, where a value with spaces breaks
      Files.writeString(standbyDir.resolve("postgresql.auto.conf"), "primary_conninfo = 'host=127.0.0.1 port="
          + primaryPort + " user=postgres'\nprimary_slot_name = '" + SLOT + "'\nhot_standby = on\n",
          StandardOpenOption.APPEND);
      EmbeddedPostgres primary = server(primaryDir, primaryPort).start();
      try {
        return new StreamingReplica(dir, primary, server(standbyDir, TestServers.freePort()).start());
      } catch (IOException | RuntimeException e) {
        primary.close();   // a standby that did not start must not leave its primary running
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static EmbeddedPostgres.Builder server(Path dataDir, int port) {
    // zonky runs initdb only into a directory without postgresql.conf, and keeps the directory when closed
    return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
        .setServerConfig("wal_level", "replica")
        .setServerConfig("synchronous_commit", "on")
        .setRegisterShutdownHook(false);
  }

  String primaryUrl() {
    return "postgresql://postgres@127.0.0.1:" + primary.getPort() + "/hub";
  }

  String standbyUrl() {
    return "postgresql://postgres@127.0.0.1:" + standby.getPort() + "/hub";
  }

  /** Replay stops: the standby keeps receiving WAL and answering reads, from what it had applied. */
  void pauseReplay() {
    execute(standby, "SELECT pg_wal_replay_pause()");
  }

  void resumeReplay() {
    execute(standby, "SELECT pg_wal_replay_resume()");
  }

  /** Whether the standby has applied everything the primary has written so far. */
  boolean caughtUp() {
    String written = TestServers.queryString(primaryUrl(), "SELECT pg_current_wal_lsn()::text");
    return TestServers.queryLong(standbyUrl(),
        "SELECT (pg_last_wal_replay_lsn() >= '" + written + "'::pg_lsn)::int") == 1;
  }

  private static void execute(EmbeddedPostgres server, String sql) {
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("on 127.0.0.1:" + server.getPort() + ": " + sql, e);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (NOT_COPIED.contains(file.getFileName().toString())) {
          continue;
        }
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          // PostgreSQL refuses a data directory others may read (0700 or 0750 only)
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(file));
        } else {
          Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(file);
      }
    }
  }

  @Override
  public void close() {
    try {
      standby.close();
      primary.close();
      deleteTree(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
