package vn.onewindow.common.config;

import java.time.Duration;
import vn.onewindow.common.infra.PostgresUrl;

/**
 * {@code url} is empty when an embedded server must be started for this process. {@code readUrl} names a streaming
 * replica for reads that tolerate lag (feeds, status look-ups); empty = the primary. {@code idleTimeout}: how long a
 * pooled connection of any of the pools may sit unused before the pool closes it (a surge's connections are given
 * back to PostgreSQL's max_connections).
 */
public record PostgresConfig(String url, int poolSize, int poolWaiting, Duration connectTimeout, boolean migrate,
                             String readUrl, int readPoolSize, int readPoolWaiting, int eventsPoolSize,
                             Duration idleTimeout) {
  /** The idle timeout of {@link #of}: the shipped default. */
  private static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  public static PostgresConfig from(Settings s) {
    String url = s.string("postgres.url");
    if (!url.isEmpty() && !url.matches("postgres(ql)?://.+")) {
      throw s.invalid("postgres.url", Secrets.maskUrl(url), "must be empty (embedded) or a postgresql:// URL");
    }
    String readUrl = s.string("postgres.read-url");
    if (!readUrl.isEmpty() && !readUrl.matches("postgres(ql)?://.+")) {
      throw s.invalid("postgres.read-url", Secrets.maskUrl(readUrl),
          "must be empty (the primary) or a postgresql:// URL");
    }
    honoured(s, "postgres.url", url);
    honoured(s, "postgres.read-url", readUrl);
    return new PostgresConfig(url, s.intIn("postgres.pool-size", 1, 256), s.intIn("postgres.pool-waiting", 1, 65_536),
        s.millis("postgres.connect-timeout-ms", 100, 60_000), s.bool("postgres.migrate"), readUrl,
        s.intIn("postgres.read-pool-size", 1, 256), s.intIn("postgres.read-pool-waiting", 1, 65_536),
        s.intIn("postgres.events-pool-size", 1, 256), s.millis("postgres.idle-timeout-ms", 1_000, 3_600_000));
  }

  /**
   * Refuses, at start, a URL with a parameter the hub would not honour on both of its clients (the pools, and
   * Flyway's JDBC connection) or a certificate or key file it cannot read: the message names the parameter (README,
   * postgres.url).
   */
  private static void honoured(Settings s, String key, String url) {
    if (url.isEmpty()) {
      return;
    }
    try {
      PostgresUrl.parse(url);
    } catch (IllegalArgumentException e) {
      throw s.invalid(key, Secrets.maskUrl(url), e.getMessage());
    }
  }

  /** A configuration for tools and tests that only need the URL (one connection, default timeouts, no migration). */
  public static PostgresConfig of(String url) {
    return new PostgresConfig(url, 1, 4096, Duration.ofSeconds(5), false, "", 1, 4096, 1, DEFAULT_IDLE_TIMEOUT);
  }

  public boolean embedded() {
    return url.isEmpty();
  }

  public PostgresConfig withPoolSize(int size) {
    return new PostgresConfig(url, size, poolWaiting, connectTimeout, migrate, readUrl, readPoolSize, readPoolWaiting,
        eventsPoolSize, idleTimeout);
  }

  public PostgresConfig withConnectTimeout(Duration timeout) {
    return new PostgresConfig(url, poolSize, poolWaiting, timeout, migrate, readUrl, readPoolSize, readPoolWaiting,
        eventsPoolSize, idleTimeout);
  }

  public PostgresConfig withIdleTimeout(Duration timeout) {
    return new PostgresConfig(url, poolSize, poolWaiting, connectTimeout, migrate, readUrl, readPoolSize,
        readPoolWaiting, eventsPoolSize, timeout);
  }

  public PostgresConfig withUrl(String url) {
    return new PostgresConfig(url, poolSize, poolWaiting, connectTimeout, migrate, readUrl, readPoolSize,
        readPoolWaiting, eventsPoolSize, idleTimeout);
  }

  /**
   * The pool of lag-tolerant reads (agency feed, change feed, status look-ups): the replica when one is set. Its wait
   * queue holds {@code readPoolWaiting}, not the writers' {@code poolWaiting}: a look-up that cannot have a connection
   * soon is refused at once (UpstreamBreakers), where thousands of polling clients queued until their timeout.
   */
  public PostgresConfig reads() {
    return new PostgresConfig(readUrl.isEmpty() ? url : readUrl, readPoolSize, readPoolWaiting, connectTimeout, false,
        readUrl, readPoolSize, readPoolWaiting, eventsPoolSize, idleTimeout);
  }

  /**
   * The pool of statistics: lag-tolerant like {@link #reads()}, but one connection of its own with {@code waiting}
   * requests queued for it, so that a statistics statement (seconds of a PostgreSQL core for a whole country's year)
   * never holds a connection the look-ups and feeds need, and they run one at a time per process.
   */
  public PostgresConfig statistics(int waiting) {
    PostgresConfig reads = reads();
    return new PostgresConfig(reads.url, 1, waiting, connectTimeout, false, readUrl, readPoolSize, readPoolWaiting,
        eventsPoolSize, idleTimeout);
  }

  /** The pool of progress events: always the primary, apart from intake's and the submissions' connections. */
  public PostgresConfig events() {
    return withPoolSize(eventsPoolSize);
  }

  @Override
  public String toString() {
    return "PostgresConfig[url=" + Secrets.maskUrl(url) + ", poolSize=" + poolSize + ", poolWaiting=" + poolWaiting
        + ", connectTimeout=" + connectTimeout.toMillis() + "ms, migrate=" + migrate + ", readUrl="
        + (readUrl.isEmpty() ? "(primary)" : Secrets.maskUrl(readUrl)) + ", readPoolSize=" + readPoolSize
        + ", readPoolWaiting=" + readPoolWaiting
        + ", eventsPoolSize=" + eventsPoolSize + ", idleTimeout=" + idleTimeout.toMillis() + "ms]";
  }
}
