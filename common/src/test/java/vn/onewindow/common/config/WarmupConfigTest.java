package vn.onewindow.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A warm-up ends at its cap, or earlier when the process's readiness budget (from the JVM's start) runs out. */
class WarmupConfigTest {
  private static final long STARTED = 1_000_000L;
  private final WarmupConfig config = new WarmupConfig(Duration.ofSeconds(10), 60_000, 16, Duration.ofSeconds(4),
      50_000, Duration.ofSeconds(13));

  @Test
  void aQuickStartKeepsTheWholeCap() {
    // warm-up starting 2 s after the JVM: 11 s of budget left, the 10 s cap is the bound
    assertThat(config.remainingNanos(Duration.ofSeconds(10), STARTED, STARTED + 2_000))
        .isEqualTo(Duration.ofSeconds(10).toNanos());
  }

  @Test
  void aSlowStartShortensTheWarmUpInsteadOfDelayingReadiness() {
    // warm-up starting 6 s after the JVM (a busy machine): 7 s left of the 13 s budget
    assertThat(config.remainingNanos(Duration.ofSeconds(10), STARTED, STARTED + 6_000))
        .isEqualTo(Duration.ofSeconds(7).toNanos());
  }

  @Test
  void pastTheBudgetNothingIsLeft() {
    assertThat(config.remainingNanos(Duration.ofSeconds(4), STARTED, STARTED + 20_000)).isZero();
  }

  @Test
  void theDeadlineIsNeverLaterThanTheCap() {
    long before = System.nanoTime();
    long deadline = config.deadlineNanos(Duration.ofSeconds(4));
    assertThat(deadline - before)
        .isLessThanOrEqualTo(Duration.ofSeconds(4).toNanos() + Duration.ofMillis(50).toNanos());
  }
}
