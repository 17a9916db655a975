package vn.onewindow.gateway.stats;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The statistics answers of the last {@code stats.cache-ms}, one cache per process (every event loop's handler reads
 * it): a dashboard polling every few seconds, or 34 tiles opening at once, take the statistics' one connection once.
 * Identical requests arriving while an answer is counted wait for that one count (Caffeine keeps the pending future as
 * the entry). A failed count is not kept (Caffeine drops an entry whose future fails): the next request counts anew.
 * An entry's weight is the number of figures it holds (1, or one per agency of a ranking), so a whole-country ranking
 * cannot crowd the heap: {@link #MAX_FIGURES} in all, the least used dropped first.
 */
public final class StatisticsCache {
  /** Per-agency figures kept at most, all entries together (about 580 bytes each, measured: README). */
  static final long MAX_FIGURES = 100_000;

  /**
   * What the answer depends on: the scope as the statement reads it (statistics are aggregates every registered
   * client may read: no client narrows them, so clients share entries), the period, the day it is judged on, and the
   * statement's shape: one agency pattern's figures, or each agency's (a ranking by agency or by province reads the
   * same rows).
   */
  record Key(Shape shape, String agency, LocalDate from, LocalDate to, LocalDate asOf) {
  }

  enum Shape {
    FIGURES, PER_AGENCY
  }

  /** A counted answer, how old it is and how long it stands from its count, for the Age and Cache-Control headers. */
  record Answer<T>(T value, long ageSeconds, long maxAgeSeconds, boolean cached) {
  }

  private record Counted(Object value, long countedAtNanos) {
  }

  private final AsyncCache<Key, Counted> cache;
  private final Duration ttl;
  private final Ticker ticker;

  public StatisticsCache(Duration ttl) {
    this(ttl, Ticker.systemTicker());
  }

  /** {@code ticker}: nanoseconds, for the entries' expiry and age (a test's own clock). */
  StatisticsCache(Duration ttl, Ticker ticker) {
    this.ttl = ttl;
    this.ticker = ticker;
    this.cache = ttl.isZero() ? null : Caffeine.newBuilder()
        .ticker(ticker)
        .expireAfterWrite(ttl)
        .maximumWeight(MAX_FIGURES)
        .weigher((Key key, Counted counted) -> counted.value() instanceof List<?> list ? Math.max(1, list.size()) : 1)
        .buildAsync();
  }

  /**
   * The answer for {@code key}: kept, being counted by another request, or counted now by {@code count}. Completes on
   * the caller's context.
   */
  @SuppressWarnings("unchecked")
  <T> Future<Answer<T>> get(Key key, Supplier<Future<T>> count) {
    if (cache == null) {
      return count.get().map(value -> new Answer<>(value, 0, 0, false));
    }
    var pending = cache.get(key, (k, executor) -> count.get()
        .map(value -> new Counted(value, ticker.read()))
        .toCompletionStage().toCompletableFuture());
    var context = Vertx.currentContext();
    return (context == null ? Future.fromCompletionStage(pending) : Future.fromCompletionStage(pending, context))
        .map(counted -> {
          long age = TimeUnit.NANOSECONDS.toSeconds(ticker.read() - counted.countedAtNanos());
          // max-age is the figures' whole lifetime, Age how much of it is gone: an HTTP cache takes the answer as fresh
          // while max-age exceeds its age, Age included (RFC 9111, 4.2); what is left as max-age counted the age twice
          return new Answer<>((T) counted.value(), age, ttl.toSeconds(), true);
        });
  }
}
