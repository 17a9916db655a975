package vn.onewindow.common.config;

/** {@code url} is empty when an embedded server must be started for this process. */
public record RedisConfig(String url, String keyPrefix, int poolSize, int poolWaiting) {

  public static RedisConfig from(Settings s) {
    String url = s.string("redis.url");
    if (!url.isEmpty() && !url.matches("rediss?://.+")) {
      throw s.invalid("redis.url", Secrets.maskUrl(url), "must be empty (embedded) or a redis:// or rediss:// URL");
    }
    String prefix = s.string("redis.key-prefix");
    if (prefix.contains(" ") || prefix.length() > 64) {
      throw s.invalid("redis.key-prefix", prefix, "must have no spaces and at most 64 characters");
    }
    return new RedisConfig(url, prefix, s.intIn("redis.pool-size", 1, 1024), s.intIn("redis.pool-waiting", 1, 1_000_000));
  }

  public boolean embedded() {
    return url.isEmpty();
  }

  public RedisConfig withUrl(String url) {
    return new RedisConfig(url, keyPrefix, poolSize, poolWaiting);
  }

  public RedisConfig withPoolSize(int size) {
    return new RedisConfig(url, keyPrefix, size, poolWaiting);
  }

  public RedisConfig withKeyPrefix(String prefix) {
    return new RedisConfig(url, prefix, poolSize, poolWaiting);
  }

  @Override
  public String toString() {
    return "RedisConfig[url=" + Secrets.maskUrl(url) + ", keyPrefix=" + keyPrefix + ", poolSize=" + poolSize + "]";
  }
}
