package vn.onewindow.common.config;

/** {@code url} is empty when an embedded server must be started for this process. */
public record PostgresConfig(String url, int poolSize, boolean migrate) {

  public static PostgresConfig from(Settings s) {
    String url = s.string("postgres.url");
    if (!url.isEmpty() && !url.matches("postgres(ql)?://.+")) {
      throw s.invalid("postgres.url", Secrets.maskUrl(url), "must be empty (embedded) or a postgresql:// URL");
    }
    return new PostgresConfig(url, s.intIn("postgres.pool-size", 1, 256), s.bool("postgres.migrate"));
  }

  public boolean embedded() {
    return url.isEmpty();
  }

  public PostgresConfig withPoolSize(int size) {
    return new PostgresConfig(url, size, migrate);
  }

  public PostgresConfig withUrl(String url) {
    return new PostgresConfig(url, poolSize, migrate);
  }

  @Override
  public String toString() {
    return "PostgresConfig[url=" + Secrets.maskUrl(url) + ", poolSize=" + poolSize + ", migrate=" + migrate + "]";
  }
}
