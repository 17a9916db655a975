package vn.onewindow.gateway.submit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vn.onewindow.common.config.DossierConfig;
import vn.onewindow.common.config.ResilienceConfig.Limit;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.QueuedReceipt;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.RedisScript;
import vn.onewindow.common.metrics.LatencyTimers;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.gateway.admission.LimitDecision;

/**
 * Puts a dossier on the Redis stream with one atomic script call (see enqueue-dossier.lua). The returned future
 * succeeds only once Redis has acknowledged the write, so a 202 is never sent for a dossier that is not queued.
 */
public final class DossierQueue {
  private static final RedisScript ENQUEUE = RedisScript.fromResources("lua/gcra.lua", "lua/enqueue-dossier.lua");

  private final RedisKeys keys;
  private final DossierConfig config;
  private final Limit applicantLimit;
  private final Timer latency;

  /** {@code applicantLimit} is null when applicant rate limits are off. */
  public DossierQueue(RedisKeys keys, DossierConfig config, Limit applicantLimit, MeterRegistry registry) {
    this.keys = keys;
    this.config = config;
    this.applicantLimit = applicantLimit;
    this.latency = LatencyTimers.register(MeterNames.ENQUEUE_LATENCY,
        "Time for Redis to acknowledge one dossier enqueue", registry);
  }

  public Future<EnqueueResult> enqueue(Redis redis, Submission s) {
    boolean limitApplicant = applicantLimit != null && !s.applicantKey().isEmpty();
    List<String> scriptKeys = List.of(
        s.idempotencyKey() == null ? "" : keys.idempotency(s.clientId(), s.idempotencyKey()),
        keys.sequence(s.receivingUnit(), DossierCode.day(s.receiptDate())),
        keys.stream(),
        keys.receipt(s.dossierId()),
        limitApplicant ? keys.applicantLimit(s.applicantKey()) : "");
    Map<String, String> entry = new StreamEntry(s.dossierId(), null, s.clientId(), s.receivedAt().toString(),
        s.idempotencyKey(), s.payload(), s.bodySha256()).toFields();
    Map<String, String> receipt = new QueuedReceipt(null, s.receivedAt().toString(), s.clientId(),
        s.procedureCode(), s.receivingUnit(), s.handlingAgency(), s.channel(), s.expectedResultBy().toString(),
        s.applicantHash()).toFields();
    List<String> args = new ArrayList<>(13 + 2 * (entry.size() + receipt.size()));
    args.addAll(List.of(
        s.bodySha256(), s.dossierId(), DossierCode.prefix(s.receivingUnit(), s.receiptDate()),
        DossierCode.SEQUENCE_FORMAT, Long.toString(config.idempotencyTtl().toSeconds()),
        Long.toString(config.receiptTtl().toSeconds()), s.receivedAt().toString(), s.expectedResultBy().toString(),
        limitApplicant ? Double.toString(1000.0 / applicantLimit.perSecond()) : "0",
        limitApplicant ? Integer.toString(applicantLimit.burst()) : "0",
        StreamEntry.CODE, QueuedReceipt.ENTRY, Integer.toString(entry.size())));
    entry.forEach((name, value) -> {
      args.add(name);
      args.add(value);
    });
    receipt.forEach((name, value) -> {
      args.add(name);
      args.add(value);
    });
    long started = System.nanoTime();
    return ENQUEUE.run(redis, scriptKeys, args)
        .andThen(ar -> latency.record(Duration.ofNanos(System.nanoTime() - started)))
        .map(reply -> toResult(reply, s));
  }

  private EnqueueResult toResult(Response reply, Submission s) {
    String outcome = reply.get(0).toString();
    return switch (outcome) {
      case "accepted", "duplicate" -> new EnqueueResult.Accepted(new Receipt(reply.get(1).toString(),
          reply.get(2).toString(), reply.get(3).toString(), reply.get(4).toString(), s.procedureCode(),
          outcome.equals("duplicate")));
      case "conflict" -> new EnqueueResult.Conflict();
      case "limited" -> new EnqueueResult.Limited(new LimitDecision(false, applicantLimit.burst(),
          reply.get(1).toLong(), reply.get(2).toLong(), reply.get(3).toLong()));
      default -> throw new IllegalStateException("enqueue script answered '" + outcome + "'");
    };
  }
}
