package vn.onewindow.common.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.Redis;
import redis.embedded.RedisInstance;
import redis.embedded.RedisServer;

/**
 * Real PostgreSQL and redis-server processes shipped through Maven Central (zonky's PostgreSQL binaries,
 * codemonstur's redis-server 6.2), for a machine that has only a JDK and Maven. Nothing is mocked: these are the
 * same servers as in production, started as child processes and stopped with this JVM.
 *
 * <p>Stopped last: both libraries stop their server from a JVM shutdown hook of their own, which the JVM runs at the
 * same time as the hub's drain hook, so the drain's last commits, acks and stream reads met servers that were gone
 * (Connection refused; the batch redelivered at the next start). Once {@link #stopAfterDrain} was called, the servers
 * stop when {@link #drainThenClose} has drained the hub: zonky's hook is not registered (this class registers one that
 * waits for the drain), and embedded-redis's hook, which cannot be removed, calls a {@code stop()} that waits too.
 */
public final class EmbeddedServers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServers.class);

  private final CountDownLatch drained = new CountDownLatch(1);
  private volatile Duration drainBound;
  private EmbeddedPostgres postgres;
  private RedisInstance redis;
  private RedisDirectoryClaim redisClaim;

  /**
   * Registers the one hook that stops the servers at the JVM's exit (after the drain, once {@link #stopAfterDrain} was
   * called), before either is started: a start under way when the JVM exits is waited for (the methods share this
   * object's lock), then stopped.
   */
  public EmbeddedServers() {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      awaitDrain();
      close();
    }, "embedded-servers-stop"));
  }

  /** The URL of the embedded PostgreSQL on {@code port} (what {@link #startPostgres} returns). */
  public static String postgresUrl(int port) {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  /** The URL of the embedded redis-server on {@code port} (what {@link #startRedis} returns). */
  public static String redisUrl(int port) {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts PostgreSQL on {@code port}, keeping its data under {@code dataDir} across restarts; returns its URL. */
  public synchronized String startPostgres(Path dataDir, int port, boolean keepData) {
    Path dir = dataDir.resolve("postgres").toAbsolutePath();
    // The data directory's owner for this JVM's life (the lock redis-server's directory holds, taken here first): a
    // live hub on the same directory holds it, a killed one no longer does
    claimDataDirectory(dataDir, "embedded PostgreSQL failed to start on port " + port + ": the embedded PostgreSQL of "
        + dir, "embedded.postgres-port");
    // Before zonky touches the directory: its failure said only "failed to start", its clean-up below could stop a
    // postmaster started within the same second, and with keepData=false it would wipe the directory first.
    liveProcessOfPidFile(dir).ifPresent(process -> stopOrphanPostmaster(process, dir, port));
    long attempt = System.currentTimeMillis() / 1000;
    try {
      Files.createDirectories(dir.getParent());
      long started = System.nanoTime();
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(!keepData)
          .setPort(port)
          .setServerConfig("max_connections", "300")
          .setServerConfig("fsync", keepData ? "on" : "off")
          // zonky's default is off: a COMMIT answered before its WAL is flushed, and the intake deletes the entry
          // from Redis on that answer, so a PostgreSQL crash would lose those dossiers (EmbeddedServersTest)
          .setServerConfig("synchronous_commit", keepData ? "on" : "off")
          .setRegisterShutdownHook(false)
          .start();
      LOG.info("embedded PostgreSQL started on 127.0.0.1:{} in {} ms (data in {})",
          port, (System.nanoTime() - started) / 1_000_000, dir);
      return postgresUrl(port);
    } catch (IOException | RuntimeException e) {
      // zonky starts the postmaster, then waits for it: a start that failed while waiting leaves it running
      stopPostmasterStartedSince(dir, attempt);
      // the cause in the message: HubMain logs the message only
      throw new UncheckedIOException("embedded PostgreSQL failed to start on port " + port + ": " + e.getMessage(),
          e instanceof IOException io ? io : new IOException(e));
    }
  }

  /**
   * Takes the data directory for this JVM (the lock in redis-server's directory: one owner for both servers, which a
   * release that started only redis-server under it held as well), or fails with {@code refusal}: another running hub
   * (or {@code LocalPostgres}) owns it; the refusal names {@code portSetting}, the other setting that tells two hubs apart.
   */
  private void claimDataDirectory(Path dataDir, String refusal, String portSetting) {
    if (redisClaim != null) {
      return;
    }
    try {
      Path redisDir = dataDir.resolve("redis").toAbsolutePath();
      Files.createDirectories(redisDir);
      redisClaim = RedisDirectoryClaim.take(redisDir);
    } catch (IOException e) {
      throw new UncheckedIOException(refusal + ": embedded.data-dir " + dataDir.toAbsolutePath() + " cannot hold it ("
          + e.getMessage() + "): give a directory this user can write", e);
    } catch (IllegalStateException heldElsewhere) {
      throw new IllegalStateException(refusal + " belongs to another running hub: stop it, or give this one another"
          + " embedded.data-dir and " + portSetting, heldElsewhere);
    }
  }

  /**
   * A postmaster of {@code dir} still running while this JVM owns the data directory: the hub that started it was
   * killed (SIGKILL, the OOM killer) and ran no hook, and every later start refused the directory until someone
   * stopped it by hand (a rehearsal tryout). Asked to stop (SIGTERM, smart shutdown: the dead hub's sessions are gone)
   * and waited for, at most 30 s. A pid that is no PostgreSQL any more (reused after a crash) is left alone, with the
   * pid file to delete named.
   */
  private static void stopOrphanPostmaster(ProcessHandle process, Path dir, int port) {
    String refused = "embedded PostgreSQL failed to start on port " + port + ": ";
    if (!process.info().command().map(c -> c.endsWith("postgres")).orElse(false)) {
      throw new IllegalStateException(refused + "the embedded PostgreSQL of " + dir + " belongs to another running hub,"
          + " or a killed hub left it running (postmaster pid " + process.pid() + ", a running process"
          + process.info().command().map(c -> ": " + c).orElse("") + "): stop it, or give this one another"
          + " embedded.data-dir and embedded.postgres-port. If that process is no PostgreSQL (its pid was reused after"
          + " a crash), delete " + dir.resolve("postmaster.pid"));
    }
    LOG.warn("the embedded PostgreSQL of {} still runs (postmaster pid {}; the hub that started it was killed): "
        + "stopping it before starting afresh", dir, process.pid());
    process.destroy();
    try {
      process.onExit().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(refused + "the orphaned postmaster " + process.pid() + " of " + dir
          + " did not stop within 30 s: stop it by hand", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(refused + "interrupted while the orphaned postmaster stopped", e);
    }
  }

  /**
   * Starts redis-server on {@code port}. With {@code durable} it keeps an append-only file fsynced every second
   * under {@code dataDir}, so queued dossiers survive a restart of the hub.
   */
  public synchronized String startRedis(Path dataDir, int port, boolean durable) {
    Path dir = dataDir.resolve("redis").toAbsolutePath();
    claimDataDirectory(dataDir, "embedded redis-server failed to start on port " + port + ": the embedded redis-server of "
        + dir, "embedded.redis-port");
    try {
      // the AOF holds whole submissions and redis-server writes it world-readable: only this user may enter (as
      // PostgreSQL requires of its own data directory)
      if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      }
      // a hub killed with SIGKILL left its redis-server running on this directory and port: stop it first
      redisClaim.stopOrphanOn(port, dir);
      List<String> command = RedisServer.newRedisServer()
          .bind("127.0.0.1")
          .port(port)
          .setting("dir " + dir)
          .setting("save \"\"")
          .setting("appendonly " + (durable ? "yes" : "no"))
          .setting("appendfsync everysec")
          .setting("maxmemory " + (durable ? "1gb" : "512mb"))
          .setting("maxmemory-policy noeviction")
          .buildCommandArgs();
      redis = new StoppedAfterDrain(port, command);
      redis.start();
      LOG.info("embedded redis-server started on 127.0.0.1:{} (durable={}, dir {})", port, durable, dir);
      return redisUrl(port);
    } catch (IOException | RuntimeException e) {
      redis = null;
      releaseClaim();
      // embedded-redis launches the process before it waits for it (and registers its hook)
      ProcessHandle.current().children()
          // its command line, or once it has renamed itself "<binary> 127.0.0.1:<port>"
          .filter(child -> child.info().commandLine().filter(line -> line.contains("redis-server")
              && (line.contains("--port " + port) || line.endsWith(":" + port))).isPresent())
          .forEach(ProcessHandle::destroy);
      // the cause in the message: HubMain logs the message only, and "another running hub" is the operator's answer
      throw new UncheckedIOException("embedded redis-server failed to start on port " + port + ": " + e.getMessage(),
          e instanceof IOException io ? io : new IOException(e));
    }
  }

  /**
   * From now on the servers' shutdown hooks wait (at most {@code bound}) for {@link #drainThenClose}: called when the
   * hook that drains the hub is registered, before any shutdown can begin.
   */
  public void stopAfterDrain(Duration bound) {
    drainBound = bound;
  }

  /** Runs {@code drain} with the servers up, then stops them. */
  public void drainThenClose(Runnable drain) {
    try {
      drain.run();
    } finally {
      drained.countDown();
      close();
    }
  }

  private void awaitDrain() {
    Duration bound = drainBound;
    if (bound == null) {
      return;
    }
    try {
      if (!drained.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("the hub had not drained after {} ms: stopping the embedded servers anyway", bound.toMillis());
        drained.countDown();   // the other hook's wait ends too: the bound once, not once per hook
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The live process of the pid in {@code dataDir}'s postmaster.pid, whatever it runs; none when no file, or when no
   * process has that pid (a stale file, which PostgreSQL replaces). Liveness alone decides, as in PostgreSQL's own
   * lock-file check (it signals the pid): a live process of another command is refused there too, after zonky's
   * 10 s wait, as "Gave up waiting for server to start". The command, when readable, only names it in the message:
   * deciding on it ("ends with postgres", an unreadable one taken for PostgreSQL) let such a start through to that
   * failure. Unlike PostgreSQL, which takes another user's process (EPERM) for a stale claim, a non-root hub refuses it
   * too; the message says to delete the file then.
   */
  private static Optional<ProcessHandle> liveProcessOfPidFile(Path dataDir) {
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();   // no file, or no pid in it: PostgreSQL's own check decides
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
  }

  /**
   * The postmaster of {@code dataDir} is asked to stop (SIGTERM: smart shutdown) if its pid file says it started at or
   * after {@code epochSecond} (line 3): this attempt's, not one another hub on the same data directory still runs.
   */
  private static void stopPostmasterStartedSince(Path dataDir, long epochSecond) {
    try {
      List<String> pidFile = Files.readAllLines(dataDir.resolve("postmaster.pid"));
      if (pidFile.size() >= 3 && Long.parseLong(pidFile.get(2).trim()) >= epochSecond) {
        ProcessHandle.of(Long.parseLong(pidFile.get(0).trim())).ifPresent(ProcessHandle::destroy);
      }
    } catch (IOException | NumberFormatException e) {
      LOG.debug("no postmaster to stop in {}: {}", dataDir, e.toString());
    }
  }

  /** embedded-redis's server: its {@code stop()}, which that library's shutdown hook calls too, awaits the drain. */
  private final class StoppedAfterDrain extends RedisInstance {
    StoppedAfterDrain(int port, List<String> command) {
      super(port, command, Redis.SERVER_READY_PATTERN, false, null, null);
    }

    @Override
    public void stop() throws IOException {
      awaitDrain();
      super.stop();
    }
  }

  public synchronized void stopRedis() {
    if (redis != null) {
      try {
        redis.stop();
      } catch (IOException e) {
        LOG.warn("embedded redis-server did not stop cleanly: {}", e.getMessage());
      }
      redis = null;
    }
    releaseClaim();
  }

  /**
   * Gives the data directory up, unless this JVM's PostgreSQL still runs there: the claim stands for both servers, and
   * a hub starting meanwhile would take that postmaster for a killed hub's orphan and stop it.
   */
  private void releaseClaim() {
    if (redisClaim != null && postgres == null) {
      redisClaim.close();
      redisClaim = null;
    }
  }

  @Override
  public synchronized void close() {
    stopRedis();
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
      postgres = null;
    }
    releaseClaim();
  }
}
