package vn.onewindow.common.http;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One listener's bound on its open connections, in its listening socket's pipeline: it sees each accepted connection
 * before Netty's acceptor registers it with an event loop, so before any byte of it is read, whichever protocol and
 * whichever of the verticle instances sharing the port gets it. A connection past the bound never reaches the acceptor
 * (nor Vert.x): on a plain-HTTP listener it is answered a fixed 503 ({@link OverLimitAnswer}) while few enough are
 * being answered so; otherwise (TLS, or that budget spent) it is reset there and then, its descriptor freed at once,
 * never read. The others go on to the acceptor, with the {@link Http2HeadClock} when the listener has one. A reset, not
 * an end of stream: a plain close sent a FIN before any byte of an answer, and Node 20's {@code fetch} waited on such a
 * connection, neither settled nor retried after 40 s, where a reset fails it at once ({@code ConnectionLimitTest}).
 * <p>
 * Counted exactly once each way: up here, on the acceptor's thread (the only one that counts up, so a check then an
 * increment cannot overshoot), down when the connection's close completes, on its event loop, whoever closed it. The
 * one close that does not complete its future is Netty's forced close of a connection whose registration failed, as
 * the event loops shut down: the process is ending then.
 */
final class ConnectionCap extends ChannelInboundHandlerAdapter {
  private final int limit;
  private final AtomicInteger open = new AtomicInteger();
  /** Every listener's open connections together: the process's gauge. */
  private final AtomicInteger processOpen;
  private final Counter reset;
  private final OverLimitAnswer answer;
  private final Http2HeadClock clock;

  /**
   * {@code answer}: null on a TLS listener (every connection past the bound reset); {@code clock}: null when the
   * listener has no idle timeout.
   */
  ConnectionCap(int limit, AtomicInteger processOpen, Counter reset, OverLimitAnswer answer, Http2HeadClock clock) {
    this.limit = limit;
    this.processOpen = processOpen;
    this.reset = reset;
    this.answer = answer;
    this.clock = clock;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (clock != null) {
      ctx.channel().closeFuture().addListener(closed -> clock.stop());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel connection = (Channel) msg;
    if (open.get() >= limit) {
      if (answer != null && answer.answer(connection)) {
        return;
      }
      reset.increment();
      // not registered with any event loop yet: what Netty's acceptor itself does with a connection it cannot take,
      // with a linger of 0 so that the close is a reset
      connection.config().setOption(ChannelOption.SO_LINGER, 0);
      connection.unsafe().closeForcibly();
      return;
    }
    open.incrementAndGet();
    processOpen.incrementAndGet();
    connection.closeFuture().addListener(closed -> {
      open.decrementAndGet();
      processOpen.decrementAndGet();
    });
    if (clock != null) {
      connection.pipeline().addLast(clock.watcher());
    }
    ctx.fireChannelRead(connection);
  }

  /** This listener's open connections. */
  int open() {
    return open.get();
  }
}
