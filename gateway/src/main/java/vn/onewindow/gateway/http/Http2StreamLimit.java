package vn.onewindow.gateway.http;

import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * SETTINGS_MAX_CONCURRENT_STREAMS held from an HTTP/2 connection's first stream. Netty applies the limit the server
 * advertises only when the client acknowledges its SETTINGS ({@code DefaultHttp2ConnectionDecoder.applyLocalSettings}
 * in the Netty 4.2 that Vert.x 5.0.10 ships): a client that never sends that ACK opened as many streams as it sent
 * HEADERS (a connection-abuse tryout: 4 connections of 5,000 submissions each, their bodies never sent, held 95 MB of
 * live heap until their request deadline, and readiness checks timed out meanwhile). Streams past the limit are refused
 * with REFUSED_STREAM, which tells the client nothing was processed (RFC 9113 8.7), and count toward the reset flood
 * limit Vert.x sets (200 in 30 s, then GOAWAY). At the default of 100 a well-behaved client is never refused: before
 * the server's SETTINGS it opens 100 streams at most (RFC 9113 5.1.2's recommended minimum, which clients assume), and
 * after them it keeps to what the server advertised, this same limit. Set below 100, a client that opens more before
 * reading the SETTINGS gets REFUSED_STREAM for the surplus (safe to retry), and GOAWAY after 200 of them.
 */
public final class Http2StreamLimit {
  private Http2StreamLimit() {
  }

  /**
   * For {@code HttpServer#connectionHandler}: Vert.x calls it for an HTTP/2 connection while reading the client's
   * first SETTINGS frame, which must precede any stream (RFC 9113 3.4), so the limit is in place for the first HEADERS.
   * Over HTTP/1 nothing. Vert.x exposes no pipeline on its public API: its connection class is cast to.
   */
  public static void install(HttpConnection connection, int maxConcurrentStreams) {
    if (connection instanceof ConnectionBase base) {
      Http2ConnectionHandler http2 = base.channelHandlerContext().pipeline().get(Http2ConnectionHandler.class);
      if (http2 != null) {
        http2.connection().remote().maxActiveStreams(maxConcurrentStreams);
      }
    }
  }
}
