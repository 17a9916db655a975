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

  /** As rate-limit-address.lua: the address first, and a call either limit refuses takes from neither. */
  @Test
  void shouldTakeFromNeitherLimitWhenTheAddressOrTheClientRefuses() {
    Limit perAddress = new Limit(10, 2);
    for (int i = 0; i < 2; i++) {
      assertThat(limiter.acquire("a1", perAddress, "client", tenPerSecondBurstFive).allowed()).isTrue();
    }
    AddressedDecision abuser = limiter.acquire("a1", perAddress, "client", tenPerSecondBurstFive);
    for (int i = 0; i < 5; i++) {
      limiter.acquire("a1", perAddress, "client", tenPerSecondBurstFive);
    }
    assertThat(abuser.allowed()).isFalse();
    assertThat(abuser.refusedByAddress()).isTrue();
    assertThat(abuser.client()).as("the client's limit is not asked").isNull();
    assertThat(abuser.shown().limit()).isEqualTo(2);

    // the client's 5 less the abuser's 2 admitted calls: the refused ones took nothing
    for (String address : new String[] {"a2", "a2", "a3"}) {
      assertThat(limiter.acquire(address, perAddress, "client", tenPerSecondBurstFive).allowed()).as(address).isTrue();
    }
    AddressedDecision clientSpent = limiter.acquire("a3", perAddress, "client", tenPerSecondBurstFive);
    assertThat(clientSpent.allowed()).isFalse();
    assertThat(clientSpent.refusedByAddress()).isFalse();
    assertThat(clientSpent.shown().limit()).isEqualTo(5);
    // a3's refused call was given back: the second of its two is left (asked here with a client that has room)
    assertThat(limiter.acquire("a3", perAddress, "other-client", tenPerSecondBurstFive).allowed()).isTrue();
    assertThat(limiter.acquire("a3", perAddress, "other-client", tenPerSecondBurstFive).refusedByAddress()).isTrue();
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
