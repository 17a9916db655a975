package vn.onewindow.hub;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.testing.TestServers;

/** The hub as a separate JVM (same classpath as the tests), so a test can SIGKILL or SIGTERM it for real. */
final class HubProcess implements AutoCloseable {
  /** Children still running when the test JVM exits (a failed or interrupted run) are killed with it. */
  private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "hub-process-reaper"));
  }

  final int port;
  final Process process;
  final Path log;

  private HubProcess(int port, Process process, Path log) {
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code HubMain} with the given config (as HUB_* variables) and waits until it is ready. */
  static HubProcess start(HubConfig config, Map<String, String> settings) throws IOException, InterruptedException {
    return start(config, settings, "WARN");
  }

  /** As {@link #start(HubConfig, Map)}, logging at {@code logLevel} to a new file of its own ({@link #log}). */
  static HubProcess start(HubConfig config, Map<String, String> settings, String logLevel)
      throws IOException, InterruptedException {
    int port = TestServers.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("HUB_POSTGRES_URL", config.postgres().url());
    env.put("HUB_REDIS_URL", config.redis().url());
    env.put("HUB_REDIS_KEY_PREFIX", config.redis().keyPrefix());
    env.put("HUB_HTTP_HOST", "127.0.0.1");
    env.put("HUB_HTTP_PORT", Integer.toString(port));
    env.put("HUB_LOG_LEVEL", logLevel);
    env.put("HUB_SECURITY_DEVELOPMENT_CLIENTS", "true");
    // settings win: e.g. an empty redis.url for a hub that starts its embedded redis-server
    settings.forEach((key, value) -> env.put(Settings.envName(key), value));
    Path logs = java.nio.file.Files.createDirectories(Path.of("target", "hub-process-logs"));
    Path log = File.createTempFile("hub-process-", ".log", logs.toFile()).toPath();
    // C1 only: a test runs up to five of these JVMs beside the tests' own on two cores, and C2's compiling of
    // each one's hot paths was CPU the processes under test then lacked (ClusterProcessesTest 78-83 s -> 54 s);
    // what the tests assert (answers, persistence, takeover, failover) does not depend on how the JIT compiles
    ProcessBuilder builder = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), HubMain.class.getName()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    HubProcess hub = new HubProcess(port, builder.start(), log);
    LIVE.add(hub.process);
    try {
      hub.awaitReady();
    } catch (RuntimeException | InterruptedException | IOException e) {
      hub.close();
      throw e;
    }
    return hub;
  }

  private void awaitReady() throws InterruptedException, IOException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("hub process exited with status " + process.exitValue() + ": "
            + java.nio.file.Files.readString(log));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health/ready").toURL()
            .openConnection();
        c.setConnectTimeout(200);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("hub process not ready within 30 s: " + java.nio.file.Files.readString(log));
  }

  void kill() throws InterruptedException {
    // a redis-server the hub started for itself goes too (a killed JVM runs no shutdown hook to stop it)
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    LIVE.remove(process);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
