package vn.onewindow.common.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * Real PostgreSQL and redis-server processes shipped through Maven Central (zonky's PostgreSQL binaries,
 * codemonstur's redis-server 6.2), for a machine that has only a JDK and Maven. Nothing is mocked: these are the
 * same servers as in production, started as child processes and stopped with this JVM.
 */
public final class EmbeddedServers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServers.class);

  private EmbeddedPostgres postgres;
  private RedisServer redis;

  /** Starts PostgreSQL on {@code port}, keeping its data under {@code dataDir} across restarts; returns its URL. */
  public String startPostgres(Path dataDir, int port, boolean keepData) {
    try {
      Path dir = dataDir.resolve("postgres").toAbsolutePath();
      Files.createDirectories(dir.getParent());
      long started = System.nanoTime();
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(!keepData)
          .setPort(port)
          .setServerConfig("max_connections", "300")
          .setServerConfig("fsync", keepData ? "on" : "off")
          .start();
      LOG.info("embedded PostgreSQL started on 127.0.0.1:{} in {} ms (data in {})",
          port, (System.nanoTime() - started) / 1_000_000, dir);
      return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL failed to start on port " + port, e);
    }
  }

  /**
   * Starts redis-server on {@code port}. With {@code durable} it keeps an append-only file fsynced every second
   * under {@code dataDir}, so queued dossiers survive a restart of the hub.
   */
  public String startRedis(Path dataDir, int port, boolean durable) {
    try {
      Path dir = dataDir.resolve("redis").toAbsolutePath();
      Files.createDirectories(dir);
      redis = RedisServer.newRedisServer()
          .bind("127.0.0.1")
          .port(port)
          .setting("dir " + dir)
          .setting("save \"\"")
          .setting("appendonly " + (durable ? "yes" : "no"))
          .setting("appendfsync everysec")
          .setting("maxmemory " + (durable ? "1gb" : "512mb"))
          .setting("maxmemory-policy noeviction")
          .build();
      redis.start();
      LOG.info("embedded redis-server started on 127.0.0.1:{} (durable={}, dir {})", port, durable, dir);
      return "redis://127.0.0.1:" + port;
    } catch (IOException e) {
      throw new UncheckedIOException("embedded redis-server failed to start on port " + port, e);
    }
  }

  public void stopRedis() {
    if (redis != null) {
      try {
        redis.stop();
      } catch (IOException e) {
        LOG.warn("embedded redis-server did not stop cleanly: {}", e.getMessage());
      }
      redis = null;
    }
  }

  @Override
  public void close() {
    stopRedis();
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
      postgres = null;
    }
  }
}
