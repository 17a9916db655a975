package vn.onewindow.gateway.submit;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.config.ResilienceConfig;
import vn.onewindow.common.config.ResilienceConfig.Breakers;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.RedisErrors;
import vn.onewindow.common.metrics.MeterNames.LimitKey;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.gateway.admission.Admission;
import vn.onewindow.gateway.admission.LimitDecision;
import vn.onewindow.gateway.admission.RateLimiter;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.submit.DossierQueue.KeyClaim;

/**
 * Takes a validated dossier in. Through Redis when it answers: the Idempotency-Key's claim (its own slot) and the
 * applicant's limit (their own slot, counting every partition) side by side, then the unit's partition script.
 * Otherwise by the configured degraded policy: a direct write to PostgreSQL, or a fast 503. Each store is called
 * behind its own circuit breaker.
 *
 * <p>A replayed retry never spends the applicant's quota: a replay answered while the applicant is limited is still a
 * 202, and a take that turned out to be a replay or a conflict is given back. The direct path is only taken when no
 * earlier attempt with the same key can be waiting in Redis (the claim said it is new, or, the breaker open, the key's
 * look-up past it found nothing, or Redis could not be asked and receipts are not required on replicas), and when this
 * submission's own script call never reached Redis (not sent, or its connection never opened): otherwise one dossier
 * could become two. A call that timed out may still run (a stalled server runs what it has read once it resumes), and
 * the dossier it queues gets the id its stream entry names, not this submission's pre-id, so PostgreSQL could not tell
 * the two rows apart as one dossier.
 */
public final class DossierIntake {
  /** Whether a receipt came through the queue or the degraded direct path. */
  public record Outcome(Receipt receipt, boolean degraded) {
  }

  private final DossierQueue queue;
  private final CodeSequences sequences;
  private final DirectWriter direct;
  private final RecentDirectWrites recentDirect;
  private final UpstreamBreakers breakers;
  private final RateLimiter limiter;
  private final Admission admission;
  private final RedisKeys keys;
  private final ResilienceConfig config;
  private final Receipts receipts;
  private final RedisDownPath redisDownPath;

  public DossierIntake(DossierQueue queue, CodeSequences sequences, DirectWriter direct,
                       RecentDirectWrites recentDirect, UpstreamBreakers breakers, RateLimiter limiter,
                       Admission admission, RedisKeys keys, ResilienceConfig config, RedisConfig redisConfig,
                       MeterRegistry registry) {
    this.queue = queue;
    this.sequences = sequences;
    this.direct = direct;
    this.recentDirect = recentDirect;
    this.breakers = breakers;
    this.limiter = limiter;
    this.admission = admission;
    this.keys = keys;
    this.config = config;
    this.receipts = new Receipts(limiter, admission, redisConfig);
    this.redisDownPath = new RedisDownPath(queue, direct, recentDirect, breakers, limiter, receipts, config,
        redisConfig, registry);
  }

  public Future<Outcome> submit(Redis redis, Submission s, long requestDeadline) {
    return unlessStoredDirectly(s, () -> viaRedis(redis, s, requestDeadline));
  }

  /**
   * {@link #submit} for a submission shed over a watermark ({@link Admission#shed}): the receipt of the dossier queued
   * earlier with its Idempotency-Key and body (Idempotent-Replayed), as an applicant over their limit gets it;
   * otherwise the shedding's refusal, now counted. Nothing is claimed or queued, no quota spent. Redis failing to
   * answer is the same refusal: this request queued nothing either way. Shed for Redis's memory with the direct path
   * on ({@link Admission.Shed#direct}): a new dossier is written to PostgreSQL instead, as with Redis down, once Redis
   * said no dossier of its key is queued (RedisDownPath).
   */
  public Future<Outcome> replayWhileShed(Redis redis, Submission s, Admission.Shed shed) {
    if (shed.direct()) {
      // the direct path could not take it either (PostgreSQL's breaker open...): the shedding's refusal, counted so
      return unlessStoredDirectly(s, () -> withoutTheQueue(redis, s, applicantLimit(redis, s), null, false,
          new RedisDownPath.MemoryFull()))
          .onFailure(err -> {
            if (err instanceof HttpFailure f && f.problem() == shed.failure().problem()) {
              admission.countRefusal(shed.refusal());
            }
          });
    }
    return unlessStoredDirectly(s, () -> breakers.enqueue(keys.partitions().ofDossier(s.dossierId()),
            config.breakers().redisEnqueueTimeout(), () -> earlier(s, () -> false))
        .recover(err -> Future.succeededFuture(new EnqueueResult.Absent()))
        .map(found -> {
          // a key marked for the direct path and not yet in PostgreSQL (storedDirectly): nothing queued either
          if (found instanceof EnqueueResult.Absent || found instanceof EnqueueResult.Direct) {
            throw admission.refuse(shed);
          }
          return new Outcome(receipts.of(found), false);
        }));
  }

  /**
   * The receipt PostgreSQL holds for this key when the direct path stored the dossier (a retry of it: replayed),
   * else the next step.
   */
  private Future<Outcome> unlessStoredDirectly(Submission s, Supplier<Future<Outcome>> next) {
    return storedDirectly(s).compose(stored -> stored != null
        ? Future.succeededFuture(new Outcome(stored, false))
        : next.get());
  }

  /**
   * The warm-up's stand-in for {@link #submit}: the partition script in its read-only mode, for a key nobody used
   * (so it answers "absent" and writes nothing), outside the breakers and limits whose figures it must not sway.
   */
  public Future<Void> rehearse(Redis redis, Submission s) {
    // Redis gone (a hub stopped mid-warm-up stops its embedded one): the upstream's 503, as a submission would get,
    // not an unhandled failure's 500 and stack trace per synthetic request
    return queue.rehearse(s)
        .recover(err -> Future.failedFuture(HttpFailure.unavailable("queue (redis)", err)))
        .compose(result -> result instanceof EnqueueResult.Absent
            ? Future.succeededFuture()
            : Future.failedFuture(new IllegalStateException("a warm-up key was found in Redis: " + result)));
  }

  /** A key first used on the direct path (Redis down) and retried now: PostgreSQL has its receipt. */
  private Future<Receipt> storedDirectly(Submission s) {
    return keyInPostgres(s)
        .map(found -> found instanceof EnqueueResult.Absent ? null : receipts.of(found))
        .recover(err -> err instanceof HttpFailure ? Future.failedFuture(err) : Future.succeededFuture());
  }

  /**
   * PostgreSQL's answer for this submission's Idempotency-Key (its receipt, a conflict, or absent) while a dossier of
   * that key may be there and not in Redis: the direct path wrote dossiers, or Redis lost its data, within the
   * idempotency TTL ({@link RecentDirectWrites}), or may have lost it ({@link CodeSequences#lossSuspected}: a
   * seeding under way in this process, or just ended). Until its seeding tells RecentDirectWrites, another gateway may
   * have seeded a partition already, and a retry of a dossier written before the loss would be numbered again there
   * (cluster drill). Absent, without asking, for an unkeyed submission or otherwise.
   */
  private Future<EnqueueResult> keyInPostgres(Submission s) {
    if (s.idempotencyKey() == null) {
      return Future.succeededFuture(new EnqueueResult.Absent());
    }
    boolean lossSuspected = sequences.lossSuspected();
    if (!lossSuspected && !recentDirect.active()) {
      return Future.succeededFuture(new EnqueueResult.Absent());
    }
    Duration timeout = config.breakers().postgresReadTimeout();
    // while a loss is suspected, a look-up that could not be made is a 503 (nothing queued), not a carry-on: the
    // partition may have been seeded by another gateway, and would number the retry as a second dossier
    return lossSuspected ? breakers.call(Upstream.POSTGRES_READ, timeout, "database (postgres)", () -> direct.lookUp(s))
        : breakers.call(Upstream.POSTGRES_READ, timeout, () -> direct.lookUp(s));
  }

  private Future<Outcome> viaRedis(Redis redis, Submission s, long requestDeadline) {
    AtomicReference<KeyClaim> claimed = new AtomicReference<>();
    // Set once the call has failed (a timeout included) and the request is being answered without Redis. A claim
    // that answers later (a failover's stall) must then queue nothing: the request may have gone down the direct
    // path meanwhile, or been answered 503 and retried there, and queuing too would make a second dossier of one
    // Idempotency-Key. Everything runs on the request's event loop, so a plain flag is enough.
    AtomicBoolean givenUp = new AtomicBoolean();
    // set when the partition script's call carries this dossier: from then on Redis may queue it
    AtomicBoolean sent = new AtomicBoolean();
    // the moment the breaker below gives up on this call, or the request's deadline answers its client if that comes
    // first (a slow upload left less than the enqueue's timeout), less the margin for the hosts' clocks: the script
    // queues nothing after it (enqueue-dossier.lua)
    long now = System.currentTimeMillis();
    long deadline = Math.min(now + config.breakers().redisEnqueueTimeout().toMillis(), requestDeadline)
        - Breakers.ENQUEUE_DEADLINE_MARGIN.toMillis();
    if (deadline <= now) {
      // a slow upload left less than the clocks' margin: the call could only come back 'expired' (its WARN then
      // blaming Redis's clock), so the same 503 now, nothing sent, no quota taken
      return Future.failedFuture(HttpFailure.tooLateToQueue("queue (redis)"));
    }
    Future<LimitDecision> limit = applicantLimit(redis, s);
    return breakers.enqueue(keys.partitions().ofDossier(s.dossierId()), config.breakers().redisEnqueueTimeout(),
            () -> queue.claimKey(s), claim -> {
              claimed.set(claim);
              return limit.compose(decision -> givenUp.get()
                  ? Future.failedFuture(new IllegalStateException("the limit answered after the call gave up"))
                  : admit(redis, s, claim, decision, deadline, givenUp::get, () -> sent.set(true)));
            })
        .compose(result -> result instanceof EnqueueResult.Direct
            // another gateway, over the memory ratio, marked the key for the direct path: PostgreSQL's answer
            ? limit.compose(decision -> redisDownPath.marked(s, decision))
            : Future.succeededFuture(new Outcome(receipts.of(result), false)),
            err -> {
          givenUp.set(true);
          // an OOM reply refused the script's first write: nothing of the call was queued, a definite answer
          return err instanceof HttpFailure ? Future.failedFuture(err) : withoutTheQueue(redis, s, limit,
              claimed.get(), sent.get() && !RedisErrors.neverConnected(err) && !RedisErrors.outOfMemory(err), err);
        });
  }

  /**
   * A submission the queue could not take ({@code err}: Redis down, slow, its breaker open, or its memory full),
   * answered past it: an earlier dossier's receipt Redis still has, else the degraded policy (RedisDownPath).
   * {@code mayBeQueued}: this submission's script call reached Redis and may have run.
   */
  private Future<Outcome> withoutTheQueue(Redis redis, Submission s, Future<LimitDecision> limit, KeyClaim claim,
                                          boolean mayBeQueued, Throwable err) {
    return limit.compose(decision -> redisDownPath.askPastTheBreaker(s, claim, err, decision.allowed())
        .compose(earlier -> earlier.result() instanceof EnqueueResult.Direct ? redisDownPath.marked(s, decision)
            : earlier.found() ? Future.succeededFuture(replayed(redis, s, decision, earlier.result()))
            : redisDownPath.answer(s, earlier.claim(), mayBeQueued, decision, err))
        // refused (503: retry) with no dossier for this attempt, so none of the applicant's quota: else a frontend
        // retrying through a failover spends it in seconds and meets 429s once the queue is back. Not when the call
        // reached Redis and may have run (no reply in time): that 503 is uncertain, and a dossier queued all the same
        // must have cost its share (an error reply says the call failed)
        .onFailure(refused -> {
          if (!mayBeQueued || err instanceof Response) {
            refund(redis, s, decision);
          }
        }));
  }

  /** The earlier dossier's receipt (or its conflict): a replay costs the applicant nothing, limited or not. */
  private Outcome replayed(Redis redis, Submission s, LimitDecision decision, EnqueueResult earlier) {
    // first: a conflict throws its 409 here, and the failure's own refund below gives the share back once
    Outcome outcome = new Outcome(receipts.of(earlier), false);
    if (decision.allowed()) {
      refund(redis, s, decision);
    }
    return outcome;
  }

  private Future<LimitDecision> applicantLimit(Redis redis, Submission s) {
    if (!config.rateLimits().enabled() || s.applicantKey().isEmpty()) {
      return Future.succeededFuture(LimitDecision.UNLIMITED);
    }
    return limiter.decide(redis, keys.applicantLimit(s.applicantKey()), config.rateLimits().applicant());
  }

  private Future<EnqueueResult> admit(Redis redis, Submission s, KeyClaim claim, LimitDecision decision, long deadline,
                                      BooleanSupplier givenUp, Runnable sent) {
    if (claim == KeyClaim.CONFLICT) {
      refund(redis, s, decision);
      return Future.succeededFuture(new EnqueueResult.Conflict());
    }
    if (!decision.allowed()) {
      // limited, unless this is a retry of a dossier already queued: its receipt costs nothing
      return !claim.mayBeQueued() ? Future.succeededFuture(new EnqueueResult.Limited(decision))
          : earlier(s, givenUp).map(found -> found instanceof EnqueueResult.Absent
              ? new EnqueueResult.Limited(decision) : found);
    }
    return numbered(redis, s, deadline, givenUp, sent).onSuccess(result -> {
      if (newDossier(result)) {
        // an allowed decision is counted once it spent the quota: a replay or conflict gets its share back
        limiter.count(LimitKey.APPLICANT, decision);
      } else {
        refund(redis, s, decision);
      }
    });
  }

  /**
   * The partition script; when it numbered nothing because the partition's counters are not Redis's own (its data
   * lost, or a fresh install), once more after seeding them from PostgreSQL (CodeSequences). Within the enqueue's
   * timeout: the seeding's query is bounded by a part of it. PostgreSQL not answering the seeding is
   * {@link EnqueueResult.NotSeeded}, not a failure of this call: Redis answered, and the queue's breaker must not
   * open over PostgreSQL's outage (whose own breaker counted it).
   */
  private Future<EnqueueResult> numbered(Redis redis, Submission s, long deadline, BooleanSupplier givenUp,
                                         Runnable sent) {
    return queue.enqueueBy(s, deadline, givenUp, sent).compose(result -> result instanceof EnqueueResult.Unseeded
        ? sequences.seed(redis, keys.partitions().ofUnit(s.receivingUnit()))
            .compose(seeded -> keptBeforeTheLoss(s).compose(earlier -> earlier instanceof EnqueueResult.Absent
                    ? queue.enqueueBy(s, deadline, givenUp, sent) : Future.succeededFuture(earlier)),
                err -> err instanceof HttpFailure f
                    ? Future.succeededFuture(new EnqueueResult.NotSeeded(f)) : Future.failedFuture(err))
        : Future.succeededFuture(result));
  }

  /**
   * After a seeding: the dossier PostgreSQL holds for this key. A seeding that found codes means Redis lost the
   * idempotency records too, and the submission that ran it was claimed as new before anyone knew: the first request
   * to reach the partition after the loss is as likely as any to be a frontend's retry, and numbering it would make a
   * second dossier. {@link #storedDirectly} covers the submissions that come after.
   */
  private Future<EnqueueResult> keptBeforeTheLoss(Submission s) {
    // PostgreSQL not answering now is a 503 with nothing queued, as a seeding it could not answer (mapped as every
    // PostgreSQL failure is: an open breaker says so, a broken statement is the hub's 500): this call reached Redis,
    // and the queue's breaker must not count PostgreSQL's failure
    return keyInPostgres(s)
        .recover(err -> Future.succeededFuture(
            new EnqueueResult.NotSeeded(breakers.failure("database (postgres)", err))));
  }

  /**
   * The dossier queued earlier with this submission's Idempotency-Key: the partition script in its replay-only mode
   * (its receipt, a conflict for another body, or {@link EnqueueResult.Absent}); never queues one. For the retries
   * that may not queue: an applicant over their limit, a submission shed over a watermark.
   */
  private Future<EnqueueResult> earlier(Submission s, BooleanSupplier givenUp) {
    return queue.replay(s, givenUp);
  }

  private void refund(Redis redis, Submission s, LimitDecision decision) {
    if (!s.applicantKey().isEmpty()) {
      limiter.refund(redis, keys.applicantLimit(s.applicantKey()), config.rateLimits().applicant(), decision);
    }
  }

  private static boolean newDossier(EnqueueResult result) {
    return result instanceof EnqueueResult.Accepted a ? !a.receipt().replayed()
        : result instanceof EnqueueResult.Unconfirmed u && !u.receipt().replayed();
  }
}
