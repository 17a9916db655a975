package vn.onewindow.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * A request answered before its body was read (413, 400 for its framing...): over HTTP/1.x its connection cannot
 * carry another request, so the answer says {@code Connection: close}, what still arrives of the body is discarded,
 * never buffered, and the connection is shut down: Vert.x processes no further request on it (one pipelined behind
 * the refused one was served before: an edge tryout got a 202 for a request smuggled behind a refused
 * Transfer-Encoding), closes it once the body has ended, and at the latest a second after. Vert.x alone closed it
 * only when the body ended, so a client that never sent the rest held it until the idle timeout (security tryout).
 * Not closed at once: closing over unread bytes makes the kernel send a reset, which can destroy the answer on its
 * way to the client.
 */
public final class UnreadBodies {
  /** How long the client gets to read the answer before the connection is closed. */
  static final long LINGER_MS = 1000;

  private UnreadBodies() {
  }

  /**
   * A refusal answered before the body was read: the connection is closed after the answer when a body is still
   * unread; a request without a body, or whose body was read, keeps its connection for the next request. Call before
   * answering, while the request's body has not ended (from a step at the head, or mid-body): a request pipelined
   * behind one whose head Vert.x has already parsed would still be served. Nothing over HTTP/2 (a stream ends alone).
   */
  public static void closeIfBodyUnread(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!request.isEnded() && hasBody(request)) {
      closeAfterAnswer(ctx);
    }
  }

  /**
   * The connection is closed after the answer (a problem that ends it: 413, 408, shutting down), whatever arrives of
   * the body discarded meanwhile. Call before answering (a shutdown with no answer in progress closes at once).
   */
  public static void closeAfterAnswer(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.version() == HttpVersion.HTTP_2) {
      return;
    }
    sayClose(ctx);
    if (!request.isEnded()) {
      request.handler(ignored -> { }).resume();
    }
    request.connection().shutdown(LINGER_MS, TimeUnit.MILLISECONDS);
  }

  /** The answer says {@code Connection: close} (HTTP/1.x): the server closes the connection after it. */
  static void sayClose(RoutingContext ctx) {
    // when the head is written: Vert.x rewrites an HTTP/1.0 keep-alive answer's Connection header as it prepares it
    ctx.addHeadersEndHandler(head -> ctx.response().putHeader(HttpHeaders.CONNECTION, "close"));
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || length != null && !length.strip().equals("0");
  }
}
