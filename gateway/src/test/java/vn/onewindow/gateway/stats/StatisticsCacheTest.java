package vn.onewindow.gateway.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.LocalDate;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
}
