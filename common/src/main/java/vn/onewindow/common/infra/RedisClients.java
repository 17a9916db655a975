package vn.onewindow.common.infra;

import io.vertx.core.Vertx;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import vn.onewindow.common.config.RedisConfig;

public final class RedisClients {
  private RedisClients() {
  }

  /**
   * A pooled client sized from config (the default pool of 6 fails under load). RESP2 is forced so stream replies
   * are plain arrays on both Redis 6.2 and 7.x rather than RESP3 maps whose shape differs between versions.
   * {@code poolName} names the client's pool in the metrics; it must come from a fixed set (the default is a
   * random UUID, an unbounded label).
   */
  public static Redis create(Vertx vertx, RedisConfig config, String poolName) {
    RedisOptions options = new RedisOptions()
        .setPoolName("redis-" + poolName)
        .setConnectionString(config.url())
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(config.poolWaiting())
        .setMaxWaitingHandlers(Math.max(2048, config.poolWaiting()))
        .setPreferredProtocolVersion(ProtocolVersion.RESP2);
    return Redis.createClient(vertx, options);
  }
}
