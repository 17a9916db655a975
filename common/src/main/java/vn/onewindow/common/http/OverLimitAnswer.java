package vn.onewindow.common.http;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a plain-HTTP listener answers a connection past its bound ({@link ConnectionCap}): a fixed HTTP/1.1 503
 * overloaded problem with {@code Retry-After}, encoded once, written as soon as the connection is registered, before
 * any byte of it is read or parsed, so that overload is a fast 503 the client may retry, never a timeout, and a proxy
 * in front passes it on where it turned a reset into its own 502. The connection never reaches Vert.x's HTTP pipeline:
 * it is registered with one of the listener's event loops with this handler alone.
 * <p>
 * After the answer the sending side is shut (FIN) and what the client sends is read and discarded until it closes or
 * {@link #LINGER_MS} pass: closing over unread bytes (the request, arriving after the answer left) makes the kernel
 * send a reset, which can destroy the answer before the client reads it. An HTTP/2 client with prior knowledge (h2c)
 * cannot read an HTTP/1.1 answer: it fails at once, as it did on the reset.
 * <p>
 * A connection answered so holds a descriptor and a little memory for up to {@link #LINGER_MS}: at most
 * {@link #budget} of them at once per listener, counted apart from the bound's connections; past that a connection is
 * reset, unread, as a TLS listener's always are (its handshake would cost more than the refusal).
 */
final class OverLimitAnswer {
  /** How long the client gets to read the answer and close before the connection is closed. */
  static final long LINGER_MS = 2000;
  /** The most connections a listener answers so at once, whatever its bound. */
  private static final int MOST_ANSWERING = 256;
  /** RFC 9457 {@code type}: the gateway's {@code Problem.OVERLOADED}, whose type URI its test compares. */
  static final String TYPE = "https://hub.onewindow.gov.vn/problems/overloaded";
  private static final byte[] ANSWER = encoded();

  private final int budget;
  private final AtomicInteger answering = new AtomicInteger();
  private final EventLoopGroup loops;
  private final Counter answered;

  /** {@code loops}: the listener's own (its connections'); {@code limit}: its bound. */
  OverLimitAnswer(int limit, EventLoopGroup loops, Counter answered) {
    this.budget = budget(limit);
    this.loops = loops;
    this.answered = answered;
  }

  /** An eighth of the bound, at least 1, at most {@link #MOST_ANSWERING}. */
  static int budget(int limit) {
    return Math.max(1, Math.min(MOST_ANSWERING, limit / 8));
  }

  /**
   * On the acceptor's thread (the only one that counts up), for a connection not yet registered: true when it is being
   * answered, false when it is the caller's to reset (the budget spent, or no event loop left: the listener closing).
   */
  boolean answer(Channel connection) {
    if (answering.get() >= budget) {
      return false;
    }
    EventLoop loop;
    try {
      loop = loops.next();
    } catch (IllegalStateException noLoopLeft) {
      return false;
    }
    answering.incrementAndGet();
    answered.increment();
    connection.closeFuture().addListener(closed -> answering.decrementAndGet());
    connection.pipeline().addLast(new Answering());
    loop.register(connection).addListener(registered -> {
      if (!registered.isSuccess()) {
        connection.unsafe().closeForcibly();
      }
    });
    return true;
  }

  private static byte[] encoded() {
    String body = "{\"type\":\"" + TYPE + "\",\"title\":\"Service overloaded\",\"status\":503,\"detail\":\"this instance"
        + " has as many open connections as it allows; the request was not read and nothing was queued: retry"
        + " shortly\"}";
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 503 Service Unavailable\r\n"
        + "Content-Type: application/problem+json\r\n"
        + "Content-Length: " + bodyBytes.length + "\r\n"
        + "Retry-After: 1\r\n"
        + "Cache-Control: no-store\r\n"
        + "Connection: close\r\n"
        + "\r\n";
    return (head + body).getBytes(StandardCharsets.UTF_8);
  }

  /** The connection's only handler: the answer, the FIN, then every byte discarded until the close. */
  private static final class Answering extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ScheduledFuture<?> linger = ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
      ctx.channel().closeFuture().addListener(closed -> linger.cancel(false));
      ctx.writeAndFlush(Unpooled.wrappedBuffer(ANSWER)).addListener(written -> {
        if (written.isSuccess() && ctx.channel() instanceof DuplexChannel socket) {
          socket.shutdownOutput();
        } else {
          ctx.close();
        }
      });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // a reset by the client, mostly: nothing to tell anyone
      ctx.close();
    }
  }
}
