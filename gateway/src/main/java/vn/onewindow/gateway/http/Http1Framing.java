package vn.onewindow.gateway.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * HTTP/1 framing that Vert.x 5 answers by itself, below every hook it offers, brought back to the router's
 * problem+json answers. A Netty handler in front of Vert.x's own on each HTTP/1 connection, because no supported hook
 * reaches either case (read in vertx-core 5.0.10):
 * <ul>
 *   <li>A request line naming a version other than HTTP/1.0 or HTTP/1.1 (HTTP/1.2, HTTP/2.0, http/1.1...) decodes
 *   without error, so it never reaches {@code invalidRequestHandler}; {@code Http1xServerRequestHandler} answers it a
 *   bare 501, before the router, on a status line echoing the client's version, and counts a 5xx that pages on-call.
 *   Here it becomes a request the codec failed (an HTTP/1.1 one, Connection: close), which Vert.x hands to the
 *   invalidRequestHandler and the router; {@link #refuseUnsupportedVersion} answers it 400 naming the version.</li>
 *   <li>A body the codec cannot read (a chunk size that is not hexadecimal): Vert.x fails the connection
 *   ({@code VertxHandler.exceptionCaught}), the router writes its 400 meanwhile, and the channel is closed at once,
 *   past Vert.x's own flush-before-close, dropping the answer unsent. Here that close waits for the answer.</li>
 * </ul>
 * After either, and after any request the codec failed, the connection ends with a lingering close (RFC 9112 9.6):
 * the answer flushed, the sending side shut (FIN), what the client still sends discarded, the channel closed when the
 * client closes or {@link UnreadBodies#LINGER_MS} later. Closing over unread bytes makes the kernel send a reset,
 * which can destroy the answer on its way to the client (UnreadBodies).
 */
public final class Http1Framing extends ChannelDuplexHandler {
  private static final String NAME = "hub-http1-framing";
  /** A version short enough to be named back in the problem's detail. */
  private static final Pattern NAMEABLE = Pattern.compile("[A-Z]{1,8}/\\d{1,3}\\.\\d{1,3}");

  /** A request the codec (or this handler) failed went by: the close that follows lingers. */
  private boolean failedRequest;
  /** The close has begun: whatever arrives is discarded. */
  private boolean closing;

  private Http1Framing() {
  }

  /**
   * For {@code HttpServer#connectionHandler}: on an HTTP/1 connection, puts the handler in front of Vert.x's own
   * ("handler"); over HTTP/2 nothing. Vert.x exposes no pipeline on its public API: its connection class is cast to.
   */
  public static void install(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
      if (pipeline.get("httpDecoder") != null && pipeline.get(NAME) == null) {
        pipeline.addBefore("handler", NAME, new Http1Framing());
      }
    }
  }

  /**
   * Why an HTTP/1 request's Host is refused, or null (HTTP/2 has none to check): RFC 9112 3.2, exactly one in HTTP/1.1,
   * and never more than one in any request (HTTP/1.0 may have none). Two let a proxy in front route on one while this
   * server reads the other; none, Vert.x Web's router answers 400 itself before any route
   * ({@link Problems#respondToStatus} names it with this).
   */
  public static String hostRefusal(HttpServerRequest request) {
    // Vert.x's own HttpVersion: Netty's is the one imported here
    io.vertx.core.http.HttpVersion version = request.version();
    if (version == io.vertx.core.http.HttpVersion.HTTP_2) {
      return null;
    }
    int hosts = request.headers().getAll(HttpHeaders.HOST).size();
    if (hosts == 1 && version == io.vertx.core.http.HttpVersion.HTTP_1_1 && request.authority() == null) {
      // Vert.x Web's router refuses it before any route (an HTTP/1.0 one it serves)
      return "the Host header is not a host name or address with an optional port (RFC 9112 3.2)";
    }
    return hosts == 1 || hosts == 0 && version != io.vertx.core.http.HttpVersion.HTTP_1_1 ? null
        : "an HTTP/1.1 request carries exactly one Host header, an HTTP/1.0 one at most one; this one has " + hosts;
  }

  /** Router step, before the edge's request limits: a refused HTTP version is a 400 that names it. */
  public static void refuseUnsupportedVersion(RoutingContext ctx) {
    DecoderResult decoded = ctx.request().decoderResult();
    if (decoded != null && decoded.cause() instanceof UnsupportedVersion refused) {
      ctx.fail(HttpFailure.malformed(refused.getMessage()));
    } else {
      ctx.next();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()
        && request.protocolVersion() != HttpVersion.HTTP_1_1 && request.protocolVersion() != HttpVersion.HTTP_1_0) {
      msg = refused(request);
    }
    if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
      failedRequest = true;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (!failedRequest || closing) {
      ctx.close(promise);
      return;
    }
    closing = true;
    ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
    ScheduledFuture<?> linger = ctx.executor().schedule(() -> ctx.close(), UnreadBodies.LINGER_MS,
        TimeUnit.MILLISECONDS);
    ctx.channel().closeFuture().addListener(closed -> linger.cancel(false));
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(flushed -> {
      if (flushed.isSuccess() && ctx.channel() instanceof DuplexChannel socket
          && ctx.pipeline().get(SslHandler.class) == null) {
        socket.shutdownOutput();
      } else {
        // TLS: a bare FIN would truncate the TLS stream; closed after the flush, as Vert.x closes
        ctx.close();
      }
    });
  }

  /**
   * The request as one the codec failed: HTTP/1.1 (the answer's status line is one) with Connection: close (Vert.x
   * then reads no request pipelined behind it), its method, target and headers kept for the router.
   */
  private static HttpRequest refused(HttpRequest request) {
    String version = request.protocolVersion().text();
    HttpRequest failed = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(),
        request.headers());
    failed.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    failed.setDecoderResult(DecoderResult.failure(new UnsupportedVersion(
        version.equals("HTTP/1.1") || version.equals("HTTP/1.0")
            ? "the request line's HTTP version must be written exactly HTTP/1.1 or HTTP/1.0 (capitals, one digit each)"
            : "the request line names " + (NAMEABLE.matcher(version).matches() ? version : "an HTTP version")
                + ", which the hub does not read: send HTTP/1.1 (HTTP/2 is negotiated, never named in a request line)")));
    return failed;
  }

  /** The decoder-result cause of a refused version; its message is the problem's detail. */
  static final class UnsupportedVersion extends RuntimeException {
    UnsupportedVersion(String detail) {
      super(detail, null, false, false);
    }
  }
}
