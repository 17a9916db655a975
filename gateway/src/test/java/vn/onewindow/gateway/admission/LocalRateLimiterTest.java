package vn.onewindow.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.ResilienceConfig.Limit;

class LocalRateLimiterTest {
  private Clock clock = Clock.fixed(Instant.parse("2026-11-23T08:00:00Z"), ZoneOffset.UTC);
  private final LocalRateLimiter limiter = new LocalRateLimiter(new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return clock.instant();
    }
  });
  private final Limit tenPerSecondBurstFive = new Limit(10, 5);

  private void advance(Duration d) {
    clock = Clock.offset(clock, d);
  }

  @Test
  void shouldAdmitTheBurstFromIdleThenRejectWhenBucketEmpty() {
    for (int i = 0; i < 5; i++) {
      LimitDecision d = limiter.acquire("client", tenPerSecondBurstFive);
      assertThat(d.allowed()).isTrue();
      assertThat(d.remaining()).isEqualTo(4 - i);
    }
    LimitDecision refused = limiter.acquire("client", tenPerSecondBurstFive);

    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterMs()).isEqualTo(100);
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(refused.headers()).containsEntry("RateLimit-Limit", "5").containsEntry("RateLimit-Remaining", "0");
  }

  @Test
  void shouldRefillAtTheConfiguredRate() {
    for (int i = 0; i < 5; i++) {
      limiter.acquire("client", tenPerSecondBurstFive);
    }
    advance(Duration.ofMillis(100));
    assertThat(limiter.acquire("client", tenPerSecondBurstFive).allowed()).isTrue();
    assertThat(limiter.acquire("client", tenPerSecondBurstFive).allowed()).isFalse();

    advance(Duration.ofSeconds(1));
    assertThat(limiter.acquire("client", tenPerSecondBurstFive).remaining()).isEqualTo(4);
  }

  @Test
  void shouldKeepEveryKeyApart() {
    for (int i = 0; i < 5; i++) {
      limiter.acquire("abuser", tenPerSecondBurstFive);
    }
    assertThat(limiter.acquire("abuser", tenPerSecondBurstFive).allowed()).isFalse();
    assertThat(limiter.acquire("well-behaved", tenPerSecondBurstFive).allowed()).isTrue();
  }

  @Test
  void shouldAdmitOnlyItsShareWhenFallingBackForSeveralInstances() {
    Limit share = new Limit(100, 40).share(4);
    int admitted = 0;
    for (int i = 0; i < 100; i++) {
      admitted += limiter.acquire("client", share).allowed() ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(10);
  }

  @Test
  void shouldForgetKeysWhoseBucketIsFullAgain() {
    limiter.acquire("a", tenPerSecondBurstFive);
    limiter.acquire("b", tenPerSecondBurstFive);
    advance(Duration.ofSeconds(1));
    limiter.acquire("b", tenPerSecondBurstFive);

    limiter.evictIdle();

    assertThat(limiter.trackedKeys()).isEqualTo(1);
  }
}
