package vn.onewindow.gateway.admission;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.ResilienceConfig;
import vn.onewindow.common.infra.Deadlines;
import vn.onewindow.common.metrics.EventLoopProbe;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.Problem;

/**
 * One Resilience4j circuit breaker per upstream, behind a thin adapter to Vert.x futures: permission is asked
 * before the call, the call gets an explicit timeout, and its measured duration and outcome are reported when the
 * future completes. An open breaker fails the call at once with {@link CallNotPermittedException}.
 *
 * <p>The enqueue to Redis has one breaker per intake partition when Redis is a cluster ({@code redis_enqueue_p0},
 * {@code redis_enqueue_p1}...): a partition's keys share one hash slot, so one master's failure opens the breakers
 * of its partitions only, and the other masters keep queueing (with one breaker, a shard's failover shed the
 * healthy shards' submissions too: a user tryout saw 35-45 % of them answered 503 circuit-open). On one server
 * every partition fails together, and one breaker ({@code redis_enqueue}) opens after breaker.minimum-calls
 * failures instead of that many per partition. A keyed request's claim of its Idempotency-Key lives in a slot of
 * its own, on any master: the breaker permits it but does not count it ({@link #enqueue(int, Duration, Supplier,
 * Function)}).
 */
public final class UpstreamBreakers {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamBreakers.class);

  /** At most this many enqueue breakers (partition p uses p modulo it): each is about 15 metric series. */
  public static final int MAX_ENQUEUE_BREAKERS = 64;
  /**
   * The shortest stall that makes a timeout this process's own: a loop a busy box leaves unscheduled for a few tens of
   * milliseconds now and then is ordinary, and a store that misses a short timeout meanwhile is still counted. A
   * flood stalled the gateway's loops for 0.7-2.6 s a turn (ops/bench/overload.sh).
   */
  private static final Duration STALL_FLOOR = Duration.ofMillis(250);

  private final Map<Upstream, CircuitBreaker> breakers = new EnumMap<>(Upstream.class);
  /** The enqueue's breakers, by partition; one for all of them on a single server. */
  private final CircuitBreaker[] enqueue;
  private final Duration openDuration;

  /** @param enqueueBreakers one per partition in cluster mode, else 1 */
  public UpstreamBreakers(ResilienceConfig.Breakers config, int enqueueBreakers, MeterRegistry registry) {
    CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
        .slidingWindowSize((int) config.window().toSeconds())
        .minimumNumberOfCalls(config.minimumCalls())
        .failureRateThreshold(config.failureRateThreshold())
        .slowCallRateThreshold(config.slowCallRateThreshold())
        .slowCallDurationThreshold(config.slowCall())
        .waitDurationInOpenState(config.open())
        .permittedNumberOfCallsInHalfOpenState(config.halfOpenCalls())
        .automaticTransitionFromOpenToHalfOpenEnabled(true)
        .ignoreException(UpstreamBreakers::saysNothingOfItsHealth)
        .build();
    CircuitBreakerRegistry registryOfBreakers = CircuitBreakerRegistry.of(breakerConfig);
    for (Upstream upstream : new Upstream[] {
        Upstream.REDIS_LIMITER, Upstream.POSTGRES_WRITE, Upstream.POSTGRES_READ, Upstream.POSTGRES_EVENTS}) {
      breakers.put(upstream, breaker(registryOfBreakers, upstream.tag()));
    }
    this.enqueue = new CircuitBreaker[enqueueBreakers];
    for (int p = 0; p < enqueueBreakers; p++) {
      enqueue[p] = breaker(registryOfBreakers,
          enqueueBreakers == 1 ? Upstream.REDIS_ENQUEUE.tag() : Upstream.REDIS_ENQUEUE.tag() + "_p" + p);
    }
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registryOfBreakers).bindTo(registry);
    this.openDuration = config.open();
  }

  private static CircuitBreaker breaker(CircuitBreakerRegistry registry, String name) {
    CircuitBreaker breaker = registry.circuitBreaker(name);
    breaker.getEventPublisher().onStateTransition(e -> LOG.warn("circuit breaker {} {} (failure rate {}%, slow {}%)",
        e.getCircuitBreakerName(), e.getStateTransition(), breaker.getMetrics().getFailureRate(),
        breaker.getMetrics().getSlowCallRate()));
    return breaker;
  }

  /**
   * A failure that says nothing of the upstream's health: the request's own values caused it (counted, a client could
   * open a breaker with a handful of bad requests and have everyone's reads refused for breaker.open-seconds), the
   * statement itself cannot run (a defect of the installation: counted, one broken statement would refuse every
   * healthy call sharing its breaker), or this process's own pool refused to queue the call ({@link #queueFull}). The
   * breaker neither records it nor counts it as slow, and gives a half-open probe's permission back
   * ({@code CircuitBreaker.onError} tests this predicate first).
   */
  static boolean saysNothingOfItsHealth(Throwable failure) {
    return failure instanceof HttpFailure f ? f.problem().isClientError() || f.problem() == Problem.INTERNAL_ERROR
        : queueFull(failure) || HttpFailure.ofRequestValues(failure).isPresent()
        || HttpFailure.ofStatementDefect(failure).isPresent();
  }

  /**
   * The call was refused, before it reached the upstream, by this process's pool: its connections were all in use and
   * its wait queue full (postgres.read-pool-waiting for the read pool; the Vert.x pool fails the call at once with
   * this exception). This gateway's overload, answered as such, never counted against the store: a results-day
   * polling tryout queued up to 784 look-ups behind 4 connections until their 2 s timeout, and the postgres_read
   * breaker, counting those timeouts, opened on a healthy PostgreSQL. A bounded queue rather than a bulkhead in front
   * of the reads: the pool already counts who waits for its connections, across every verticle and every read (by
   * id, by code, feeds, statistics), where a semaphore would have to be held and released around each call.
   */
  static boolean queueFull(Throwable failure) {
    return failure instanceof ConnectionPoolTooBusyException;
  }

  public <T> Future<T> call(Upstream upstream, Duration timeout, Supplier<Future<T>> action) {
    if (upstream == Upstream.REDIS_ENQUEUE) {
      throw new IllegalArgumentException("the enqueue's breaker depends on the partition: call enqueue()");
    }
    return call(breakers.get(upstream), upstream, timeout, action);
  }

  /**
   * A call whose failure is already its answer ({@link #failure} under {@code what}): what a handler reads or writes
   * to answer the request fails with an {@link HttpFailure} only, so its pipeline passes the failure on as it is. The
   * breaker records the call's own failure first: it is mapped once the call has completed.
   */
  public <T> Future<T> call(Upstream upstream, Duration timeout, String what, Supplier<Future<T>> action) {
    return call(upstream, timeout, action).recover(err -> Future.failedFuture(failure(what, err)));
  }

  /**
   * A call the upstream's breaker permits but does not judge: statistics are slow by nature (a whole country's year
   * takes seconds, past breaker.slow-call-ms) and bounded by their own timeout and pool, so their slowness says nothing
   * of the store's health, which the look-ups sharing its breaker judge. Counted, a handful of statistics requests
   * opened the postgres_read breaker on a healthy PostgreSQL and every look-up and feed was refused (a reads tryout).
   * An open breaker still refuses them at once.
   */
  public <T> Future<T> permitted(Upstream upstream, Duration timeout, String what, Supplier<Future<T>> action) {
    CircuitBreaker breaker = breakers.get(upstream);
    if (!breaker.tryAcquirePermission()) {
      return Future.failedFuture(failure(what, CallNotPermittedException.createCallNotPermittedException(breaker)));
    }
    breaker.releasePermission();
    return attempt(action, upstream.tag(), timeout).recover(err -> Future.failedFuture(failure(what, err)));
  }

  /** The enqueue of a dossier of this intake partition, through that partition's breaker. */
  public <T> Future<T> enqueue(int partition, Duration timeout, Supplier<Future<T>> action) {
    return call(enqueue[partition % enqueue.length], Upstream.REDIS_ENQUEUE, timeout, action);
  }

  /**
   * The enqueue of a dossier of this intake partition after a step in a slot of its own ({@code first}: the claim of
   * its Idempotency-Key, on any master), both within {@code timeout}. The partition's breaker permits the two but
   * judges only its own call: a failed first step gives the permission back, unrecorded. Counted there, a dead
   * master's claims (a third of every partition's keyed submissions with 3 masters) opened the breakers of
   * partitions on healthy masters in a failover drill.
   */
  public <C, T> Future<T> enqueue(int partition, Duration timeout, Supplier<Future<C>> first,
                                  Function<C, Future<T>> action) {
    CircuitBreaker breaker = enqueue[partition % enqueue.length];
    if (!breaker.tryAcquirePermission()) {
      return Future.failedFuture(CallNotPermittedException.createCallNotPermittedException(breaker));
    }
    long started = System.nanoTime();
    return attempt(first, "redis key claim", timeout).transform(ar -> {
      if (ar.failed()) {
        breaker.releasePermission();
        LoopStalled stall = Wait.since(started).stalledTimeout(Upstream.REDIS_ENQUEUE, ar.cause());
        return Future.failedFuture(stall != null ? stall : ar.cause());
      }
      return recorded(breaker, Upstream.REDIS_ENQUEUE, timeout.minusNanos(System.nanoTime() - started),
          () -> action.apply(ar.result()));
    });
  }

  private <T> Future<T> call(CircuitBreaker breaker, Upstream upstream, Duration timeout,
                             Supplier<Future<T>> action) {
    if (!breaker.tryAcquirePermission()) {
      return Future.failedFuture(CallNotPermittedException.createCallNotPermittedException(breaker));
    }
    return recorded(breaker, upstream, timeout, action);
  }

  /**
   * The permitted call, bounded, its duration and outcome reported to the breaker: the upstream's part of the wait, not
   * the time this process's own event loop spent stalled meanwhile (EventLoopProbe). A timeout at least half of which
   * was such a stall (and at least {@link #STALL_FLOOR}) says nothing of the upstream: the breaker gives the permission
   * back without counting it, and the call fails with {@link LoopStalled}, which callers answer as this gateway's
   * overload, not the store's failure (a flood of 5,000 connections opened the enqueue and PostgreSQL breakers on
   * healthy stores, turned submissions to the direct path and look-ups to 503s: ops/bench/overload.sh).
   */
  private <T> Future<T> recorded(CircuitBreaker breaker, Upstream upstream, Duration timeout,
                                 Supplier<Future<T>> action) {
    long started = System.nanoTime();
    return attempt(action, upstream.tag(), timeout).transform(ar -> {
      Wait wait = Wait.since(started);
      if (ar.succeeded()) {
        breaker.onSuccess(wait.upstreams(), TimeUnit.NANOSECONDS);
        return Future.succeededFuture(ar.result());
      }
      LoopStalled stall = wait.stalledTimeout(upstream, ar.cause());
      if (stall != null) {
        breaker.releasePermission();
        return Future.failedFuture(stall);
      }
      breaker.onError(wait.upstreams(), TimeUnit.NANOSECONDS, ar.cause());
      return Future.failedFuture(ar.cause());
    });
  }

  /** A call's wait so far (ns), and how much of it this event loop spent stalled: measured once per outcome. */
  private record Wait(long elapsed, long stalled) {
    static Wait since(long started) {
      long elapsed = System.nanoTime() - started;
      return new Wait(elapsed, Math.min(elapsed, EventLoopProbe.stalledSince(started)));
    }

    /** The upstream's part of the wait. */
    long upstreams() {
      return elapsed - stalled;
    }

    /**
     * The failure as {@link LoopStalled} when it is a timeout at least half of whose wait this event loop spent
     * stalled, and that stall at least {@link #STALL_FLOOR}; otherwise null.
     */
    LoopStalled stalledTimeout(Upstream upstream, Throwable failure) {
      return failure instanceof TimeoutException && stalled * 2 >= elapsed && stalled >= STALL_FLOOR.toNanos()
          ? new LoopStalled(upstream, stalled, failure) : null;
    }
  }

  /**
   * A call that timed out while this process's event loop was stalled for at least half of its wait: this gateway's
   * overload, not the upstream's failure. Whether the call reached the upstream is as unknown as after any timeout.
   */
  public static final class LoopStalled extends RuntimeException {
    LoopStalled(Upstream upstream, long stalledNanos, Throwable timeout) {
      super(upstream.tag() + " call timed out while this process's event loop was stalled for "
          + TimeUnit.NANOSECONDS.toMillis(stalledNanos) + " ms", timeout, false, false);
    }
  }

  private static <T> Future<T> attempt(Supplier<Future<T>> action, String what, Duration timeout) {
    try {
      return Deadlines.bounded(action.get(), what, timeout);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * The answer to a failed call: its own if it has one, a 400 if the request's values made it fail, a 500 if the
   * statement cannot run as written, a 503 overloaded when this gateway's own event loop made the call time out or its
   * pool's wait queue was full, a fast 503 circuit-open while the breaker refuses, else upstream-unavailable.
   */
  public HttpFailure failure(String what, Throwable cause) {
    if (cause instanceof HttpFailure f) {
      return f;
    }
    Optional<HttpFailure> refused = HttpFailure.ofRequestValues(cause).or(() -> HttpFailure.ofStatementDefect(cause));
    if (refused.isPresent()) {
      return refused.get();
    }
    if (cause instanceof LoopStalled || queueFull(cause)) {
      return HttpFailure.busy(what, cause);
    }
    return cause instanceof CallNotPermittedException
        ? HttpFailure.circuitOpen(what, retryAfterSeconds(), cause)
        : HttpFailure.unavailable(what, cause);
  }

  public int retryAfterSeconds() {
    return (int) Math.max(1, openDuration.toSeconds());
  }
}
