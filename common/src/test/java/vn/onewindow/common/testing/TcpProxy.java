package vn.onewindow.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A TCP forwarder in front of a real server (PostgreSQL, Redis), so a test can make it unreachable (connections
 * reset, new ones refused), slow (a delay before every forwarded chunk) or silent (connections that stay open and
 * carry nothing any more, as when the peer vanished without FIN or RST), and bring it back on the same address,
 * without touching the server itself.
 */
public final class TcpProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;
  /** The thread accepting on {@link #server}, null while down. */
  private Thread acceptor;
  /** Bound at construction, so no other process (another build on this machine) can take the port before up(). */
  private ServerSocket reserved;
  private volatile long delayMillis;
  /** A connection whose client sends these bytes goes silent from then on (null: none). */
  private volatile byte[] silenceOn;
  /** New connections are silent from the start (a server that accepts and never answers). */
  private volatile boolean silenceNew;

  /** One forwarded connection; once silent, nothing is forwarded either way and nothing is closed. */
  private static final class Link {
    private final Socket client;
    private volatile boolean silent;

    Link(Socket client) {
      this.client = client;
    }
  }

  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    try {
      // not bind(0): down() frees the port until up() binds it again, and an ephemeral one may be taken meanwhile
      reserved = TestServers.listenBelowEphemeralRange();
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
    acceptor = new Thread(() -> accept(s), "tcp-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Every chunk forwarded from now on waits this long first (0 = no delay): a slow upstream. */
  public void delay(long millis) {
    delayMillis = millis;
  }

  /**
   * Every connection open now goes silent: what either side sends is read and dropped, and nothing is closed (no FIN,
   * no RST), as when the peer vanished or a NAT forgot the connection. New connections are forwarded as usual.
   */
  public void blackHole() {
    links.forEach(l -> l.silent = true);
  }

  /**
   * From now on, a connection whose client sends {@code marker} (a command name, say; ASCII, in any case: clients
   * send Redis commands in lower case) goes silent as in
   * {@link #blackHole}, that chunk dropped: a server that never answers that command. Null forwards everything again
   * (connections already silent stay so).
   */
  public void blackHoleOn(String marker) {
    silenceOn = marker == null ? null : marker.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * Whether connections opened from now on are silent from their first byte (true: a server that accepts connections
   * and never answers on them) or forwarded as usual (false; connections already silent stay so).
   */
  public void silenceNewConnections(boolean silent) {
    silenceNew = silent;
  }

  /** Silent connections whose client has not closed them yet. */
  public long silentConnections() {
    return links.stream().filter(l -> l.silent && !l.client.isClosed()).count();
  }

  /**
   * Refuses new connections and resets every open one. Returns once the listening socket is gone: the kernel keeps a
   * socket listening until the accept() a thread is blocked in returns, however soon Java's close() returns, and an
   * up() in that moment met "Address already in use" (RateLimiterFallbackTest, on a busy box with two test JVMs).
   */
  public void down() {
    Thread accepting;
    synchronized (this) {
      ServerSocket s = server;
      server = null;
      closeQuietly(s);
      sockets.forEach(TcpProxy::closeQuietly);
      sockets.clear();
      links.clear();
      accepting = acceptor;
      acceptor = null;
    }
    // outside the lock: the acceptor may be waiting for it, with a connection it will close on seeing the proxy down
    if (accepting != null) {
      try {
        accepting.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
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
      Link link = new Link(client);
      link.silent = silenceNew;
      links.add(link);
      pump(client, upstream, link, true);
      pump(upstream, client, link, false);
    }
  }

  private void pump(Socket from, Socket to, Link link, boolean fromClient) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      byte[] tail = new byte[0];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          byte[] marker = silenceOn;
          if (fromClient && marker != null && !link.silent) {
            // the marker may straddle two reads: search the end of the previous one too
            byte[] seen = new byte[tail.length + n];
            System.arraycopy(tail, 0, seen, 0, tail.length);
            System.arraycopy(buffer, 0, seen, tail.length, n);
            link.silent = indexOf(seen, marker) >= 0;
            tail = java.util.Arrays.copyOfRange(seen, Math.max(0, seen.length - marker.length + 1), seen.length);
          }
          if (link.silent) {
            continue;
          }
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

  private static int indexOf(byte[] data, byte[] marker) {
    outer:
    for (int i = 0; i + marker.length <= data.length; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (Character.toLowerCase(data[i + j]) != Character.toLowerCase(marker[j])) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
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
  public void close() {
    synchronized (this) {
      closeQuietly(reserved);
      reserved = null;
    }
    down();
  }
}
