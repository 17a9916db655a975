package vn.onewindow.gateway.submit;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.config.ResilienceConfig;
import vn.onewindow.common.config.ResilienceConfig.Breakers;
import vn.onewindow.common.config.ResilienceConfig.RedisDownPolicy;
import vn.onewindow.common.infra.RedisErrors;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.DirectReason;
import vn.onewindow.common.metrics.MeterNames.LimitKey;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.metrics.ThrottledLog;
import vn.onewindow.gateway.admission.LimitDecision;
import vn.onewindow.gateway.admission.RateLimiter;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.submit.DossierIntake.Outcome;
import vn.onewindow.gateway.submit.DossierQueue.KeyClaim;

/**
 * A submission whose enqueue failed (Redis down, slow, or its breaker open), or that Redis's memory keeps from the
 * queue ({@link MemoryFull}), answered by the degraded policy ({@code degraded.redis-down}): a direct write to
 * PostgreSQL when no attempt with its key can be waiting in Redis; PostgreSQL's answer for the key when one may be (a
 * keyed earlier dossier written meanwhile); else a 503.
 */
final class RedisDownPath {
  private static final Logger LOG = LoggerFactory.getLogger(RedisDownPath.class);
  private static final ThrottledLog DIRECT_WRITES_LOG = ThrottledLog.everyTenSeconds();

  private final DossierQueue queue;
  private final DirectWriter direct;
  private final RecentDirectWrites recentDirect;
  private final UpstreamBreakers breakers;
  private final RateLimiter limiter;
  private final Receipts receipts;
  private final ResilienceConfig config;
  private final RedisConfig redisConfig;
  private final Map<DirectReason, Counter> directWrites = new EnumMap<>(DirectReason.class);

  /**
   * Redis is over {@code shed.redis-memory-max-ratio} of its maxmemory (Admission): this submission was not sent to
   * it, so nothing of it was queued. The cause the direct path is taken for, as an OOM reply is
   * ({@link RedisErrors#outOfMemory}).
   */
  static final class MemoryFull extends RuntimeException {
    MemoryFull() {
      super("redis is over shed.redis-memory-max-ratio of its maxmemory; the submission was not sent to it", null,
          false, false);
    }
  }

  RedisDownPath(DossierQueue queue, DirectWriter direct, RecentDirectWrites recentDirect, UpstreamBreakers breakers,
                RateLimiter limiter, Receipts receipts, ResilienceConfig config, RedisConfig redisConfig,
                MeterRegistry registry) {
    this.queue = queue;
    this.direct = direct;
    this.recentDirect = recentDirect;
    this.breakers = breakers;
    this.limiter = limiter;
    this.receipts = receipts;
    this.config = config;
    this.redisConfig = redisConfig;
    for (DirectReason reason : DirectReason.values()) {
      directWrites.put(reason, Counter.builder(MeterNames.SUBMISSIONS_DIRECT).tag(MeterNames.TAG_REASON, reason.tag())
          .description("New dossiers written straight to PostgreSQL, by why Redis could not take them")
          .register(registry));
    }
  }

  /**
   * Redis's memory kept the dossier out of the queue, with certainty that nothing of this request was queued: over
   * the ratio it was never sent; an OOM reply refused the script's first write, and a script refused there wrote
   * nothing (Redis checks only a script's first write).
   */
  static boolean memoryFull(Throwable cause) {
    return cause instanceof MemoryFull || RedisErrors.outOfMemory(cause);
  }

  /**
   * What Redis said of a key the open breaker kept from asking: its earlier dossier (a receipt or a conflict), or null
   * and the claim to go on with.
   */
  record AskedPastTheBreaker(EnqueueResult result, KeyClaim claim) {
    boolean found() {
      return result != null;
    }
  }

  /**
   * A keyed submission the open enqueue breaker refused before anything was asked, or that Redis's memory kept from
   * the queue ({@link #memoryFull}: Redis still answers reads, and an OOM reply for a batch says nothing of whether
   * this key was queued before; with the claim answered NEW nothing needs asking): past the breaker, for at most
   * {@link Breakers#KEY_LOOKUP_WHILE_OPEN} in all, whether a dossier was queued with its key already (the partition
   * script's replay-only mode), and when none was, the key's claim (its own slot: it alone knows the key across
   * partitions, so another body naming another unit is a 409 here as with the breaker closed). A breaker stays open
   * after Redis answers again (another gateway's, or this one's after a failover), and the direct path alone made a
   * retry of a queued dossier a second one (a cluster tryout: 33 rows for 30 keys). The claim then decides as it does
   * with the breaker closed (new: the direct path may write; same: only PostgreSQL's receipt, else 503). Absent and no
   * claim to ask (one partition), or Redis not answering: the claim stays unknown, as before the look-up (the direct
   * path with {@code redis.min-replicas-ack} 0, a 503 above it, which must not turn into direct writes: an attempt
   * still in flight on another gateway may queue the same key after this look-up). The partition is read without
   * waiting for replicas ({@link DossierQueue#peek}): a conflict or an absent key needs none, and a receipt it finds
   * is given, with {@code redis.min-replicas-ack} &gt; 0, once {@link DossierQueue#replay}'s WAIT confirms it.
   * {@code mayClaim}: false for an applicant over their limit, refused whatever the claim says, who must leave no
   * claim behind: its retry's claim would answer SAME ("an earlier attempt may be queued"), and with Redis's memory
   * full that is PostgreSQL's answer (none) or a 503 for every retry until memory frees, hours.
   */
  Future<AskedPastTheBreaker> askPastTheBreaker(Submission s, KeyClaim claim, Throwable cause, boolean mayClaim) {
    AskedPastTheBreaker unknown = new AskedPastTheBreaker(null, claim);
    if (!(cause instanceof CallNotPermittedException || memoryFull(cause)) || s.idempotencyKey() == null
        || claim != null && !claim.mayBeQueued()) {
      return Future.succeededFuture(unknown);
    }
    // given up, a replay still waiting behind its partition's call in flight is never sent
    AtomicBoolean givenUp = new AtomicBoolean();
    // the partition answered that no dossier of this key is queued there
    AtomicBoolean absent = new AtomicBoolean();
    // with replicas to confirm, the master's answer first, without the replay's WAIT: a partition that cannot confirm
    // (its replica stopped) held a conflict's 409 past this look-up's bound for a replica it does not need (a tryout:
    // 11 of 11 answered 503). Without, the replay, which has no WAIT then and keeps its place behind this gateway's
    // calls queued for the partition: a peek would overtake a same-key attempt queued there (a double submit) and,
    // finding nothing, let the direct path write a second dossier (review; a race not reproduced)
    return (redisConfig.minReplicasAck() > 0 ? queue.peek(s)
            : memoryFull(cause) ? reserve(s, givenUp) : queue.replay(s, givenUp::get))
        .compose(peeked -> peeked instanceof EnqueueResult.Unconfirmed
            // a receipt found with redis.min-replicas-ack > 0: given only once the replay's WAIT confirms it
            ? queue.replay(s, givenUp::get) : Future.succeededFuture(peeked))
        .compose(result -> {
          if (result instanceof EnqueueResult.Accepted || result instanceof EnqueueResult.Conflict
              || result instanceof EnqueueResult.Direct) {
            return Future.succeededFuture(new AskedPastTheBreaker(result, claim));
          }
          absent.set(result instanceof EnqueueResult.Absent || result instanceof EnqueueResult.Reserved);
          // a claim answered already (SAME or UNCLAIMED, before an OOM) stands: asked again, SAME would be this
          // request's own claim
          return absent.get() && claim == null && mayClaim ? queue.claimKey(s).map(this::claimed)
              : Future.succeededFuture(unknown);
        })
        .timeout(Breakers.KEY_LOOKUP_WHILE_OPEN.toMillis(), TimeUnit.MILLISECONDS)
        .onFailure(err -> givenUp.set(true))
        // Redis up but full, and its partition not asked in time: a retry of a dossier queued there must not become a
        // second one, so as a claim answered SAME, PostgreSQL's answer alone (else the 503). Redis down keeps the
        // unknown claim, as before this look-up
        .otherwise(err -> memoryFull(cause) && !absent.get() ? new AskedPastTheBreaker(null, KeyClaim.SAME) : unknown);
  }

  /**
   * Redis's memory kept the dossier from the queue, but Redis takes writes (over the ratio): the look-up marks the key
   * for the direct path in the same script run ({@link DossierQueue#reserve}), so that an attempt of the key on
   * another gateway, under its ratio, is not queued while this one writes to PostgreSQL (an ops tryout with two
   * gateways: 453 of 2,174 keys sent to both got two codes). At maxmemory the mark is refused (OOM): the read-only
   * look-up, as before, and that race stays open there.
   */
  private Future<EnqueueResult> reserve(Submission s, AtomicBoolean givenUp) {
    return queue.reserve(s, givenUp::get).recover(err -> RedisErrors.outOfMemory(err)
        ? queue.replay(s, givenUp::get) : Future.failedFuture(err));
  }

  /**
   * A key marked for the direct path ({@link EnqueueResult.Direct}), met by any attempt of it: PostgreSQL's answer,
   * written by whichever attempt takes the key's lock there first (DirectWriter: the others get its receipt), never a
   * queued second dossier.
   */
  Future<Outcome> marked(Submission s, LimitDecision decision) {
    return answer(s, KeyClaim.NEW, false, decision, new MemoryFull());
  }

  private AskedPastTheBreaker claimed(KeyClaim claim) {
    return switch (claim) {
      case CONFLICT -> new AskedPastTheBreaker(new EnqueueResult.Conflict(), claim);
      case NEW, SAME -> new AskedPastTheBreaker(null, claim);
      // one partition: no claim was asked, the partition's look-up was the whole answer
      default -> new AskedPastTheBreaker(null, null);
    };
  }

  /**
   * {@code claim} is null when Redis never answered the claim (or there was no time to ask); {@code mayBeQueued}:
   * this submission's script call reached Redis, or may have.
   */
  Future<Outcome> answer(Submission s, KeyClaim claim, boolean mayBeQueued, LimitDecision decision, Throwable cause) {
    if (!decision.allowed()) {
      return Future.failedFuture(receipts.limited(decision));
    }
    if (cause instanceof UpstreamBreakers.LoopStalled) {
      // this gateway's overload, not Redis's: the direct path would add PostgreSQL's work, timed on the same stalled
      // loop, to it (a flood turned its timeouts into direct writes, and those opened PostgreSQL's breakers)
      return Future.failedFuture(mayBeQueued ? HttpFailure.submissionUncertain("queue (redis)", cause)
          : HttpFailure.busy("queue (redis)", cause));
    }
    if (config.redisDown() == RedisDownPolicy.REFUSE) {
      return Future.failedFuture(unavailable("queue (redis)", cause));
    }
    boolean unknown = claim == null || claim == KeyClaim.UNCLAIMED;
    if (mayBeQueued || claim == KeyClaim.SAME
        || (unknown && s.idempotencyKey() != null && redisConfig.minReplicasAck() > 0)) {
      // this attempt or an earlier one with this key may be in Redis, unpersisted: only PostgreSQL's answer is safe
      // to give (a keyed earlier dossier written meanwhile); a new dossier written here would be a second one
      return breakers.call(Upstream.POSTGRES_READ, config.breakers().postgresReadTimeout(), () -> direct.lookUp(s))
          .recover(err -> Future.failedFuture(unavailable("queue (redis)", cause)))
          .map(found -> {
            if (found instanceof EnqueueResult.Absent) {
              throw unavailable("queue (redis)", cause);
            }
            return new Outcome(receipts.of(found), false);
          });
    }
    // one WARN per 10 s, not one per dossier: a Redis outage on a deadline day wrote thousands of lines a minute
    // (ops tryout); hub_submissions_total{outcome="degraded"} counts them all, and each row says stream_entry_id
    // 'direct'
    long suppressed = DIRECT_WRITES_LOG.tryAcquire("direct");
    if (suppressed >= 0) {
      LOG.warn("dossier {} written directly to PostgreSQL ({} more in the last 10 s): queue unavailable ({})",
          s.dossierId(), suppressed, memoryFull(cause) ? "redis memory full" : cause.getClass().getSimpleName());
    }
    Counter counted = directWrites.get(memoryFull(cause) ? DirectReason.REDIS_MEMORY : DirectReason.REDIS_DOWN);
    return breakers.call(Upstream.POSTGRES_WRITE, config.breakers().postgresWriteTimeout(), () -> direct.write(s))
        .onSuccess(written -> {
          recentDirect.noted(s.receiptDate());
          limiter.count(LimitKey.APPLICANT, decision);
          if (written instanceof EnqueueResult.Accepted a && !a.receipt().replayed()) {
            counted.increment();
          }
        })
        .map(result -> new Outcome(receipts.of(result), true))
        .recover(err -> err instanceof HttpFailure ? Future.failedFuture(err)
            // Redis full and PostgreSQL's breaker open: nothing written anywhere, the memory refusal says why
            : Future.failedFuture(unavailable("queue (redis) and database (postgres)",
                err instanceof CallNotPermittedException && memoryFull(cause) ? cause : err)));
  }

  private HttpFailure unavailable(String what, Throwable cause) {
    // memory: certain that nothing was queued, and not over in a moment (idempotency records expire over hours)
    return memoryFull(cause) ? HttpFailure.queueMemoryFull(config.shedding().retryAfterSeconds())
        : cause instanceof CallNotPermittedException
        ? HttpFailure.circuitOpenNothingQueued(what, breakers.retryAfterSeconds(), cause)
        : HttpFailure.submissionUncertain(what, cause);
  }
}
