package vn.onewindow.common.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * HEAD wherever GET is (RFC 9110, 9.1 and 9.3.2): the same route and handlers, so the same status and header fields
 * (401, ETag, Cache-Control...), and no body. Vert.x 5.0.10 gives neither half on its own: a route takes HEAD only
 * when told to, and for a HEAD request the response leaves Content-Length off (over HTTP/1.1 it computes it only for
 * other methods) while over HTTP/2 it still sends the body's DATA frames. Hence the two halves here: the routes, and
 * {@link #end}, which every answer of a GET route goes through.
 */
public final class HeadRequests {
  private HeadRequests() {
  }

  /** Adds HEAD to every route of {@code router} that takes GET. Call it once, after the router's last GET route. */
  public static void onEveryGetRoute(Router router) {
    for (Route route : router.getRoutes()) {
      Set<HttpMethod> methods = route.methods();
      if (methods != null && methods.contains(HttpMethod.GET)) {
        route.method(HttpMethod.HEAD);
      }
    }
  }

  /** Ends the response with {@code body}; a HEAD request gets the Content-Length of that body and no body. */
  public static Future<Void> end(RoutingContext ctx, String body) {
    if (ctx.request().method() != HttpMethod.HEAD) {
      return ctx.response().end(body);
    }
    // end(String) writes UTF-8
    return endHead(ctx.response(), body.getBytes(StandardCharsets.UTF_8).length);
  }

  /** As {@link #end(RoutingContext, String)}, for a body already in bytes. */
  public static Future<Void> end(RoutingContext ctx, Buffer body) {
    return ctx.request().method() != HttpMethod.HEAD ? ctx.response().end(body) : endHead(ctx.response(), body.length());
  }

  private static Future<Void> endHead(HttpServerResponse response, int length) {
    return response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(length)).end();
  }
}
