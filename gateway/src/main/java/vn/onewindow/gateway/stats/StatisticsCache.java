package vn.onewindow.gateway.stats;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The statistics answers of the last {@code stats.cache-ms}, one cache per process (every event loop's handler reads
 * it): a dashboard polling every few seconds, or 34 tiles opening at once, take the statistics' one connection once.
 * Identical requests arriving while an answer is counted wait for that one count (Caffeine keeps the pending future as
 * the entry). A failed count is not kept (its entry is removed as it completes): the next request counts anew.
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

  /** A count's outcome: its value and when it was counted, or its failure ({@code failure} not null). */
  private record Counted(Object value, long countedAtNanos, Throwable failure) {
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
    // The entry's future never fails: Caffeine logs each load whose future fails as a WARNING with its stack trace
    // (System.Logger: plain text beside the JSON lines, never throttled), one per failed count through a PostgreSQL
    // stall, where the failure handler already logs each 503, throttled. A failure is removed here instead, the very
    // future only (a new count's entry stays), after the mapping returned (a count that failed at once included).
    CompletableFuture<Counted> pending = cache.get(key, (k, executor) -> count.get()
        .map(value -> new Counted(value, ticker.read(), null))
        .otherwise(failure -> new Counted(null, 0, failure))
        .toCompletionStage().toCompletableFuture());
    pending.thenAccept(counted -> {
      if (counted.failure() != null) {
        cache.asMap().remove(key, pending);
      }
    });
    var context = Vertx.currentContext();
    return (context == null ? Future.fromCompletionStage(pending) : Future.fromCompletionStage(pending, context))
        .compose(counted -> {
          if (counted.failure() != null) {
            return Future.failedFuture(counted.failure());
          }
          long age = TimeUnit.NANOSECONDS.toSeconds(ticker.read() - counted.countedAtNanos());
          // max-age is the figures' whole lifetime, Age how much of it is gone: an HTTP cache takes the answer as fresh
          // while max-age exceeds its age, Age included (RFC 9111, 4.2); what is left as max-age counted the age twice
          return Future.succeededFuture(new Answer<>((T) counted.value(), age, ttl.toSeconds(), true));
        });
  }
}
