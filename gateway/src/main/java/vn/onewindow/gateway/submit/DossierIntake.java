package vn.onewindow.gateway.submit;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.ResilienceConfig;
import vn.onewindow.common.config.ResilienceConfig.RedisDownPolicy;
import vn.onewindow.common.metrics.MeterNames.LimitKey;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.gateway.admission.LimitDecision;
import vn.onewindow.gateway.admission.LocalRateLimiter;
import vn.onewindow.gateway.admission.RateLimiter;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * Takes a validated dossier in: through the Redis queue when it answers, otherwise by the configured degraded
 * policy (a direct write to PostgreSQL, or a fast 503). Each store is called behind its own circuit breaker.
 */
public final class DossierIntake {
  private static final Logger LOG = LoggerFactory.getLogger(DossierIntake.class);

  /** Whether a receipt came through the queue or the degraded direct path. */
  public record Outcome(Receipt receipt, boolean degraded) {
  }

  private final DossierQueue queue;
  private final DirectWriter direct;
  private final UpstreamBreakers breakers;
  private final RateLimiter limiter;
  private final LocalRateLimiter localApplicantLimits;
  private final ResilienceConfig config;

  public DossierIntake(DossierQueue queue, DirectWriter direct, UpstreamBreakers breakers, RateLimiter limiter,
                       LocalRateLimiter localApplicantLimits, ResilienceConfig config) {
    this.queue = queue;
    this.direct = direct;
    this.breakers = breakers;
    this.limiter = limiter;
    this.localApplicantLimits = localApplicantLimits;
    this.config = config;
  }

  public Future<Outcome> submit(Redis redis, Submission s) {
    return breakers.call(Upstream.REDIS_ENQUEUE, config.breakers().redisEnqueueTimeout(), () -> queue.enqueue(redis, s))
        .map(result -> new Outcome(receiptOf(result), false))
        .recover(err -> err instanceof HttpFailure ? Future.failedFuture(err) : redisDown(s, err));
  }

  private Future<Outcome> redisDown(Submission s, Throwable cause) {
    if (config.redisDown() == RedisDownPolicy.REFUSE) {
      return Future.failedFuture(unavailable("queue (redis)", cause));
    }
    if (config.rateLimits().enabled() && !s.applicantKey().isEmpty()) {
      LimitDecision decision = localApplicantLimits.acquire("applicant:" + s.applicantKey(),
          config.rateLimits().applicant().share(config.rateLimits().fallbackInstances()));
      if (!decision.allowed()) {
        limiter.count(LimitKey.APPLICANT, decision);
        return Future.failedFuture(HttpFailure.rateLimited("this applicant", decision.retryAfterSeconds(),
            decision.headers()));
      }
    }
    LOG.warn("dossier {} written directly to PostgreSQL: queue unavailable ({})", s.dossierId(),
        cause.getClass().getSimpleName());
    return breakers.call(Upstream.POSTGRES_WRITE, config.breakers().postgresWriteTimeout(), () -> direct.write(s))
        .map(result -> new Outcome(receiptOf(result), true))
        .recover(err -> err instanceof HttpFailure ? Future.failedFuture(err)
            : Future.failedFuture(unavailable("queue (redis) and database (postgres)", err)));
  }

  private Receipt receiptOf(EnqueueResult result) {
    if (result instanceof EnqueueResult.Limited limited) {
      limiter.count(LimitKey.APPLICANT, limited.decision());
      throw HttpFailure.rateLimited("this applicant", limited.decision().retryAfterSeconds(),
          limited.decision().headers());
    }
    if (result instanceof EnqueueResult.Conflict) {
      throw HttpFailure.idempotencyConflict();
    }
    return ((EnqueueResult.Accepted) result).receipt();
  }

  private HttpFailure unavailable(String what, Throwable cause) {
    return cause instanceof CallNotPermittedException
        ? HttpFailure.circuitOpen(what, breakers.retryAfterSeconds(), cause)
        : HttpFailure.submissionUncertain(what, cause);
  }
}
