package vn.onewindow.gateway.submit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.config.ResilienceConfig.Breakers;
import vn.onewindow.common.metrics.MeterNames.LimitKey;
import vn.onewindow.common.metrics.MeterNames.Refusal;
import vn.onewindow.common.metrics.ThrottledLog;
import vn.onewindow.gateway.admission.Admission;
import vn.onewindow.gateway.admission.LimitDecision;
import vn.onewindow.gateway.admission.RateLimiter;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * What a submission's {@link EnqueueResult} answers: its receipt (202), or the one failure each other result is
 * (429 limited, 409 conflict, the 503s of a queue not seeded, a deadline passed, replicas not confirming). The one
 * place these results become answers, for the queue's path and the direct path alike.
 */
final class Receipts {
  private static final Logger LOG = LoggerFactory.getLogger(Receipts.class);
  private static final ThrottledLog EXPIRED_LOG = ThrottledLog.everyTenSeconds();

  private final RateLimiter limiter;
  private final Admission admission;
  private final RedisConfig redisConfig;

  Receipts(RateLimiter limiter, Admission admission, RedisConfig redisConfig) {
    this.limiter = limiter;
    this.admission = admission;
    this.redisConfig = redisConfig;
  }

  /** The receipt a result gives, or the failure it is answered with. */
  Receipt of(EnqueueResult result) {
    if (result instanceof EnqueueResult.Accepted accepted) {
      return accepted.receipt();
    }
    if (result instanceof EnqueueResult.Limited limited) {
      throw limited(limited.decision());
    }
    if (result instanceof EnqueueResult.Conflict) {
      throw HttpFailure.idempotencyConflict();
    }
    if (result instanceof EnqueueResult.NotSeeded notSeeded) {
      throw notSeeded.failure();
    }
    if (result instanceof EnqueueResult.Expired) {
      // answered while this gateway still waited: the call reached Redis within the margin before its timeout, or
      // Redis's clock runs ahead of this host's; the latter, beyond the margin, would refuse every submission while
      // the breaker counts healthy replies, and only this line tells it apart
      long suppressed = EXPIRED_LOG.tryAcquire("expired");
      if (suppressed >= 0) {
        LOG.warn("the queue (redis) answered a submission 'expired' while this gateway still waited for it ({} more in "
            + "the last 10 s): the call took nearly its whole timeout, or Redis's clock is ahead of this host's by "
            + "more than {} ms", suppressed, Breakers.ENQUEUE_DEADLINE_MARGIN.toMillis());
      }
      throw HttpFailure.enqueueExpired("queue (redis)");
    }
    if (result instanceof EnqueueResult.Unseeded) {
      // seeded, and the marker gone again before the second call (another loss of Redis's data meanwhile)
      throw HttpFailure.countersNotSeeded(null);
    }
    if (result instanceof EnqueueResult.Unconfirmed) {
      long waited = redisConfig.replicaAckTimeout().toMillis();
      throw HttpFailure.replicationUnconfirmed(redisConfig.minReplicasAck(), waited, (int) (waited + 999) / 1000 + 1);
    }
    throw new IllegalStateException("no receipt in " + result);
  }

  /** The applicant's 429, counted as a refusal and as the limit's decision. */
  HttpFailure limited(LimitDecision decision) {
    limiter.count(LimitKey.APPLICANT, decision);
    admission.countRefusal(Refusal.RATE_LIMITED);
    return HttpFailure.rateLimited("this applicant", decision.retryAfterSeconds(), decision.headers());
  }
}
