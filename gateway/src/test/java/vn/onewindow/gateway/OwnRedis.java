package vn.onewindow.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
