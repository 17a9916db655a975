package vn.onewindow.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder in front of a real server (PostgreSQL, Redis), so a test can make it unreachable (connections
 * reset, new ones refused) or slow (a delay before every forwarded chunk), and bring it back on the same address,
 * without touching the server itself.
 */
public final class TcpProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;
  /** Bound at construction, so no other process (another build on this machine) can take the port before up(). */
  private ServerSocket reserved;
  private volatile long delayMillis;

  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    try {
      reserved = new ServerSocket();
      reserved.setReuseAddress(true);
      reserved.bind(new InetSocketAddress("127.0.0.1", 0));
    } catch (IOException e) {
      throw new IllegalStateException("TCP proxy to " + targetHost + ":" + targetPort + " found no free port", e);
    }
    this.port = reserved.getLocalPort();
  }

  public int port() {
    return port;
  }

  public synchronized void up() throws IOException {
    ServerSocket s = reserved != null ? reserved : new ServerSocket();
    if (reserved == null) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", port));
    }
    reserved = null;
    server = s;
    Thread acceptor = new Thread(() -> accept(s), "tcp-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Every chunk forwarded from now on waits this long first (0 = no delay): a slow upstream. */
  public void delay(long millis) {
    delayMillis = millis;
  }

  /** Refuses new connections and resets every open one. */
  public synchronized void down() {
    ServerSocket s = server;
    server = null;
    closeQuietly(s);
    sockets.forEach(TcpProxy::closeQuietly);
    sockets.clear();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        return;
      }
      Socket upstream;
      try {
        upstream = new Socket(targetHost, targetPort);
      } catch (IOException e) {
        // the upstream refused this one: the client sees its connection closed, the proxy keeps accepting
        closeQuietly(client);
        continue;
      }
      synchronized (this) {
        if (server != s) {
          // down() ran while this connection was being opened: it must not outlive it
          closeQuietly(client);
          closeQuietly(upstream);
          return;
        }
        sockets.add(client);
        sockets.add(upstream);
      }
      pump(client, upstream);
      pump(upstream, client);
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          long delay = delayMillis;
          if (delay > 0) {
            Thread.sleep(delay);
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // closed by down() or by either side
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  @Override
  public synchronized void close() {
    closeQuietly(reserved);
    reserved = null;
    down();
  }
}
