package vn.onewindow.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottledLogTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final ThrottledLog log = new ThrottledLog(10_000, nanos::get);

  @Test
  void shouldLogTheFirstEventOfAClassAndSuppressTheRestOfTheInterval() {
    assertThat(log.tryAcquire("rate-limited")).isZero();
    assertThat(log.tryAcquire("rate-limited")).isEqualTo(-1);
    assertThat(log.tryAcquire("rate-limited")).isEqualTo(-1);
    assertThat(log.tryAcquire("overloaded")).as("another class has its own window").isZero();
  }

  @Test
  void shouldReportHowManyWereSuppressedWhenTheIntervalHasPassed() {
    log.tryAcquire("rate-limited");
    for (int i = 0; i < 41; i++) {
      log.tryAcquire("rate-limited");
    }
    nanos.addAndGet(9_999_000_000L);
    assertThat(log.tryAcquire("rate-limited")).isEqualTo(-1);

    nanos.addAndGet(1_000_000L);

    assertThat(log.tryAcquire("rate-limited")).isEqualTo(42);
    assertThat(log.tryAcquire("rate-limited")).isEqualTo(-1);
  }
}
