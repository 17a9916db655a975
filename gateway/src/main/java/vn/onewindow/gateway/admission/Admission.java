package vn.onewindow.gateway.admission;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.ResilienceConfig;
import vn.onewindow.common.config.ResilienceConfig.Limit;
import vn.onewindow.common.config.ResilienceConfig.RedisDownPolicy;
import vn.onewindow.common.config.ResilienceConfig.Shedding;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.health.Draining;
import vn.onewindow.common.infra.Backlog;
import vn.onewindow.common.infra.BacklogMonitor;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.Refusal;
import vn.onewindow.common.metrics.ThrottledLog;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.Idempotency;
import vn.onewindow.gateway.security.Caller;
import vn.onewindow.gateway.security.CallerAddress;

/**
 * Decides, before any real work, whether a request may come in: per-client rate limit (all routes under /v1, reads
 * and writes each from a budget of their own; for a publishable key, per caller address first), and for submissions the drain state, the backlog watermark and the
 * concurrency bulkhead. Every refusal is fast (no waiting on a queue or a store) and carries Retry-After. One instance
 * per process, shared by all event loops.
 */
public final class Admission {
  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
  private static final ThrottledLog CLIENT_LIMITED_LOG = ThrottledLog.everyTenSeconds();
  private static final String SHED = "admission.shed";

  /**
   * A submission over a watermark that carries an Idempotency-Key: its refusal, unless it is a retry (see shed).
   * {@code direct}: over the memory watermark with {@code degraded.redis-down=postgres}, keyed or not: a new dossier
   * goes the direct path to PostgreSQL instead (DossierIntake).
   */
  public record Shed(Refusal refusal, HttpFailure failure, boolean direct) {
  }

  private final ResilienceConfig config;
  private final RateLimiter limiter;
  private final CallerAddress addresses;
  private final BacklogMonitor backlog;
  private final Bulkhead bulkhead;
  private final Draining draining;
  private final Map<Refusal, Counter> refusals = new EnumMap<>(Refusal.class);

  public Admission(ResilienceConfig config, RateLimiter limiter, CallerAddress addresses, BacklogMonitor backlog,
                   MeterRegistry registry) {
    this.config = config;
    this.limiter = limiter;
    this.addresses = addresses;
    this.backlog = backlog;
    BulkheadRegistry bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
        .maxConcurrentCalls(config.shedding().maxInFlight())
        .maxWaitDuration(Duration.ZERO)
        .build());
    this.bulkhead = bulkheads.bulkhead("submissions");
    TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(registry);
    Gauge.builder(MeterNames.IN_FLIGHT, bulkhead,
            b -> config.shedding().maxInFlight() - b.getMetrics().getAvailableConcurrentCalls())
        .description("Submissions being processed right now").register(registry);
    this.draining = new Draining().bindTo(registry);
    for (Refusal refusal : Refusal.values()) {
      refusals.put(refusal, Counter.builder(MeterNames.REFUSALS).tag(MeterNames.TAG_REASON, refusal.tag())
          .description("Requests refused by admission: shed, draining, over a client's or an applicant's rate limit")
          .register(registry));
    }
  }

  public boolean draining() {
    return draining.getAsBoolean();
  }

  /** Readiness turns DOWN and new submissions are refused; in-flight ones finish. */
  public void startDraining() {
    draining.begin();
  }

  /**
   * Router step, every request: an HTTP/1.x answer whose head is written while the process drains says
   * {@code Connection: close}, and its connection is shut down: Vert.x closes it once the answer is sent and the
   * request read to its end (RFC 9112, 9.6; closing over unread bytes would reset it), at the latest after
   * {@code drain.timeout-ms}. Without it a keep-alive client took the answer as leave to send its next request on
   * the same connection, which the listener's close (Vert.x 5 closes an idle connection at once, a busy one right
   * after its answer) had shut: that request met a reset. Decided when the head is written, not when the request
   * came in, so that requests in flight when the drain began are covered too. HTTP/2 has GOAWAY instead, which
   * Vert.x sends when the listener closes.
   */
  public void closeConnectionsWhileDraining(RoutingContext ctx) {
    if (ctx.request().version() != HttpVersion.HTTP_2) {
      ctx.addHeadersEndHandler(ignored -> {
        if (draining.getAsBoolean()) {
          ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
          ctx.request().connection().shutdown(config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
      });
    }
    ctx.next();
  }

  /**
   * Router step, one per verticle (its own Redis client): the calling client's rate limit of reads or of writes
   * ({@link ClientBudget}), shared by all instances, and before it, for a publishable key (anyone may hold it: one abuser would spend the client's limit for every
   * citizen), the limit of the caller's address on it, in the same script call, when that address tells callers apart
   * (CallerAddress: not a non-public peer that is no trusted proxy).
   */
  public Handler<RoutingContext> clientLimit(Redis redis, RedisKeys keys) {
    return ctx -> limitClient(ctx, redis, keys);
  }

  private void limitClient(RoutingContext ctx, Redis redis, RedisKeys keys) {
    Caller caller = Caller.of(ctx);
    if (caller.isWarmup()) {
      ctx.next();
      return;
    }
    ClientBudget budget = ClientBudget.of(ctx.request().method());
    String clientKey = budget.key(keys, caller.clientId());
    Limit clientLimit = budget.limit(config.rateLimits(), caller.quotaClass());
    Optional<Limit> perAddress = config.rateLimits().publishablePerAddress();
    if (caller.client().publicKey() && perAddress.isPresent()) {
      CallerAddress.Resolved address = addresses.resolve(ctx.request());
      if (address.key().isPresent()) {
        limiter.acquire(redis, keys.addressLimit(caller.clientId(), address.key().get()), perAddress.get(), clientKey,
                clientLimit, budget.meter())
            .onSuccess(d -> {
              if (!d.allowed() && !d.refusedByAddress()) {
                clientLimited(caller, budget);
              }
              admit(ctx, d.allowed(), d.shown(), d.refusedByAddress() ? "this address" : budget.shownAs());
            })
            .onFailure(ctx::fail);
        return;
      }
      // a balancer's or proxy's address would hold every citizen behind it to one budget: the client's limit alone
      if (address.viaTrustedProxy()) {
        limiter.addressUnnamedByProxy(addresses.headerName());
      } else {
        limiter.addressUnknown();
      }
    }
    limiter.acquire(redis, budget.meter(), clientKey, clientLimit)
        .onSuccess(decision -> {
          if (!decision.allowed()) {
            clientLimited(caller, budget);
          }
          admit(ctx, decision.allowed(), decision, budget.shownAs());
        })
        .onFailure(ctx::fail);
  }

  /**
   * A client's whole budget spent turns every citizen behind it away (the portal's pages, a province's kiosks), and no
   * metric label names a client: one WARN per client and budget per 10 s says which, and with which quota class. Not
   * for an address over its own limit on a publishable key: that is one caller, and the limit working.
   */
  private void clientLimited(Caller caller, ClientBudget budget) {
    long suppressed = CLIENT_LIMITED_LOG.tryAcquire(caller.clientId() + " " + budget);
    if (suppressed >= 0) {
      LOG.warn("client {} is over its rate limit of {} (quota class {}; {} more refusals in the last 10 s)",
          caller.clientId(), budget.name().toLowerCase(Locale.ROOT), caller.quotaClass(), suppressed);
    }
  }

  /** Goes on with the decision's RateLimit-* headers, or answers 429 naming {@code limited} (never an address). */
  private void admit(RoutingContext ctx, boolean allowed, LimitDecision shown, String limited) {
    if (allowed) {
      shown.addHeaders(ctx.response());
      ctx.next();
    } else {
      refuse(ctx, Refusal.RATE_LIMITED, HttpFailure.rateLimited(limited, shown.retryAfterSeconds(), shown.headers()));
    }
  }

  /**
   * Route handler for submissions: refuses fast while draining, backlogged or at the concurrency limit. Over a
   * watermark, a submission carrying an Idempotency-Key is not refused here: it may be the retry of a dossier queued
   * before the watermark was crossed, whose citizen, told "nothing was queued", would file it again (QA). It goes on
   * as {@link Shed}, read and validated as any, and the intake only looks its earlier dossier up, queuing nothing:
   * its receipt, or this refusal ({@code DossierIntake.replayWhileShed}). The header is asked for only over a
   * watermark, and the bulkhead still bounds those look-ups. Over the memory watermark with
   * {@code degraded.redis-down=postgres}, every submission goes on ({@link Shed#direct}): the memory is held mostly by
   * Idempotency-Key records that free only as they expire (24 h by default), so a 503 there refused every new dossier
   * for up to a day with the queue empty and PostgreSQL healthy (a deadline day). The backlog watermark still
   * refuses: its workers catch up within minutes, and the direct path would only add to PostgreSQL's load.
   */
  public void shed(RoutingContext ctx) {
    if (draining.getAsBoolean()) {
      refuse(ctx, Refusal.DRAINING, HttpFailure.draining());
      return;
    }
    Shed over = overWatermark(ctx);
    if (over != null) {
      if (!over.direct() && !ctx.request().headers().contains(Idempotency.KEY_HEADER)) {
        refuse(ctx, over.refusal(), over.failure());
        return;
      }
      ctx.put(SHED, over);
    }
    if (!bulkhead.tryAcquirePermission()) {
      refuse(ctx, Refusal.CONCURRENCY, HttpFailure.overloaded("too many submissions in flight", 1));
      return;
    }
    ctx.addEndHandler(ignored -> bulkhead.onComplete());
    ctx.next();
  }

  /**
   * The backlog or memory watermark the submission is over, or null. They protect the Redis stream, to which the
   * warm-up adds nothing (its script runs read-only): a gateway added while the workers are behind warms its real
   * path instead of counting every synthetic answer as a citizen's backlog refusal (and a 503) on the dashboards.
   * Draining and the bulkhead still apply. (Who calls is asked only over a watermark: not on every submission.)
   */
  private Shed overWatermark(RoutingContext ctx) {
    Shedding shedding = config.shedding();
    Backlog b = backlog.latest();
    if (b.length() >= shedding.backlogMaxEntries() && !Caller.of(ctx).isWarmup()) {
      return new Shed(Refusal.BACKLOG, HttpFailure.overloaded("queue backlog of " + b.length() + " dossiers",
          shedding.retryAfterSeconds()), false);
    }
    if (b.memoryRatio() >= shedding.redisMemoryMaxRatio() && !Caller.of(ctx).isWarmup()) {
      return new Shed(Refusal.REDIS_MEMORY, HttpFailure.queueMemoryFull(shedding.retryAfterSeconds()),
          config.redisDown() == RedisDownPolicy.POSTGRES);
    }
    return null;
  }

  /** The refusal {@link #shed} deferred for this submission, or null (not over a watermark, or no key). */
  public static Shed shedOf(RoutingContext ctx) {
    return ctx.get(SHED);
  }

  /** A deferred refusal, counted now that the submission turned out to be no retry of a queued dossier. */
  public HttpFailure refuse(Shed shed) {
    countRefusal(shed.refusal());
    return shed.failure();
  }

  /**
   * Counts a refusal decided after admission: the applicant's rate limit, known only once the dossier was read (its
   * 429 counts as {@code rate_limited}, as the client's does).
   */
  public void countRefusal(Refusal refusal) {
    refusals.get(refusal).increment();
  }

  private void refuse(RoutingContext ctx, Refusal refusal, HttpFailure failure) {
    countRefusal(refusal);
    ctx.fail(failure);
  }
}
