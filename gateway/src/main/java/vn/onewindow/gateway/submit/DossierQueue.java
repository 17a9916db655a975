package vn.onewindow.gateway.submit;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import vn.onewindow.common.config.DossierConfig;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.Deadlines;
import vn.onewindow.common.infra.RedisScript;
import vn.onewindow.common.metrics.LatencyTimers;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.gateway.http.InstantText;

/**
 * Puts a dossier on its receiving unit's partition with an atomic script call (see enqueue-dossier.lua), after claiming
 * its Idempotency-Key across partitions when there are several (claim-key.lua). Dossiers of one partition that this
 * verticle reads in one event-loop turn, or while its call to the partition is in flight, share a call
 * ({@link EnqueueBatches}, at most {@code redis.enqueue-batch-max}; more calls at once only when full ones wait). The
 * returned future succeeds only once Redis has acknowledged the write, and with {@code redis.min-replicas-ack} &gt; 0
 * once that many replicas have it (WAIT in the script's own batch, on the connection that ran it, once a call);
 * otherwise the result says it is unconfirmed. One instance per verticle.
 */
public final class DossierQueue {
  /**
   * The code an idempotency record names while the key is reserved for the direct path ({@link #reserve}): no code
   * of DossierCode's form, so never a receipt's.
   */
  static final String DIRECT_CODE = "direct";
  /** The script's modes (enqueue-dossier.lua). */
  private static final String REPLAY = "replay";
  private static final String RESERVE = "reserve";
  private static final String ENQUEUE_MODE = "enqueue";
  /** Package-private for the script's own tests (EnqueueScriptEpochTest). */
  static final RedisScript ENQUEUE = RedisScript.fromResources(Map.of(
          "CODE_FORMAT", DossierCode.SEQUENCE_FORMAT,
          "CODE_FIELD", StreamEntry.CODE,
          "ID_FIELD", StreamEntry.ID,
          "ENTRY_FIELDS", StreamEntry.QUEUED_FIELDS,
          "SEQUENCE_TTL", CodeSequences.SEQUENCE_TTL_SECONDS,
          "DIRECT_CODE", DIRECT_CODE),
      "lua/dossier-code.lua", "lua/enqueue-dossier.lua");
  private static final RedisScript CLAIM = RedisScript.fromResources("lua/claim-key.lua");
  /**
   * The most calls to one partition a verticle keeps in flight when full calls wait (EnqueueBatches): under overload
   * a turn of a saturated event loop reads hundreds of submissions, and 8 full calls (256 dossiers at the default
   * batch size, pipelined on the verticle's connections) carry a turn's worth without holding Redis for more than a
   * call's run at a time.
   */
  private static final int CALLS_IN_FLIGHT = 8;

  /**
   * What the claim of an Idempotency-Key said: no key, first use, same body again, another body; or UNCLAIMED: a key,
   * not claimed because there is a single partition, whose own record of the key decides (as SAME might).
   */
  public enum KeyClaim {
    NONE, NEW, SAME, CONFLICT, UNCLAIMED;

    /** An earlier attempt with this key may have queued a dossier already. */
    public boolean mayBeQueued() {
      return this == SAME || this == UNCLAIMED;
    }
  }

  private final RedisKeys keys;
  private final DossierConfig config;
  private final RedisConfig redisConfig;
  private final Timer latency;
  private final DistributionSummary batchSizes;
  private final Redis redis;
  private final EnqueueBatches<PartitionKeys, Call, Scripted> batches;

  /**
   * {@code callTimeout}: how long a call may take before its partition's next call goes without waiting for it (its
   * dossiers' requests have given up by then: it is their breaker's timeout). A call that never answers (a socket
   * that died silently) must not hold every later dossier of its partition back.
   */
  public DossierQueue(Redis redis, RedisKeys keys, DossierConfig config, RedisConfig redisConfig,
                      Duration callTimeout, MeterRegistry registry) {
    this.keys = keys;
    this.config = config;
    this.redisConfig = redisConfig;
    this.redis = redis;
    this.batches = new EnqueueBatches<>(redisConfig.enqueueBatchMax(), CALLS_IN_FLIGHT, DossierQueue::atEndOfTurn,
        (partition, calls) -> Deadlines.bounded(runScript(partition, calls), "redis enqueue call", callTimeout));
    this.latency = LatencyTimers.register(MeterNames.ENQUEUE_LATENCY,
        "Time for Redis to acknowledge one dossier enqueue", registry);
    this.batchSizes = DistributionSummary.builder(MeterNames.ENQUEUE_BATCH)
        .description("Dossiers per enqueue script call (group commit)").register(registry);
  }

  /**
   * Claims the submission's Idempotency-Key in the key's own slot (write-once, body digest). With a single partition
   * there is nothing to claim across: every body of a key meets the partition script's own record of it, which
   * answers the conflict atomically, so the claim would only cost a round trip and a key.
   */
  public Future<KeyClaim> claimKey(Submission s) {
    if (s.idempotencyKey() == null) {
      return Future.succeededFuture(KeyClaim.NONE);
    }
    if (keys.partitions().count() == 1) {
      return Future.succeededFuture(KeyClaim.UNCLAIMED);
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
   * The partition script in its replay-only mode: the receipt of an earlier dossier with this key (or a conflict, or
   * {@link EnqueueResult.Absent}); never queues one, so it needs no deadline. {@code abandoned}: whether the request
   * has given up (then a look-up still waiting for its call is never sent).
   */
  public Future<EnqueueResult> replay(Submission s, BooleanSupplier abandoned) {
    return timed(run(s, REPLAY, 0, abandoned, () -> { }));
  }

  /**
   * {@link #replay}, and when no dossier of the key is there, the key's record marked for the direct path
   * ({@link EnqueueResult.Reserved}), in the same script run: from then on every attempt of the key, on any gateway,
   * is answered {@link EnqueueResult.Direct} and goes to PostgreSQL, where the direct writes of one key are
   * serialised. For a dossier Redis's memory keeps from the queue while Redis still takes writes; an OOM reply says
   * the mark could not be written (Redis at its maxmemory).
   */
  public Future<EnqueueResult> reserve(Submission s, BooleanSupplier abandoned) {
    return timed(run(s, RESERVE, 0, abandoned, () -> { }));
  }

  /**
   * The partition script's replay-only mode in a call of its own that writes nothing and waits for no replica: what
   * the partition's master holds for the key now. A conflict or {@link EnqueueResult.Absent} needs no replica (nothing
   * is acknowledged on it); an earlier dossier found is {@link EnqueueResult.Unconfirmed} with
   * {@code redis.min-replicas-ack} &gt; 0 (no replica was asked), whose receipt only {@link #replay} may confirm. For
   * the look-up past an open breaker: {@link #replay}'s WAIT lasts up to {@code redis.replica-ack-timeout-ms} when the
   * partition cannot confirm, longer than that look-up may take. Not batched and not timed: it never queues, and the
   * latency metric describes enqueues.
   */
  public Future<EnqueueResult> peek(Submission s) {
    PartitionKeys partition = keys.forUnit(s.receivingUnit());
    Times times = times(s);
    return script(partition, List.of(call(s, partition, times, REPLAY, 0)), 0)
        .map(replies -> toResult(replies.get(0).reply(), s, times, redisConfig.minReplicasAck() > 0 ? 0 : -1));
  }

  /**
   * The partition script queuing the dossier unless Redis runs it after {@code deadlineMillis} (its own clock,
   * milliseconds since the epoch; 0: no deadline): then {@link EnqueueResult.Expired}, nothing queued. The request
   * gives up at its deadline and may then be answered another way (the direct path), so the call must not queue it
   * later: a stalled Redis that resumed ran the calls it had read, and the retries the 503 asked for, written directly
   * meanwhile, became second dossiers of their keys (a tryout: 16 of 30). {@code abandoned}: whether the request has
   * given up (then a dossier still waiting for its call is never sent). {@code sent}: runs when the dossier goes into
   * a call, after which Redis may queue it whatever this future says.
   */
  public Future<EnqueueResult> enqueueBy(Submission s, long deadlineMillis, BooleanSupplier abandoned, Runnable sent) {
    return timed(run(s, ENQUEUE_MODE, deadlineMillis, abandoned, sent));
  }

  private Future<EnqueueResult> timed(Future<EnqueueResult> call) {
    long started = System.nanoTime();
    return call.andThen(ar -> latency.record(Duration.ofNanos(System.nanoTime() - started)));
  }

  /**
   * The warm-up's call: the script in its read-only mode, as {@link #replay} runs it, but not timed: the latency
   * metric describes real submissions only (README, warm start).
   */
  public Future<EnqueueResult> rehearse(Submission s) {
    return run(s, REPLAY, 0, () -> false, () -> { });
  }

  private Future<EnqueueResult> run(Submission s, String mode, long deadlineMillis, BooleanSupplier abandoned,
                                    Runnable sent) {
    PartitionKeys partition = keys.forUnit(s.receivingUnit());
    Times times = times(s);
    return batches.add(partition, call(s, partition, times, mode, deadlineMillis), abandoned, sent)
        .map(done -> toResult(done.reply(), s, times, done.acknowledged()));
  }

  /** Written once for the script and the receipt. */
  private static Times times(Submission s) {
    return new Times(InstantText.of(s.receivedAt()), s.expectedResultBy().toString());
  }

  private static Call call(Submission s, PartitionKeys partition, Times times, String mode,
                           long deadlineMillis) {
    List<String> dossierKeys = List.of(s.idempotencyKey() != null
            ? partition.idempotency(s.clientId(), s.idempotencyKey()) : partition.noIdempotency(),
        partition.sequence(s.receivingUnit(), DossierCode.day(s.receiptDate())));
    return new Call(dossierKeys, arguments(s, times, mode, deadlineMillis));
  }

  /** The task after what the event loop is doing now (its task queue runs once the sockets it read are handled). */
  private static void atEndOfTurn(Runnable task) {
    Context context = Vertx.currentContext();
    if (context == null) {
      task.run();
    } else {
      context.runOnContext(v -> task.run());
    }
  }

  /**
   * One call of the script for the dossiers of one partition: what they share once (the stream and the epoch marker,
   * the TTLs, whether a replay writes, the receipts' key prefix), then each dossier's keys and values; with
   * min-replicas-ack, one WAIT after it.
   */
  private Future<List<Scripted>> runScript(PartitionKeys partition, List<Call> calls) {
    batchSizes.record(calls.size());
    return script(partition, calls, redisConfig.minReplicasAck());
  }

  /** {@code replicas}: the WAIT after the call; 0: none, and a replay writes nothing. */
  private Future<List<Scripted>> script(PartitionKeys partition, List<Call> calls, int replicas) {
    List<String> scriptKeys = new ArrayList<>(2 + calls.size() * calls.get(0).keys().size());
    scriptKeys.add(partition.stream());
    scriptKeys.add(partition.epoch());
    List<Object> args = new ArrayList<>(4 + calls.size() * calls.get(0).args().size());
    args.addAll(List.of(Long.toString(config.idempotencyTtl().toSeconds()),
        Long.toString(config.receiptTtl().toSeconds()), replicas > 0 ? "1" : "0", partition.receipt("")));
    for (Call call : calls) {
      scriptKeys.addAll(call.keys());
      args.addAll(call.args());
    }
    return replicas == 0
        ? ENQUEUE.run(redis, scriptKeys, args).map(replies -> each(replies, -1))
        : ENQUEUE.runThen(redis, scriptKeys, args, List.of(Request.cmd(Command.WAIT).arg(replicas)
                .arg(redisConfig.replicaAckTimeout().toMillis())))
            .map(replies -> each(replies.get(0), replies.get(1).toInteger()));
  }

  /** The script's replies, one per dossier, each with the replicas that confirmed the call (-1: none asked for). */
  private static List<Scripted> each(Response replies, int acknowledged) {
    List<Scripted> each = new ArrayList<>(replies.size());
    replies.forEach(one -> each.add(new Scripted(one, acknowledged)));
    return each;
  }

  /**
   * One dossier's values, in the script's order (enqueue-dossier.lua's header), each once: the promised date twice,
   * as the idempotency record keeps it (the receipt's text, which a replay answers) and as the entry's compact
   * {@link StreamEntry#DUE} (a few bytes in every entry the intake reads).
   */
  private static List<Object> arguments(Submission s, Times times, String mode, long deadlineMillis) {
    return List.of(s.bodySha256(), s.dossierId(), DossierCode.prefix(s.receivingUnit(), s.receiptDate()),
        times.expectedResultBy(), times.receivedAt(), s.idempotencyKey() == null ? "" : s.idempotencyKey(), s.body(),
        s.clientId(), mode, StreamEntry.due(s.receivedAt(), s.expectedResultBy()),
        Long.toString(deadlineMillis));
  }

  /** {@code acknowledged}: replicas that confirmed (WAIT), -1 when none were asked for. */
  private EnqueueResult toResult(Response reply, Submission s, Times times, int acknowledged) {
    String outcome = reply.get(0).toString();
    return switch (outcome) {
      case "duplicate" -> DIRECT_CODE.equals(reply.get(2).toString()) ? new EnqueueResult.Direct()
          : received(reply, s, times, acknowledged, true);
      case "accepted" -> received(reply, s, times, acknowledged, false);
      case "reserved" -> new EnqueueResult.Reserved();
      case "conflict" -> new EnqueueResult.Conflict();
      case "absent" -> new EnqueueResult.Absent();
      case "unseeded" -> new EnqueueResult.Unseeded();
      case "expired" -> new EnqueueResult.Expired();
      default -> throw new IllegalStateException("enqueue script answered '" + outcome + "'");
    };
  }

  /** A receipt the script gave: a new dossier's ({@code replayed} false) or an earlier one's. */
  private EnqueueResult received(Response reply, Submission s, Times times, int acknowledged, boolean replayed) {
    // a new dossier's receipt is this submission's, under the id its stream entry names (the script's); a replay's is
    // the earlier dossier's
    Receipt receipt = replayed
        ? new Receipt(reply.get(1).toString(), reply.get(2).toString(), reply.get(3).toString(),
            reply.get(4).toString(), s.procedureCode(), true)
        : new Receipt(reply.get(2).toString(), reply.get(1).toString(), times.receivedAt(),
            times.expectedResultBy(), s.procedureCode(), false);
    return acknowledged >= 0 && acknowledged < redisConfig.minReplicasAck()
        ? new EnqueueResult.Unconfirmed(receipt, acknowledged)
        : new EnqueueResult.Accepted(receipt);
  }

  /** The submission's times as the stream entry and the receipt write them. */
  private record Times(String receivedAt, String expectedResultBy) {
  }

  /** One dossier's keys and values, in the script's order. */
  private record Call(List<String> keys, List<Object> args) {
  }

  /** One dossier's reply, and the replicas that confirmed its call. */
  private record Scripted(Response reply, int acknowledged) {
  }
}
