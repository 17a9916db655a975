package vn.onewindow.common.infra;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A Lua script run atomically by Redis: EVALSHA, falling back to EVAL when the server's script cache does not have
 * it (first call, a restart, or a replica promoted after a failover: the cache is not replicated). EVALSHA and EVAL
 * declare every key, so in cluster mode they go to the master of the keys' slot; the keys of one call must share a
 * hash tag. The same script and code run on Redis 6.2 (the embedded server) and 7.x, standalone or cluster.
 */
public final class RedisScript {
  /**
   * Pauses before each new attempt of a batch that met a moving or moved slot (1.27 s in all, as the client's own
   * TRYAGAIN backoff): a slot map reload is a round trip, a slot's migration (MIGRATE of its keys) a few ms to a few
   * hundred.
   */
  private static final long[] REDIRECT_PAUSES_MS = {10, 20, 40, 80, 160, 320, 640};
  private final String source;
  private final String sha1;

  private RedisScript(String source) {
    this.source = source;
    this.sha1 = Digests.hex("SHA-1", source.getBytes(StandardCharsets.UTF_8));
  }

  /** A script made of one or more classpath resources, concatenated (shared Lua functions first). */
  public static RedisScript fromResources(String... resources) {
    return fromResources(Map.of(), resources);
  }

  /**
   * The same, preceded by {@code local NAME = value} for each constant (a String, a Number, or a List of Strings as
   * a Lua table): names the Java side owns are rendered into the source once instead of being sent with every call.
   */
  public static RedisScript fromResources(Map<String, ?> constants, String... resources) {
    StringBuilder source = new StringBuilder();
    new TreeMap<>(constants).forEach((name, value) -> source.append("local ").append(name).append(" = ")
        .append(value instanceof List<?> list
            ? list.stream().map(item -> luaString(item.toString())).collect(Collectors.joining(", ", "{", "}"))
            : value instanceof Number ? value.toString() : luaString(value.toString()))
        .append('\n'));
    for (String resource : resources) {
      try (InputStream in = RedisScript.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("Lua script " + resource + " not found on the classpath");
        }
        source.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new RedisScript(source.toString());
  }

  private static String luaString(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
  }

  /** Runs the script; an argument is a String, or a byte[] sent as it is. */
  public Future<Response> run(Redis redis, List<String> keys, List<?> args) {
    return redis.send(request(Command.EVALSHA, sha1, keys, args))
        .recover(err -> RedisErrors.is(err, "NOSCRIPT")
            ? redis.send(request(Command.EVAL, source, keys, args))
            : Future.failedFuture(err));
  }

  /**
   * The script, then {@code after} on the same connection in one pipelined batch (WAIT must follow the write it
   * waits for on the connection that made it; in cluster mode a batch goes to the node of its keyed commands).
   * Returns every reply in order.
   *
   * <p>A batch that met a moving or moved slot (MOVED, ASK, TRYAGAIN, CLUSTERDOWN: the script did not run) is sent
   * again, after a pause of {@link #REDIRECT_PAUSES_MS}, up to that many times. vertx-redis-client 5.0.10 follows
   * redirects for single commands only (a batch's errors come back as {@code ERR [0] MOVED ...}, which its redirect
   * handling does not recognise), so first a keyed command of the script's slot lets the client follow the redirect
   * and invalidate its slot map; a long-lived connection reloads the map in the background and uses its old one
   * meanwhile, so the batch sent at once met the same MOVED (RedisScriptSlotMoveTest), and while a slot migrates only
   * its end lets the script's keys meet on one node. The caller's deadline still bounds the call.
   */
  public Future<List<Response>> runThen(Redis redis, List<String> keys, List<?> args, List<Request> after) {
    return runThen(redis, keys, args, after, 0);
  }

  private Future<List<Response>> runThen(Redis redis, List<String> keys, List<?> args, List<Request> after,
                                         int retried) {
    return runBatch(redis, keys, args, after)
        .recover(err -> !RedisErrors.redirected(err) || retried == REDIRECT_PAUSES_MS.length
            ? Future.failedFuture(err)
            : redis.send(Request.cmd(Command.EXISTS).arg(keys.get(0)))
                .transform(followed -> pause(REDIRECT_PAUSES_MS[retried]))
                .compose(paused -> runThen(redis, keys, args, after, retried + 1)));
  }

  /** A timer on the caller's context; none outside one (nothing to wait on there). */
  private static Future<Void> pause(long millis) {
    Context context = Vertx.currentContext();
    return context == null ? Future.succeededFuture() : context.owner().timer(millis).mapEmpty();
  }

  private Future<List<Response>> runBatch(Redis redis, List<String> keys, List<?> args, List<Request> after) {
    return redis.batch(batch(request(Command.EVALSHA, sha1, keys, args), after))
        .recover(err -> RedisErrors.has(err, "NOSCRIPT")
            ? redis.batch(batch(request(Command.EVAL, source, keys, args), after))
            : Future.failedFuture(err));
  }

  private static List<Request> batch(Request script, List<Request> after) {
    List<Request> all = new ArrayList<>(1 + after.size());
    all.add(script);
    all.addAll(after);
    return all;
  }

  private static Request request(Command command, String script, List<String> keys, List<?> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    for (Object arg : args) {
      if (arg instanceof byte[] bytes) {
        request.arg(bytes);
      } else {
        request.arg((String) arg);
      }
    }
    return request;
  }
}
