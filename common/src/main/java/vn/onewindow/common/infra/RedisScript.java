package vn.onewindow.common.infra;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A Lua script run atomically by Redis: EVALSHA, falling back to EVAL when the server's script cache does not
 * have it yet (first call, or after a Redis restart).
 */
public final class RedisScript {
  private final String source;
  private final String sha1;

  private RedisScript(String source) {
    this.source = source;
    this.sha1 = Digests.hex("SHA-1", source.getBytes(StandardCharsets.UTF_8));
  }

  /** A script made of one or more classpath resources, concatenated (shared Lua functions first). */
  public static RedisScript fromResources(String... resources) {
    StringBuilder source = new StringBuilder();
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

  public Future<Response> run(Redis redis, List<String> keys, List<String> args) {
    return redis.send(request(Command.EVALSHA, sha1, keys, args))
        .recover(err -> RedisErrors.is(err, "NOSCRIPT")
            ? redis.send(request(Command.EVAL, source, keys, args))
            : Future.failedFuture(err));
  }

  private static Request request(Command command, String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }
}
