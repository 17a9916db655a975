package vn.onewindow.gateway.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.ResilienceConfig.Limit;
import vn.onewindow.common.config.ResilienceConfig.RateLimits;
import vn.onewindow.common.infra.RedisScript;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.LimitDecisionTag;
import vn.onewindow.common.metrics.MeterNames.LimitKey;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.metrics.ThrottledLog;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * Rate limits shared by every gateway instance: one atomic GCRA script in Redis per decision, on the one key it
 * limits (in cluster mode that key's master, so a limit counts across every partition), or on the two keys of a
 * publishable key's call (its caller's address and its client, one slot). When Redis does
 * not answer within its short timeout (or its breaker is open) the decision is taken by the configured fallback
 * (by default each instance's local share of the limit), so a dead Redis neither stalls requests nor opens the
 * floodgates. The switch is exported as a gauge and logged, at most once per 10 s ({@link #logSwitch}).
 */
public final class RateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
  private static final RedisScript SCRIPT = RedisScript.fromResources("lua/gcra.lua", "lua/rate-limit.lua");
  private static final RedisScript REFUND = RedisScript.fromResources("lua/gcra.lua", "lua/rate-limit-refund.lua");
  private static final RedisScript ADDRESSED = RedisScript.fromResources("lua/gcra.lua", "lua/rate-limit-address.lua");

  private final RateLimits config;
  private final UpstreamBreakers breakers;
  private final LocalRateLimiter local;
  private final AtomicBoolean fallbackActive = new AtomicBoolean();
  /**
   * The gauge shows the fallback only while it decides: for this long after its last local decision. The flag itself
   * clears with the next decision Redis answers, which an idle gateway never makes: its gauge stayed 1, and
   * HubRateLimiterFallback fired, long after Redis was back (ops tryout).
   */
  static final long FALLBACK_SHOWN_NANOS = TimeUnit.SECONDS.toNanos(30);
  private final LongSupplier nanoClock;
  private volatile long lastFallbackNanos;
  /** At most one line per 10 s for the switches between Redis and the fallback. */
  static final long SWITCH_LOG_MS = 10_000;
  private final ThrottledLog switchLog;
  /** Runs a task that many milliseconds later (a Vert.x timer): the catch-up of a switch the window kept quiet. */
  private final BiConsumer<Long, Runnable> later;
  /** A catch-up is scheduled. */
  private final AtomicBoolean catchUpDue = new AtomicBoolean();
  /** Why the last local decision was taken (the failure's class), for a line told after it. */
  private volatile String lastCause = "unknown";
  /** The state the last line told (true: the fallback decides). */
  private final AtomicBoolean loggedFallback = new AtomicBoolean();
  /** Switches since the last line. */
  private final AtomicLong switches = new AtomicLong();
  /** Decision counters by limit key, allowed at index 1 and limited at 0: registered once, not per request. */
  private final Map<LimitKey, Counter[]> decisions = new EnumMap<>(LimitKey.class);
  /** Publishable keys' calls no per-address limit applied to, their address telling no caller apart. */
  private final Counter addressUnknown;
  /** At most one warning per minute about them: behind a balancer not listed, every such call would warn. */
  static final long ADDRESS_UNKNOWN_LOG_MS = 60_000;
  private final ThrottledLog addressUnknownLog;

  /** @param later runs a task that many milliseconds later (a Vert.x timer) */
  public RateLimiter(RateLimits config, UpstreamBreakers breakers, LocalRateLimiter local, MeterRegistry registry,
                     BiConsumer<Long, Runnable> later) {
    this(config, breakers, local, registry, System::nanoTime, later);
  }

  RateLimiter(RateLimits config, UpstreamBreakers breakers, LocalRateLimiter local, MeterRegistry registry,
              LongSupplier nanoClock, BiConsumer<Long, Runnable> later) {
    this.config = config;
    this.nanoClock = nanoClock;
    this.switchLog = new ThrottledLog(SWITCH_LOG_MS, nanoClock);
    this.addressUnknownLog = new ThrottledLog(ADDRESS_UNKNOWN_LOG_MS, nanoClock);
    this.later = later;
    this.breakers = breakers;
    this.local = local;
    for (LimitKey kind : LimitKey.values()) {
      decisions.put(kind, new Counter[] {decisionCounter(registry, kind, LimitDecisionTag.LIMITED),
          decisionCounter(registry, kind, LimitDecisionTag.ALLOWED)});
    }
    addressUnknown = decisionCounter(registry, LimitKey.ADDRESS, LimitDecisionTag.ADDRESS_UNKNOWN);
    Gauge.builder(MeterNames.RATE_LIMIT_FALLBACK, this, limiter -> limiter.fallbackShown() ? 1 : 0)
        .description("1 while rate limits are decided locally because Redis is unhealthy")
        .strongReference(true)
        .register(registry);
  }

  /** The fallback is on and decided within the last {@link #FALLBACK_SHOWN_NANOS}. */
  boolean fallbackShown() {
    return fallbackActive.get() && nanoClock.getAsLong() - lastFallbackNanos < FALLBACK_SHOWN_NANOS;
  }

  /**
   * {@link #decide}, counted; a call that timed out because this gateway's own event loop was stalled is answered as
   * that overload ({@link #overloaded}) rather than by the fallback.
   */
  public Future<LimitDecision> acquire(Redis redis, LimitKey kind, String key, Limit limit) {
    return decide(redis, key, limit, true).andThen(ar -> count(kind, ar.result()));
  }

  /**
   * A decision not counted yet: the caller counts it with {@link #count} once it knows what it came to (an
   * applicant's limited retry that turns out to be a replay is answered 202, and is no limited decision).
   */
  public Future<LimitDecision> decide(Redis redis, String key, Limit limit) {
    return decide(redis, key, limit, false);
  }

  /**
   * {@code stalledIsOverload}: for the client's and the address's limits, decided before the submission's own steps.
   * The applicant's limit is decided within the enqueue's breaker call, where a failure would count against Redis:
   * it keeps the fallback.
   */
  private Future<LimitDecision> decide(Redis redis, String key, Limit limit, boolean stalledIsOverload) {
    if (!config.enabled()) {
      return Future.succeededFuture(LimitDecision.UNLIMITED);
    }
    return breakers.call(Upstream.REDIS_LIMITER, config.redisTimeout(),
            () -> SCRIPT.run(redis, List.of(key), List.of(interval(limit), Integer.toString(limit.burst()))))
        .map(reply -> {
          redisAnswered();
          return LimitDecision.fromGcra(reply, 0, limit);
        })
        .recover(err -> stalledIsOverload && err instanceof UpstreamBreakers.LoopStalled ? overloaded(err)
            : Future.succeededFuture(fallback(key, limit, err)));
  }

  /**
   * A limiter call timed out because this gateway's own event loop was stalled (a flood: a turn of thousands of
   * requests) is this gateway's overload, not Redis's, and is answered as the enqueue answers it: 503 overloaded. The
   * fallback would decide it locally, with buckets that start full while Redis's were spent: under a 5,000-connection
   * flood a client was accepted 27 % past its quota (a surge tryout; RateLimiterLoopStallTest).
   */
  private static <T> Future<T> overloaded(Throwable stall) {
    return Future.failedFuture(HttpFailure.busy("rate limits (redis)", stall));
  }

  /**
   * The two limits of a call with a publishable key, counted: its caller's address's, then its client's ({@code
   * clientKind}: of its reads or its writes), in one script call (both keys in the client's slot,
   * RedisKeys#addressLimit). A call either refuses takes from neither.
   */
  public Future<AddressedDecision> acquire(Redis redis, String addressKey, Limit addressLimit, String clientKey,
                                           Limit clientLimit, LimitKey clientKind) {
    if (!config.enabled()) {
      return Future.succeededFuture(AddressedDecision.UNLIMITED);
    }
    return breakers.call(Upstream.REDIS_LIMITER, config.redisTimeout(),
            () -> ADDRESSED.run(redis, List.of(addressKey, clientKey), List.of(interval(addressLimit),
                Integer.toString(addressLimit.burst()), interval(clientLimit), Integer.toString(clientLimit.burst()))))
        .map(reply -> {
          redisAnswered();
          return AddressedDecision.fromGcra(reply, addressLimit, clientLimit);
        })
        .recover(err -> err instanceof UpstreamBreakers.LoopStalled ? overloaded(err)
            : Future.succeededFuture(fallback(addressKey, addressLimit, clientKey, clientLimit, err)))
        .onSuccess(decision -> {
          count(LimitKey.ADDRESS, decision.address());
          count(clientKind, decision.client());
        });
  }

  private static String interval(Limit limit) {
    return Double.toString(limit.intervalMs());
  }

  private void redisAnswered() {
    if (fallbackActive.compareAndSet(true, false)) {
      switches.incrementAndGet();
    }
    logSwitch();
  }

  /**
   * Gives back one admitted request's share (it turned out to be a replay or a conflict, which never spend a quota).
   * Best effort: a refund Redis does not take leaves the limit a little stricter for a moment.
   */
  public Future<Void> refund(Redis redis, String key, Limit limit, LimitDecision decision) {
    if (!config.enabled() || !decision.allowed() || decision.limit() < 0 || fallbackActive.get()) {
      return Future.succeededFuture();
    }
    return breakers.call(Upstream.REDIS_LIMITER, config.redisTimeout(),
            () -> REFUND.run(redis, List.of(key), List.of(interval(limit))))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** Records a decision in hub.ratelimit.decisions. */
  public void count(LimitKey kind, LimitDecision decision) {
    if (decision != null && decision.limit() >= 0) {
      decisions.get(kind)[decision.allowed() ? 1 : 0].increment();
    }
  }

  /**
   * Records a publishable key's call whose caller address tells no one apart (CallerAddress#limitKey), which meets its
   * client's limit alone, and warns of it at most once per minute: behind a balancer or proxy that is not listed as
   * trusted, the per-address limit protects no one. The line never names the address (personal data).
   */
  public void addressUnknown() {
    long suppressed = countAddressUnknown("address-unknown");
    if (suppressed >= 0) {
      LOG.warn("calls with a publishable key arrive from a non-public address (loopback, private, link-local or "
          + "shared) that is not a trusted proxy: no per-address limit applies to them, only their client's. If a "
          + "load balancer or proxy stands in front of this gateway, list it in security.trusted-proxies ({} more "
          + "such calls since the last line)", suppressed);
    }
  }

  /**
   * The same for a call from a trusted proxy whose {@code header} names no caller. Its own line: the proxy is listed
   * already, and the likely cause is a proxy writing the other header (or none), which listing it again cannot cure.
   */
  public void addressUnnamedByProxy(String header) {
    long suppressed = countAddressUnknown("address-unnamed");
    if (suppressed >= 0) {
      LOG.warn("calls with a publishable key arrive from a trusted proxy whose {} header names no public caller (no "
          + "header, only trusted proxies, a hop it could not name, or a non-public hop: an inner proxy not listed): no "
          + "per-address limit applies to them, only their client's. Check that the proxy writes the header "
          + "security.trusted-proxy-header names, and that every proxy in front of the gateway is in "
          + "security.trusted-proxies ({} more such calls since the last line)", header, suppressed);
    }
  }

  /** Counts one such call; the calls a warning of this kind kept quiet since its last line, or -1 to stay quiet. */
  private long countAddressUnknown(String kind) {
    if (!config.enabled()) {
      return -1;
    }
    addressUnknown.increment();
    return addressUnknownLog.tryAcquire(kind);
  }

  private static Counter decisionCounter(MeterRegistry registry, LimitKey kind, LimitDecisionTag decision) {
    return Counter.builder(MeterNames.RATE_LIMIT_DECISIONS)
        .description("Rate-limit decisions, by the limit that decided and its decision (address_unknown: a publishable "
            + "key's call whose address tells no caller apart, which met its client's limit alone)")
        .tag(MeterNames.TAG_LIMIT, kind.tag())
        .tag(MeterNames.TAG_DECISION, decision.tag())
        .register(registry);
  }

  /**
   * Tells the state decisions are taken in when it differs from what the last line told, at most once per 10 s. While
   * a Redis master fails over, the keys of its slots fail and the others answer, so the state flips with every other
   * decision: one line per switch wrote about 70 pairs per gateway in 10 s (QA of cluster mode). A switch the window
   * keeps quiet is told when the window ends (a timer, so that a gateway that decides nothing more does not leave
   * its last line telling the wrong state), or by a decision after it. Costs a decision two flag reads while nothing
   * changes.
   */
  private void logSwitch() {
    boolean fallback = fallbackActive.get();
    if (fallback == loggedFallback.get()) {
      return;
    }
    if (switchLog.tryAcquire("switch") < 0) {
      catchUpLater();
      return;
    }
    if (!loggedFallback.compareAndSet(!fallback, fallback)) {
      return;
    }
    if (fallbackActive.get() != fallback) {
      // switched back between the read above and the line below (another event loop): the line about to be written
      // is stale already, and the loop that switched saw nothing to tell; the window is spent, so catch up after it
      catchUpLater();
    }
    long unlogged = Math.max(0, switches.getAndSet(0) - 1);
    if (fallback) {
      LOG.warn("rate-limit store unavailable ({}): deciding limits by policy '{}' until it answers again ({} more "
              + "switches since the last line)", lastCause,
          config.fallback().name().toLowerCase(java.util.Locale.ROOT), unlogged);
    } else {
      LOG.warn("rate limits shared through Redis again (local fallback ended; {} more switches since the last line)",
          unlogged);
    }
  }

  private void catchUpLater() {
    if (catchUpDue.compareAndSet(false, true)) {
      later.accept(SWITCH_LOG_MS, () -> {
        catchUpDue.set(false);
        logSwitch();
      });
    }
  }

  private LimitDecision fallback(String key, Limit limit, Throwable cause) {
    fellBack(cause);
    return switch (config.fallback()) {
      case LOCAL -> local.acquire(key, limit.share(config.fallbackInstances()));
      case ALLOW -> LimitDecision.UNLIMITED;
      case DENY -> denied(limit);
    };
  }

  /** The same policies for a publishable key's two limits; deny refuses by the client's, as for any other call. */
  private AddressedDecision fallback(String addressKey, Limit addressLimit, String clientKey, Limit clientLimit,
                                     Throwable cause) {
    fellBack(cause);
    int instances = config.fallbackInstances();
    return switch (config.fallback()) {
      case LOCAL -> local.acquire(addressKey, addressLimit.share(instances), clientKey, clientLimit.share(instances));
      case ALLOW -> AddressedDecision.UNLIMITED;
      case DENY -> new AddressedDecision(LimitDecision.UNLIMITED, denied(clientLimit));
    };
  }

  private void fellBack(Throwable cause) {
    lastFallbackNanos = nanoClock.getAsLong();
    lastCause = cause.getClass().getSimpleName();
    if (fallbackActive.compareAndSet(false, true)) {
      switches.incrementAndGet();
    }
    logSwitch();
  }

  private static LimitDecision denied(Limit limit) {
    return new LimitDecision(false, limit.burst(), 0, 1000, 1000);
  }
}
