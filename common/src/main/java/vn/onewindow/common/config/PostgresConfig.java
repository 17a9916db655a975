package vn.onewindow.common.config;

import java.time.Duration;

/** {@code url} is empty when an embedded server must be started for this process. */
public record PostgresConfig(String url, int poolSize, int poolWaiting, Duration connectTimeout, boolean migrate) {

  public static PostgresConfig from(Settings s) {
    String url = s.string("postgres.url");
    if (!url.isEmpty() && !url.matches("postgres(ql)?://.+")) {
      throw s.invalid("postgres.url", Secrets.maskUrl(url), "must be empty (embedded) or a postgresql:// URL");
    }
    return new PostgresConfig(url, s.intIn("postgres.pool-size", 1, 256), s.intIn("postgres.pool-waiting", 1, 65_536),
        s.millis("postgres.connect-timeout-ms", 100, 60_000), s.bool("postgres.migrate"));
  }

  /** A configuration for tools and tests that only need the URL (one connection, default timeouts, no migration). */
  public static PostgresConfig of(String url) {
    return new PostgresConfig(url, 1, 4096, Duration.ofSeconds(5), false);
  }

  public boolean embedded() {
    return url.isEmpty();
  }

  public PostgresConfig withPoolSize(int size) {
    return new PostgresConfig(url, size, poolWaiting, connectTimeout, migrate);
  }

  public PostgresConfig withUrl(String url) {
    return new PostgresConfig(url, poolSize, poolWaiting, connectTimeout, migrate);
  }

  @Override
  public String toString() {
    return "PostgresConfig[url=" + Secrets.maskUrl(url) + ", poolSize=" + poolSize + ", poolWaiting=" + poolWaiting
        + ", connectTimeout=" + connectTimeout.toMillis() + "ms, migrate=" + migrate + "]";
  }
}
