package vn.onewindow.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.ResilienceConfig.Limit;
import vn.onewindow.common.config.ResilienceConfig.RateLimits;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * hub_ratelimit_fallback_active against a real Redis behind a proxy that is cut: it reads 1 while limits are decided
 * locally, and no longer once a gateway has decided nothing locally for 30 s. The flag clears only with a decision
 * Redis answers, which an idle gateway never makes: its gauge stayed 1, and HubRateLimiterFallback fired, long after
 * Redis was back (ops tryout). The clock is the limiter's own, moved by the test.
 */
class RateLimiterFallbackTest {
  private static final String DOWN = "rate-limit store unavailable";
  private static final String BACK = "rate limits shared through Redis again";
  private static final String TRUSTED_PROXIES = "security.trusted-proxies";

  @RegisterExtension
  final LogCapture logged = LogCapture.of(RateLimiter.class);

  @Test
  void shouldShowTheFallbackWhileItDecidesAndNotForAnIdleGateway() throws Exception {
    URI redisUrl = URI.create(TestServers.get().redisUrl());
    Vertx vertx = Vertx.vertx();
    try (TcpProxy proxy = new TcpProxy(redisUrl.getHost(), redisUrl.getPort())) {
      proxy.up();
      HubConfig config = config(proxy);
      RateLimits limits = config.resilience().rateLimits();
      Limit limit = limits.applicant();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      AtomicLong now = new AtomicLong(1_000_000_000L);
      List<Runnable> due = new ArrayList<>();
      RateLimiter limiter = limiter(config, registry, now, due);
      Redis redis = RedisClients.create(vertx, config.redis(), "limiter-test");
      // the run's own key prefix
      String key = RedisKeys.of(config.redis(), config.stream()).clientLimit("fallback-test");

      assertThat(limiter.decide(redis, key, limit).await().allowed()).isTrue();
      assertThat(fallbackGauge(registry)).as("decided by Redis").isZero();

      proxy.down();
      assertThat(limiter.decide(redis, key, limit).await().allowed()).as("the local share allows it").isTrue();
      assertThat(fallbackGauge(registry)).as("decided locally").isEqualTo(1.0);
      now.addAndGet(RateLimiter.FALLBACK_SHOWN_NANOS - 1);
      assertThat(fallbackGauge(registry)).as("still within 30 s of a local decision").isEqualTo(1.0);

      now.addAndGet(1);
      assertThat(fallbackGauge(registry)).as("idle for 30 s: nothing is decided locally").isZero();
      limiter.decide(redis, key, limit).await();
      assertThat(fallbackGauge(registry)).as("a new local decision while Redis is still cut").isEqualTo(1.0);

      proxy.up();
      now.addAndGet(RateLimiter.FALLBACK_SHOWN_NANOS);
      assertThat(fallbackGauge(registry)).isZero();
      redis.close();
    } finally {
      vertx.close().await();
    }
  }

  /**
   * While a Redis master fails over, decisions flip between Redis and the fallback: one line per switch wrote about 70
   * pairs per gateway in 10 s (QA of cluster mode). At most one line per 10 s, and the next decision after the window
   * tells the state it ended in, with the switches it kept quiet.
   */
  @Test
  void shouldLogFlappingSwitchesAtMostOncePerTenSecondsAndEndOnTheCurrentState() throws Exception {
    URI redisUrl = URI.create(TestServers.get().redisUrl());
    Vertx vertx = Vertx.vertx();
    try (TcpProxy proxy = new TcpProxy(redisUrl.getHost(), redisUrl.getPort())) {
      proxy.up();
      HubConfig config = config(proxy);
      RateLimits limits = config.resilience().rateLimits();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      AtomicLong now = new AtomicLong(1_000_000_000L);
      List<Runnable> due = new ArrayList<>();
      RateLimiter limiter = limiter(config, registry, now, due);
      Redis redis = RedisClients.create(vertx, config.redis(), "limiter-test");
      String key = RedisKeys.of(config.redis(), config.stream()).clientLimit("flapping-test");
      limiter.decide(redis, key, limits.applicant()).await();

      for (int i = 0; i < 3; i++) {   // six switches within one window (below the breaker's minimum calls)
        proxy.down();
        limiter.decide(redis, key, limits.applicant()).await();
        assertThat(fallbackGauge(registry)).as("decided locally").isEqualTo(1.0);
        proxy.up();
        limiter.decide(redis, key, limits.applicant()).await();
      }
      assertThat(logged.lines(DOWN)).as("the first switch only").hasSize(1);
      assertThat(logged.lines(BACK)).as("kept quiet within the window").isEmpty();

      now.addAndGet(10_000_000_000L);
      limiter.decide(redis, key, limits.applicant()).await();
      limiter.decide(redis, key, limits.applicant()).await();
      assertThat(logged.lines(BACK)).as("a decision after the window: the state it ended in, once").hasSize(1);
      assertThat(logged.lines(BACK).get(0)).contains("4 more switches since the last line");
      assertThat(logged.lines(DOWN)).hasSize(1);
      runDue(due);
      assertThat(logged.lines("")).as("the window's timer finds it told").hasSize(2);

      proxy.down();
      now.addAndGet(10_000_000_000L);
      limiter.decide(redis, key, limits.applicant()).await();
      assertThat(logged.lines(DOWN)).as("a switch after the window: at once").hasSize(2);
      assertThat(logged.lines(DOWN).get(1)).contains("0 more switches since the last line");

      // Redis back within that window, then no decision at all (a quiet gateway): the window's timer tells it, so
      // that the last line does not say the fallback decides while the gauge says Redis does (review)
      proxy.up();
      now.addAndGet(1_000_000_000L);
      limiter.decide(redis, key, limits.applicant()).await();
      assertThat(logged.lines(BACK)).as("kept quiet within the window").hasSize(1);
      now.addAndGet(10_000_000_000L);
      runDue(due);
      assertThat(fallbackGauge(registry)).as("the gauge: Redis decides").isEqualTo(0.0);
      assertThat(logged.lines("")).as("the last line tells the current state").last().asString().contains(BACK)
          .contains("0 more switches since the last line");
      redis.close();
    } finally {
      vertx.close().await();
    }
  }

  /**
   * A publishable key's call with no address to count (a non-public peer that is no trusted proxy) is counted under
   * decision="address_unknown" every time, and warned of at most once a minute, naming the knob and never an address.
   */
  @Test
  void shouldCountEveryCallWithoutAnAddressAndWarnAtMostOncePerMinute() {
    HubConfig config = TestServers.get().config(Map.of("ratelimit.enabled", "true"));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicLong now = new AtomicLong(1_000_000_000L);
    RateLimiter limiter = limiter(config, registry, now, new ArrayList<>());

    for (int i = 0; i < 3; i++) {
      limiter.addressUnknown();
    }
    assertThat(logged.lines(TRUSTED_PROXIES)).as("the first call only").hasSize(1);
    now.addAndGet(RateLimiter.ADDRESS_UNKNOWN_LOG_MS * 1_000_000 - 1);
    limiter.addressUnknown();
    assertThat(logged.lines(TRUSTED_PROXIES)).as("within the minute").hasSize(1);
    now.addAndGet(1);
    limiter.addressUnknown();

    assertThat(logged.lines(TRUSTED_PROXIES)).hasSize(2);
    assertThat(logged.lines(TRUSTED_PROXIES).get(0)).contains("non-public address").contains("no per-address limit")
        .contains("0 more such calls");
    assertThat(logged.lines(TRUSTED_PROXIES).get(1)).contains("3 more such calls");
    assertThat(logged.events()).allSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.WARN));
    assertThat(registry.get(MeterNames.RATE_LIMIT_DECISIONS).tag(MeterNames.TAG_LIMIT, "address")
        .tag(MeterNames.TAG_DECISION, "address_unknown").counter().count()).isEqualTo(5.0);
  }

  /** Limits on, a short Redis timeout, Redis behind the proxy. */
  private static HubConfig config(TcpProxy proxy) {
    return TestServers.get().config(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
        "ratelimit.enabled", "true", "ratelimit.redis-timeout-ms", "200"));
  }

  /** The limiter on the test's own clock; its timers' tasks wait in {@code due} until the test runs them. */
  private static RateLimiter limiter(HubConfig config, SimpleMeterRegistry registry, AtomicLong now,
                                     List<Runnable> due) {
    return new RateLimiter(config.resilience().rateLimits(),
        new UpstreamBreakers(config.resilience().breakers(), 1, registry), new LocalRateLimiter(Clock.systemUTC()),
        registry, now::get, (ms, task) -> due.add(task));
  }

  /** What the limiter's timers would have run by now. */
  private static void runDue(List<Runnable> due) {
    List<Runnable> tasks = List.copyOf(due);
    due.clear();
    tasks.forEach(Runnable::run);
  }

  private static double fallbackGauge(SimpleMeterRegistry registry) {
    return registry.get(MeterNames.RATE_LIMIT_FALLBACK).gauge().value();
  }
}
