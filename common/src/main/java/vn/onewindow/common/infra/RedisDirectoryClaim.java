package vn.onewindow.common.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This JVM's hold on the data directory of an embedded redis-server, and the clearing away of the server a killed
 * predecessor left behind.
 *
 * <p>A hub that is SIGKILLed (the OOM killer, kill -9) runs no shutdown hook: the redis-server it started lives on,
 * orphaned, on the embedded port, and every later start failed to bind it. The JVM that owns a directory holds a
 * lock on a file in it for its whole life; the kernel releases that lock the moment the JVM dies. So when the lock
 * can be taken and a redis-server whose {@code dir} is this very directory answers on the port, nobody alive owns
 * it: it is asked to SHUTDOWN (which flushes its append-only file: the dossiers it still queued are read back by
 * the server started next). A live hub on the same directory keeps its lock, and its server is never touched.
 */
final class RedisDirectoryClaim implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisDirectoryClaim.class);
  private static final String LOCK_FILE = "embedded-owner.lock";

  private final FileChannel channel;

  private RedisDirectoryClaim(FileChannel channel) {
    this.channel = channel;
  }

  /** Takes the directory for this JVM, or fails naming it when another running process holds it. */
  static RedisDirectoryClaim take(Path dir) throws IOException {
    FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;   // held by this very JVM (another EmbeddedServers on the same directory)
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException("the embedded redis-server of " + dir + " belongs to another running hub: "
          + "stop it, or give this one another embedded.data-dir and embedded.redis-port");
    }
    return new RedisDirectoryClaim(channel);
  }

  /**
   * Stops the redis-server answering on {@code port} if it serves {@code dir} (a dead hub's: this JVM holds the
   * directory's lock), and waits at most 10 s for the port to be free. Anything else on the port is left alone.
   */
  void stopOrphanOn(int port, Path dir) {
    String served;
    try {
      served = configDir(port);
    } catch (IOException nothingThere) {
      return;
    }
    if (served == null || !sameDirectory(Path.of(served), dir)) {
      LOG.warn("port {} is taken by a process that is not the redis-server of {}: left alone", port, dir);
      return;
    }
    LOG.warn("a redis-server of {} still runs on port {} (its hub was killed): shutting it down, its append-only "
        + "file flushed, before starting afresh", dir, port);
    try {
      command(port, "SHUTDOWN");
    } catch (IOException expected) {
      // the server closes the connection as it exits: no reply
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline && answers(port)) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    try {
      channel.close();   // releases the lock
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean sameDirectory(Path served, Path dir) {
    try {
      return Files.isSameFile(served, dir);
    } catch (IOException e) {
      return false;
    }
  }

  /** CONFIG GET dir of the Redis on {@code port}: its second bulk string, or null when it answered otherwise. */
  private static String configDir(int port) throws IOException {
    try (Socket socket = connect(port)) {
      socket.getOutputStream().write(resp("CONFIG", "GET", "dir"));
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      if (!"*2".equals(in.readLine())) {
        return null;
      }
      in.readLine();   // $3
      in.readLine();   // dir
      in.readLine();   // $<length>
      return in.readLine();
    }
  }

  private static void command(int port, String... parts) throws IOException {
    try (Socket socket = connect(port)) {
      socket.getOutputStream().write(resp(parts));
      socket.getInputStream().read();
    }
  }

  private static boolean answers(int port) {
    try (Socket ignored = connect(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(5000);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private static byte[] resp(String... parts) {
    StringBuilder sb = new StringBuilder("*").append(parts.length).append("\r\n");
    for (String p : parts) {
      sb.append('$').append(p.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(p).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
