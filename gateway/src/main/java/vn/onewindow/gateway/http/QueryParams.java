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

  /**
   * A page's {@code limit}, given at most once: ASCII digits from 1 to {@code max} (at most 4 digits;
   * Integer.parseInt alone would also take "+5" and other scripts' digits), {@code defaultLimit} when absent; anything
   * else is a 400 naming the range.
   */
  public static int limit(RoutingContext ctx, int defaultLimit, int max) {
    String raw = single(ctx, "limit");
    if (raw == null) {
      return defaultLimit;
    }
    if (raw.matches("[1-9]\\d{0,3}") && Integer.parseInt(raw) <= max) {
      return Integer.parseInt(raw);
    }
    throw HttpFailure.malformed("limit must be a whole number from 1 to " + max + " (default " + defaultLimit + ")");
  }

  /** The largest {@code offset}: 9 digits, so that offset + limit stays an int. */
  public static final int MAX_OFFSET = 999_999_999;

  /**
   * A page's {@code offset} (how many entries precede it), given at most once: ASCII digits without a leading zero,
   * from 0 to {@link #MAX_OFFSET}, 0 when absent; anything else is a 400 naming the range. Past the end is not an
   * error here: the caller answers an empty page.
   */
  public static int offset(RoutingContext ctx) {
    String raw = single(ctx, "offset");
    if (raw == null) {
      return 0;
    }
    if (raw.matches("0|[1-9]\\d{0,8}")) {
      return Integer.parseInt(raw);
    }
    throw HttpFailure.malformed("offset must be a whole number from 0 to " + MAX_OFFSET + " (default 0)");
  }
}
