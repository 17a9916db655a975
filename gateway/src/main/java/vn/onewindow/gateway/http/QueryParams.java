package vn.onewindow.gateway.http;

import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Query parameters of the API's GET routes. */
public final class QueryParams {
  private QueryParams() {
  }

  /** A query parameter given at most once (null when absent); repeating it is a 400, not a silent pick. */
  public static String single(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    if (values.size() > 1) {
      throw HttpFailure.malformed(name + " may be given once");
    }
    return values.isEmpty() ? null : values.get(0);
  }
}
