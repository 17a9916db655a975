package vn.onewindow.gateway.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.stats.StatisticsCache.Answer;
import vn.onewindow.gateway.stats.StatisticsCache.Key;
import vn.onewindow.gateway.stats.StatisticsCache.Shape;

/** The cache's headers against the clock of its entries (an injected ticker: no waiting). */
class StatisticsCacheTest {
  private static final LocalDate DAY = LocalDate.of(2026, 2, 28);
  private static final Key KEY = new Key(Shape.FIGURES, "*.H48", DAY.withDayOfMonth(1), DAY, DAY);

  /**
   * An HTTP cache (RFC 9111, 4.2) holds a response fresh while its max-age is greater than its age, Age included: so
   * max-age is the figures' whole lifetime from their count, not what is left of it, or a browser took an answer 12 s
   * old of a 30 s cache (max-age=18, Age: 12) as fresh for 6 s, and one 15 s old as stale on arrival.
   */
  @Test
  void shouldKeepMaxAgeTheWholeLifetimeWhileAgeGrows() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    StatisticsCache cache = new StatisticsCache(Duration.ofSeconds(30), now::get);
    AtomicInteger counts = new AtomicInteger();

    Answer<String> first = cache.<String>get(KEY, () -> Future.succeededFuture("figures " + counts.incrementAndGet()))
        .await();
    now.addAndGet(TimeUnit.SECONDS.toNanos(12));
    Answer<String> kept = cache.<String>get(KEY, () -> Future.succeededFuture("figures " + counts.incrementAndGet()))
        .await();

    assertThat(first.ageSeconds()).isZero();
    assertThat(first.maxAgeSeconds()).isEqualTo(30);
    assertThat(kept.value()).isEqualTo("figures 1");
    assertThat(kept.ageSeconds()).isEqualTo(12);
    assertThat(kept.maxAgeSeconds()).as("fresh to an HTTP cache for the 18 s the entry stands").isEqualTo(30);

    now.addAndGet(TimeUnit.SECONDS.toNanos(19));
    assertThat(cache.<String>get(KEY, () -> Future.succeededFuture("figures " + counts.incrementAndGet())).await()
        .value()).as("counted anew past the 30 s").isEqualTo("figures 2");
  }

  /**
   * A failed count (a statement timeout, an open breaker: a 503) is kept by nobody and shared only by the requests that
   * waited for it; the failure handler logs it, throttled. Caffeine itself logs each load whose future fails as a
   * WARNING with its stack trace, through System.Logger (JUL here: multi-line plain text among the JSON lines, never
   * throttled): a 12 s PostgreSQL lock on a live hub wrote one such trace per failed count beside the hub's own line.
   */
  @Test
  void shouldKeepNoFailedCountAndLeaveItsLoggingToTheFailureHandler() {
    List<LogRecord> caffeineLog = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        caffeineLog.add(record);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger caffeine = Logger.getLogger("com.github.benmanes.caffeine.cache.LocalAsyncCache");
    caffeine.addHandler(capture);
    try {
      StatisticsCache cache = new StatisticsCache(Duration.ofSeconds(30), new AtomicLong()::get);
      AtomicInteger counts = new AtomicInteger();
      Promise<String> stalled = Promise.promise();
      Future<Answer<String>> first = cache.get(KEY, () -> {
        counts.incrementAndGet();
        return stalled.future();
      });
      Future<Answer<String>> waiting = cache.get(KEY, () -> Future.succeededFuture("figures " + counts.incrementAndGet()));
      stalled.fail(new IllegalStateException("statement timeout"));

      assertThatThrownBy(first::await).hasMessage("statement timeout");
      assertThatThrownBy(waiting::await).as("a request that waited for the count").hasMessage("statement timeout");
      assertThat(cache.<String>get(KEY, () -> Future.succeededFuture("figures " + counts.incrementAndGet())).await()
          .value()).as("counted anew after the failure").isEqualTo("figures 2");

      Key other = new Key(Shape.PER_AGENCY, "*", DAY, DAY, DAY);
      assertThatThrownBy(() -> cache.get(other, () -> Future.failedFuture(new IllegalStateException("breaker open")))
          .await()).hasMessage("breaker open");
      assertThat(cache.<String>get(other, () -> Future.succeededFuture("ranked")).await().value())
          .as("a count that failed at once is not kept either").isEqualTo("ranked");

      assertThat(caffeineLog).extracting(LogRecord::getMessage).isEmpty();
    } finally {
      caffeine.removeHandler(capture);
    }
  }
}
