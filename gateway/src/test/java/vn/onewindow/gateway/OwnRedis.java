package vn.onewindow.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.infra.EmbeddedServers;
import vn.onewindow.common.testing.TestServers;

/**
 * A redis-server of one test's own (not durable, on a free port), for tests that stop it, restart it or change its
 * configuration: the shared test server is never touched.
 */
final class OwnRedis implements AutoCloseable {
  private final EmbeddedServers servers = new EmbeddedServers();
  private final int port = TestServers.freePort();
  private final Path dir;
  private final String url;

  OwnRedis(String name) throws IOException {
    this.dir = Files.createTempDirectory(name);
    this.url = servers.startRedis(dir, port, false);
  }

  String url() {
    return url;
  }

  int port() {
    return port;
  }

  /** Makes it a replica of {@code master}. */
  void replicaOf(OwnRedis master) {
    command("REPLICAOF", "127.0.0.1", Integer.toString(master.port));
  }

  /**
   * SIGSTOPs the server (it keeps its sockets and answers nothing: a replica that stops acknowledging); closing the
   * returned handle SIGCONTs it.
   */
  AutoCloseable freeze() throws IOException, InterruptedException {
    long pid = processId();
    signal("-STOP", pid);
    return () -> signal("-CONT", pid);
  }

  /** The server's process id, from its INFO (its command line, renamed "<binary> 127.0.0.1:<port>", is not read). */
  private long processId() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("INFO server\r\n".getBytes(StandardCharsets.US_ASCII));
      BufferedReader reply =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      for (String line = reply.readLine(); line != null; line = reply.readLine()) {
        if (line.startsWith("process_id:")) {
          return Long.parseLong(line.substring("process_id:".length()).trim());
        }
      }
      throw new IllegalStateException("no process_id in the INFO of the redis-server on port " + port);
    }
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).inheritIO().start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill " + signal + " " + pid + " failed");
    }
  }

  void stop() {
    servers.stopRedis();
  }

  /** Starts it again on the same port. */
  void restart() {
    servers.startRedis(dir, port, false);
  }

  /** One command over a plain socket; the first line of the reply. */
  String command(String... parts) {
    return TestServers.redisCommand("127.0.0.1", port, parts);
  }

  @Override
  public void close() {
    servers.close();
  }
}
