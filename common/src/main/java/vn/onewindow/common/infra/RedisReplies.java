package vn.onewindow.common.infra;

import io.vertx.redis.client.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Shapes of Redis replies the hub reads in more than one place. */
public final class RedisReplies {
  private RedisReplies() {
  }

  /**
   * A flat field/value array (a stream entry's fields in XRANGE or XREADGROUP, HGETALL on RESP2) as a map in reply
   * order; a nil value is kept as null.
   */
  public static Map<String, String> pairs(Response flat) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      Response value = flat.get(i + 1);
      fields.put(flat.get(i).toString(), value == null ? null : value.toString());
    }
    return fields;
  }
}
