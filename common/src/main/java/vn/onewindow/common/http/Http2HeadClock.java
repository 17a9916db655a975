package vn.onewindow.common.http;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 connection that has no stream open and has not opened one for the listener's idle timeout is closed
 * (GOAWAY, then the close): the HTTP/1 rule, where the idle clock sits behind the decoder and a request head's bytes do
 * not reset it until the head is whole. Over HTTP/2 Vert.x's idle clock sits in front of the decoder: every byte of a
 * HEADERS or CONTINUATION frame trickled a byte at a time, or of the client's first SETTINGS (before which Vert.x
 * does not even call the connection handler), reset it, and such a connection was held for good. Netty creates a
 * stream only once its header block is whole, so streams are what count here: one opened since the last look, or one
 * still open (a body arriving slowly: the request deadline answers it 408), keeps the connection; PINGs, SETTINGS and
 * header fragments do not. A client that opens a stream now and then keeps its connection as long as it likes.
 * <p>
 * Cheap at scale: no timer per connection, but one look a second per event loop over the connections it serves, each
 * look a few field reads. HTTP/1 connections, and those whose protocol is not known yet, are passed over: the HTTP/1
 * decoder, Vert.x's h2c preface detection (in front of the idle clock, so its buffered bytes do not reset it) and the
 * TLS handshake timeout bound those. The clock runs from the connection's accept, so a connection is closed at most a
 * second past its idle timeout.
 */
final class Http2HeadClock {
  private static final long LOOK_EVERY_MS = 1000;

  private final long idleNanos;
  private final Counter closed;
  private final Map<EventLoop, Loop> loops = new ConcurrentHashMap<>();
  private final ChannelHandler watcher = new Watcher();

  Http2HeadClock(Duration idleTimeout, Counter closed) {
    this.idleNanos = idleTimeout.toNanos();
    this.closed = closed;
  }

  /** For an accepted connection's pipeline: once it is registered, its event loop's look covers it. */
  ChannelHandler watcher() {
    return watcher;
  }

  /** The listener closed: its looks stop. */
  void stop() {
    loops.values().forEach(loop -> loop.looks.cancel(false));
    loops.clear();
  }

  /** Runs once, on the connection's event loop when it registers, then leaves the pipeline. */
  @ChannelHandler.Sharable
  private final class Watcher extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      Channel connection = ctx.channel();
      Loop loop = loops.computeIfAbsent(connection.eventLoop(), Loop::new);
      Watched watched = new Watched(System.nanoTime());
      loop.connections.put(connection, watched);
      connection.closeFuture().addListener(done -> loop.connections.remove(connection));
      ctx.pipeline().remove(this);
    }
  }

  /** One event loop's connections of this listener; touched on that loop's thread only. */
  private final class Loop {
    private final Map<Channel, Watched> connections = new HashMap<>();
    private final ScheduledFuture<?> looks;

    Loop(EventLoop eventLoop) {
      looks = eventLoop.scheduleAtFixedRate(this::look, LOOK_EVERY_MS, LOOK_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    private void look() {
      long now = System.nanoTime();
      List<Channel> idle = new ArrayList<>();
      connections.forEach((connection, watched) -> {
        if (watched.idleSince(connection, now) >= idleNanos) {
          idle.add(connection);
        }
      });
      // closed outside the iteration: a close removes its connection from the map
      for (Channel connection : idle) {
        closed.increment();
        connection.close();
      }
    }
  }

  /** What the last look saw of one connection. */
  private static final class Watched {
    private long busyAt;
    private int lastStream;
    private Http2ConnectionHandler http2;

    Watched(long openedAt) {
      busyAt = openedAt;
    }

    /** Nanoseconds since the connection last had a stream open or opened one; 0 over HTTP/1 or before a protocol. */
    long idleSince(Channel connection, long now) {
      if (http2 == null) {
        http2 = connection.pipeline().get(Http2ConnectionHandler.class);
        if (http2 == null) {
          return 0;
        }
      }
      Http2Connection state = http2.connection();
      int last = state.remote().lastStreamCreated();
      if (last != lastStream || state.numActiveStreams() > 0) {
        lastStream = last;
        busyAt = now;
      }
      return now - busyAt;
    }
  }
}
