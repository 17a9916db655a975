package vn.onewindow.loadtest.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import vn.onewindow.loadtest.config.LoadConfig;

/**
 * A hub started for one run: {@code java -jar hub/target/hub.jar} on free loopback ports, with its embedded
 * PostgreSQL and redis-server in a throw-away data directory. It runs under a small bash watchdog that stops it
 * (SIGTERM, so the hub stops its embedded servers) and deletes the data as soon as this JVM disappears, even if
 * this JVM is killed without running its shutdown hooks; {@link #stop()} does the same on purpose.
 */
public final class LocalHub {
  /** Variables that would point the hub somewhere else than the throw-away servers. */
  private static final List<String> CLEARED = List.of("HUB_POSTGRES_URL", "HUB_REDIS_URL", "HUB_HTTP_PORT",
      "HUB_HTTP_HOST", "HUB_EMBEDDED_DATA_DIR", "HUB_EMBEDDED_POSTGRES_PORT", "HUB_EMBEDDED_REDIS_PORT",
      "HUB_CONFIG_FILE", "HUB_HTTP_PUBLIC_BASE_URL", "HUB_HUB_ROLE");

  private static final String WATCHDOG = """
      java "$@" &
      hub=$!
      trap 'kill -TERM $hub 2>/dev/null; wait $hub; exit 0' TERM INT
      while kill -0 "$WATCHED_PID" 2>/dev/null && kill -0 $hub 2>/dev/null; do sleep 1 & wait $!; done
      kill -TERM $hub 2>/dev/null
      wait $hub
      if ! kill -0 "$WATCHED_PID" 2>/dev/null; then rm -rf "$HUB_EMBEDDED_DATA_DIR"; fi
      """;

  private final LoadConfig config;
  private final int httpPort;
  private final int postgresPort;
  private final int redisPort;
  private final Path dataDir;
  private final Path log;
  private Process process;

  private LocalHub(LoadConfig config, int httpPort, int postgresPort, int redisPort, Path dataDir, Path log) {
    this.config = config;
    this.httpPort = httpPort;
    this.postgresPort = postgresPort;
    this.redisPort = redisPort;
    this.dataDir = dataDir;
    this.log = log;
  }

  /** Picks free ports and a data directory; nothing runs yet. */
  public static LocalHub prepare(LoadConfig config) {
    if (!Files.isRegularFile(config.hubJar)) {
      throw new IllegalStateException("hub jar " + config.hubJar + " not found: build it first "
          + "(cd <repo> && mvn -q -B -DskipTests -pl hub -am package) or pass -DhubJar=... or -DbaseUrl=...");
    }
    try {
      int[] ports = freePorts(3);
      Path data = Files.createTempDirectory("loadtest-hub-");
      Files.createDirectories(config.outputDir);
      return new LocalHub(config, ports[0], ports[1], ports[2], data, config.outputDir.resolve("hub.log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int httpPort() {
    return httpPort;
  }

  public int postgresPort() {
    return postgresPort;
  }

  public Path log() {
    return log;
  }

  /** Starts the hub and waits until GET /health/ready answers 200. */
  public synchronized void start() {
    List<String> command = new ArrayList<>(List.of("bash", "-c", WATCHDOG, "hub-watchdog"));
    for (String opt : config.hubJavaOpts.trim().split("\\s+")) {
      if (!opt.isEmpty()) {
        command.add(opt);
      }
    }
    command.add("-jar");
    command.add(config.hubJar.toString());
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    CLEARED.forEach(env::remove);
    env.put("WATCHED_PID", Long.toString(ProcessHandle.current().pid()));
    env.put("HUB_HTTP_HOST", "127.0.0.1");
    env.put("HUB_HTTP_PORT", Integer.toString(httpPort));
    env.put("HUB_EMBEDDED_DATA_DIR", dataDir.toString());
    env.put("HUB_EMBEDDED_POSTGRES_PORT", Integer.toString(postgresPort));
    env.put("HUB_EMBEDDED_REDIS_PORT", Integer.toString(redisPort));
    env.putIfAbsent("HUB_LOG_LEVEL", "WARN");
    // -DhubEnv=HUB_INTAKE_WORKERS=4,HUB_HTTP_INSTANCES=2 tunes the local hub for a rehearsal
    String extra = System.getProperty("hubEnv", "");
    for (String kv : extra.split(",")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        env.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
    }
    // the checkout's config/ (calendar files are read from there before the classpath), as ./ops/run-hub.sh: the
    // loadtest pom names it, since a copy of the jar (ops/rehearse.sh's) says nothing of where it was built
    String checkout = System.getProperty("loadtest.repoRoot");
    Path repoRoot = checkout != null ? Path.of(checkout)
        : config.hubJar.getParent() == null || config.hubJar.getParent().getParent() == null
        ? null : config.hubJar.getParent().getParent().getParent();
    pb.directory(repoRoot != null && Files.isDirectory(repoRoot.resolve("config")) ? repoRoot.toFile() : dataDir.toFile());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    long started = System.nanoTime();
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the hub", e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "loadtest-hub-stop"));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    URI ready = URI.create("http://127.0.0.1:" + httpPort + "/health/ready");
    long deadline = System.nanoTime() + config.hubStartTimeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the hub exited with " + process.exitValue() + " while starting:\n" + tail(40));
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          System.out.printf("local hub ready on 127.0.0.1:%d in %.1f s (PostgreSQL :%d, Redis :%d, data %s, log %s)%n",
              httpPort, (System.nanoTime() - started) / 1e9, postgresPort, redisPort, dataDir, log);
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the hub", e);
      }
      sleep(250);
    }
    stop();
    throw new IllegalStateException("the hub was not ready within " + config.hubStartTimeout.toSeconds() + " s:\n"
        + tail(40));
  }

  /**
   * The hub JVM's resident set (VmRSS in /proc, Linux), in bytes; -1 when not running or unknown. The hub runs as
   * the watchdog's child, its embedded servers as its own children: the hub is the watchdog's child that is java.
   */
  public long rssBytes() {
    Process p = process;
    if (p == null) {
      return -1;
    }
    ProcessHandle hub = p.children().filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .findFirst().orElse(null);
    if (hub == null) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(hub.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the hub just exited
    }
    return -1;
  }

  /** Stops the hub (and its embedded servers) and deletes its data; safe to call twice. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    List<ProcessHandle> family = new ArrayList<>();
    p.descendants().forEach(family::add);
    p.destroy(); // SIGTERM to the watchdog, which forwards it to the hub and waits for it
    try {
      if (!p.waitFor(45, TimeUnit.SECONDS)) {
        System.err.println("the hub did not stop within 45 s; killing it");
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // the hub stops PostgreSQL and redis-server itself; anything left is killed, never anything we did not start
    for (ProcessHandle h : family) {
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
    deleteQuietly(dataDir);
  }

  private String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no hub log: " + e.getMessage() + ")";
    }
  }

  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException ignored) {
          // best effort: a temp dir
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
