package vn.onewindow.gateway.submit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vn.onewindow.common.config.DossierConfig;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.QueuedReceipt;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.RedisScript;
import vn.onewindow.common.metrics.LatencyTimers;
import vn.onewindow.common.metrics.MeterNames;

/**
 * Puts a dossier on its receiving unit's partition with one atomic script call (see enqueue-dossier.lua), after
 * claiming its Idempotency-Key across partitions (claim-key.lua). The returned future succeeds only once Redis has
 * acknowledged the write, and with {@code redis.min-replicas-ack} &gt; 0 once that many replicas have it (WAIT in the
 * script's own batch, on the connection that ran it); otherwise the result says it is unconfirmed.
 */
public final class DossierQueue {
  private static final RedisScript ENQUEUE =
      RedisScript.fromResources("lua/dossier-code.lua", "lua/enqueue-dossier.lua");
  private static final RedisScript CLAIM = RedisScript.fromResources("lua/claim-key.lua");

  /** What the claim of an Idempotency-Key said: none sent, first use, same body again, another body. */
  public enum KeyClaim { NONE, NEW, SAME, CONFLICT }

  private final RedisKeys keys;
  private final DossierConfig config;
  private final RedisConfig redisConfig;
  private final Timer latency;

  public DossierQueue(RedisKeys keys, DossierConfig config, RedisConfig redisConfig, MeterRegistry registry) {
    this.keys = keys;
    this.config = config;
    this.redisConfig = redisConfig;
    this.latency = LatencyTimers.register(MeterNames.ENQUEUE_LATENCY,
        "Time for Redis to acknowledge one dossier enqueue", registry);
  }

  /** Claims the submission's Idempotency-Key in the key's own slot (write-once, body digest). */
  public Future<KeyClaim> claimKey(Redis redis, Submission s) {
    if (s.idempotencyKey() == null) {
      return Future.succeededFuture(KeyClaim.NONE);
    }
    return CLAIM.run(redis, List.of(keys.keyClaim(s.clientId(), s.idempotencyKey())),
            List.of(s.bodySha256(), Long.toString(config.idempotencyTtl().toMillis())))
        .map(reply -> switch (reply.toString()) {
          case "new" -> KeyClaim.NEW;
          case "same" -> KeyClaim.SAME;
          case "conflict" -> KeyClaim.CONFLICT;
          default -> throw new IllegalStateException("key claim script answered '" + reply + "'");
        });
  }

  /**
   * The partition script. {@code replayOnly}: answer the receipt of an earlier dossier with this key (or
   * {@link EnqueueResult.Absent}) and never queue one.
   */
  public Future<EnqueueResult> enqueue(Redis redis, Submission s, boolean replayOnly) {
    PartitionKeys partition = keys.forUnit(s.receivingUnit());
    boolean keyed = s.idempotencyKey() != null;
    List<String> scriptKeys = List.of(
        keyed ? partition.idempotency(s.clientId(), s.idempotencyKey()) : partition.noIdempotency(),
        partition.sequence(s.receivingUnit(), DossierCode.day(s.receiptDate())),
        partition.stream(),
        partition.receipt(s.dossierId()));
    List<String> args = arguments(s, keyed, replayOnly);
    int replicas = redisConfig.minReplicasAck();
    long started = System.nanoTime();
    Future<EnqueueResult> result = replicas == 0
        ? ENQUEUE.run(redis, scriptKeys, args).map(reply -> toResult(reply, s, -1))
        : ENQUEUE.runThen(redis, scriptKeys, args, List.of(Request.cmd(Command.WAIT).arg(replicas)
                .arg(redisConfig.replicaAckTimeout().toMillis())))
            .map(replies -> toResult(replies.get(0), s, replies.get(1).toInteger()));
    return result.andThen(ar -> latency.record(Duration.ofNanos(System.nanoTime() - started)));
  }

  private List<String> arguments(Submission s, boolean keyed, boolean replayOnly) {
    Map<String, String> entry = new StreamEntry(s.dossierId(), null, s.clientId(), s.receivedAt().toString(),
        s.idempotencyKey(), s.payload(), s.bodySha256()).toFields();
    Map<String, String> receipt = new QueuedReceipt(null, s.receivedAt().toString(), s.clientId(),
        s.procedureCode(), s.receivingUnit(), s.handlingAgency(), s.channel(), s.expectedResultBy().toString(),
        s.applicantHash()).toFields();
    List<String> args = new ArrayList<>(14 + 2 * (entry.size() + receipt.size()));
    args.addAll(List.of(
        s.bodySha256(), s.dossierId(), DossierCode.prefix(s.receivingUnit(), s.receiptDate()),
        DossierCode.SEQUENCE_FORMAT, Long.toString(config.idempotencyTtl().toSeconds()),
        Long.toString(config.receiptTtl().toSeconds()), s.receivedAt().toString(), s.expectedResultBy().toString(),
        keyed ? "1" : "0", replayOnly ? "replay" : "enqueue", redisConfig.minReplicasAck() > 0 ? "1" : "0",
        StreamEntry.CODE, QueuedReceipt.ENTRY, Integer.toString(entry.size())));
    entry.forEach((name, value) -> {
      args.add(name);
      args.add(value);
    });
    receipt.forEach((name, value) -> {
      args.add(name);
      args.add(value);
    });
    return args;
  }

  /** {@code acknowledged}: replicas that confirmed (WAIT), -1 when none were asked for. */
  private EnqueueResult toResult(Response reply, Submission s, int acknowledged) {
    String outcome = reply.get(0).toString();
    return switch (outcome) {
      case "accepted", "duplicate" -> {
        Receipt receipt = new Receipt(reply.get(1).toString(), reply.get(2).toString(), reply.get(3).toString(),
            reply.get(4).toString(), s.procedureCode(), outcome.equals("duplicate"));
        yield acknowledged >= 0 && acknowledged < redisConfig.minReplicasAck()
            ? new EnqueueResult.Unconfirmed(receipt, acknowledged)
            : new EnqueueResult.Accepted(receipt);
      }
      case "conflict" -> new EnqueueResult.Conflict();
      case "absent" -> new EnqueueResult.Absent();
      default -> throw new IllegalStateException("enqueue script answered '" + outcome + "'");
    };
  }
}
