package vn.onewindow.intake;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.dossier.ConsumerGroup;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.infra.Deadlines;
import vn.onewindow.common.infra.RedisReplies;

/**
 * The consumer-group commands on one partition's stream and the parsing of their RESP2 replies (the client forces
 * RESP2, so every reply is a plain array on Redis 6.2 and 7.x, standalone or cluster). Every command names a key of
 * the partition's slot, so in cluster mode it goes to that slot's master.
 *
 * <p>Reads are {@code NOACK}: the group keeps no pending list (Redis 7.0 would add each delivered entry to it and
 * propagate one XCLAIM per entry to the AOF and replicas). The stream itself holds every entry not yet written, since
 * an entry is deleted only after its row is committed or its dead letter written; the sweep ({@link SweepLoop}) finds
 * those delivered long ago, and the attempts hash ({@link PartitionKeys#attempts}) counts their deliveries.
 *
 * <p>With {@code redis.min-replicas-ack} &gt; 0, entries are handed on only once that many replicas have them (WAIT
 * after the read or the sweep's count, in the same batch; after a read, behind a write of the connection's own,
 * {@link PartitionKeys#readFence}): an entry whose 202 was refused for want of replicas never reaches PostgreSQL
 * unless it survives a failover, so the client's retry makes exactly one dossier either way.
 */
public final class StreamReader {
  /** A reader silent this long (a worker gone for good) is dropped from the partition's readers. */
  private static final long FORGET_READERS_MS = 3_600_000L;
  /** How long a partition's read fence outlives its last read: its value is never read, only its write counts. */
  private static final long FENCE_TTL_MS = 60_000L;

  /**
   * New entries, or the number held back because replicas did not confirm them in time (they stay in the stream,
   * delivered: a later sweep takes them).
   */
  public record Read(List<Delivery> deliveries, int heldBack) {
  }

  private final Redis redis;
  private final PartitionKeys partition;
  private final String group;
  private final String consumer;
  private final int replicas;
  private final Duration replicaAckTimeout;
  /** When this reader last marked itself in the partition's readers set (read loop only). */
  private long lastMarked;

  public StreamReader(Redis redis, PartitionKeys partition, String group, String consumer, RedisConfig redisConfig) {
    this.redis = redis;
    this.partition = partition;
    this.group = group;
    this.consumer = consumer;
    this.replicas = redisConfig.minReplicasAck();
    this.replicaAckTimeout = redisConfig.replicaAckTimeout();
  }

  public Future<Void> ensureGroup() {
    return ConsumerGroup.ensure(redis, group, partition);
  }

  /**
   * As {@link #ensureGroup()}, failed with a TimeoutException naming the command and the partition when Redis has not
   * answered within {@code within}: a Redis that accepts the connection and never answers must not hold a worker's
   * start, or its read loop's reconnection, for good.
   */
  public Future<Void> ensureGroup(Duration within) {
    return Deadlines.bounded(ensureGroup(), "XGROUP CREATE on partition " + partition.index(), within);
  }

  /**
   * New entries for this consumer ({@code XREADGROUP ... NOACK}), blocking up to {@code blockMs} on the dedicated
   * connection; empty on timeout. The same batch marks this worker as a reader of the partition (the monitor counts
   * recent readers), at most once per {@code blockMs}: under load reads follow each other closely and one mark per
   * block stands for all of them.
   */
  public Future<Read> readNew(RedisConnection connection, int count, long blockMs) {
    long now = System.currentTimeMillis();
    List<Request> batch = new ArrayList<>(4);
    if (now - lastMarked >= blockMs) {
      lastMarked = now;
      batch.add(Request.cmd(Command.ZADD).arg(partition.readers()).arg(now).arg(consumer));
      batch.add(Request.cmd(Command.ZREMRANGEBYSCORE).arg(partition.readers()).arg("-inf")
          .arg(now - FORGET_READERS_MS));
    }
    int read = batch.size();
    batch.add(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(group).arg(consumer)
        .arg("COUNT").arg(count).arg("BLOCK").arg(blockMs).arg("NOACK").arg("STREAMS").arg(partition.stream())
        .arg(">"));
    if (replicas > 0) {
      // a write of this connection's own after the read: WAIT waits for the connection's latest write, and a read
      // that blocked until the gateway's script queued an entry wrote nothing of its own (Redis propagated its group
      // update with the script's call), so without this the WAIT covered an older write and confirmed entries no
      // replica had (a tryout: one such dossier in PostgreSQL while its only replica was SIGSTOPped)
      batch.add(Request.cmd(Command.SET).arg(partition.readFence()).arg(consumer).arg("PX").arg(FENCE_TTL_MS));
      batch.add(waitForReplicas());
    }
    return connection.batch(batch).map(all -> {
      Response reply = all.get(read);
      List<Delivery> out = new ArrayList<>();
      if (reply != null) {
        // [[streamName, [[entryId, [field, value, ...]], ...]]]
        for (Response stream : reply) {
          if (stream != null && stream.size() >= 2 && stream.get(1) != null) {
            parseEntries(stream.get(1), out);
          }
        }
      }
      return confirmed(all) ? new Read(out, 0) : new Read(List.of(), out.size());
    });
  }

  private Request waitForReplicas() {
    return Request.cmd(Command.WAIT).arg(replicas).arg(replicaAckTimeout.toMillis());
  }

  /** The WAIT reply, when one was sent, names enough replicas. */
  private boolean confirmed(List<Response> replies) {
    return replicas == 0 || replies.get(replies.size() - 1).toInteger() >= replicas;
  }

  /**
   * What a sweep sees of the partition in one pipelined batch: the group's last-delivered-id now ({@code XINFO
   * GROUPS}), the entries still in the stream from {@code start} up to {@code bound} ({@code XRANGE}; none when
   * {@code bound} is null), how many fields the attempts hash holds ({@code HLEN}), how many entries the group's
   * pending list still holds ({@code XPENDING} summary: only an earlier release, reading without NOACK, adds any) and
   * the partition's sweeper mark ({@code GET}; null once it expired, {@link #markSweeper}).
   * {@code lastDelivered} is null when the group is missing.
   */
  public record SweepView(String lastDelivered, List<Delivery> entries, long attempts, long pending,
                          String sweeperMark) {
  }

  public Future<SweepView> sweepView(String start, String bound, int count) {
    List<Request> batch = new ArrayList<>(5);
    batch.add(Request.cmd(Command.XINFO).arg("GROUPS").arg(partition.stream()));
    batch.add(Request.cmd(Command.HLEN).arg(partition.attempts()));
    batch.add(Request.cmd(Command.XPENDING).arg(partition.stream()).arg(group));
    batch.add(Request.cmd(Command.GET).arg(partition.sweeper()));
    if (bound != null) {
      batch.add(Request.cmd(Command.XRANGE).arg(partition.stream()).arg(start).arg(bound).arg("COUNT").arg(count));
    }
    return redis.batch(batch).map(all -> {
      String lastDelivered = lastDelivered(all.get(0));
      Response summary = all.get(2);
      long pending = summary != null && summary.size() > 0 && summary.get(0) != null ? summary.get(0).toLong() : 0;
      String mark = all.get(3) == null ? null : all.get(3).toString();
      List<Delivery> entries = new ArrayList<>();
      if (bound != null && all.get(4) != null) {
        parseEntries(all.get(4), entries);
      }
      return new SweepView(lastDelivered, entries, all.get(1).toLong(), pending, mark);
    });
  }

  /**
   * Marks this worker as the partition's sweeper for {@code freshFor} ({@code SET ... PX}): its standby sees the mark
   * until Redis expires it, on Redis's clock alone, so the workers' clocks never matter.
   */
  public Future<Void> markSweeper(Duration freshFor) {
    return redis.send(Request.cmd(Command.SET).arg(partition.sweeper()).arg(consumer).arg("PX")
        .arg(freshFor.toMillis())).mapEmpty();
  }

  /**
   * What a sweeper sees before its partition's read loop first reads: the group's last-delivered-id, and the latest
   * read mark of any worker in the partition's readers set (ms, that worker's clock; 0 when none).
   */
  public record FirstLook(String lastDelivered, long latestReadMark) {
  }

  public Future<FirstLook> firstLook() {
    return redis.batch(List.of(Request.cmd(Command.XINFO).arg("GROUPS").arg(partition.stream()),
            Request.cmd(Command.ZRANGE).arg(partition.readers()).arg(-1).arg(-1).arg("WITHSCORES")))
        .map(all -> {
          Response latest = all.get(1);
          long mark = latest != null && latest.size() >= 2 ? (long) Double.parseDouble(latest.get(1).toString()) : 0;
          return new FirstLook(lastDelivered(all.get(0)), mark);
        });
  }

  /** The group's last-delivered-id in an XINFO GROUPS reply; null without the group. */
  private String lastDelivered(Response groups) {
    return ConsumerGroup.info(groups, group).get("last-delivered-id");
  }

  /**
   * Counts one more sweep of each entry: {@code HINCRBY <attempts> <id> 1} each, pipelined, then WAIT when replicas
   * must confirm (the increments are this connection's latest writes, after the entries' XADDs). Returns the entries
   * with their deliveries (1 + their count: the first read, then each sweep), or none when replicas did not confirm
   * them in time: they stay in the stream for the next sweep.
   */
  public Future<List<Delivery>> countSweep(List<Delivery> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Request> batch = new ArrayList<>(entries.size() + 1);
    entries.forEach(d -> batch.add(Request.cmd(Command.HINCRBY).arg(partition.attempts()).arg(d.entryId()).arg(1)));
    if (replicas > 0) {
      batch.add(waitForReplicas());
    }
    return redis.batch(batch).map(all -> {
      if (!confirmed(all)) {
        return List.of();
      }
      List<Delivery> out = new ArrayList<>(entries.size());
      for (int i = 0; i < entries.size(); i++) {
        Delivery d = entries.get(i);
        out.add(new Delivery(d.entryId(), d.fields(), 1 + all.get(i).toInteger()));
      }
      return out;
    });
  }

  /**
   * Drops the attempts fields of entries no longer in the stream: {@code kept} are the ids still there up to
   * {@code bound}; a field beyond {@code bound} is left alone. Such fields are left by a batch whose HDEL never ran
   * (its connection lost after the XDEL); harmless, but they would otherwise stay for good.
   */
  public Future<Integer> dropStaleAttempts(Set<String> kept, String bound) {
    return redis.send(Request.cmd(Command.HKEYS).arg(partition.attempts())).compose(keys -> {
      Request del = Request.cmd(Command.HDEL).arg(partition.attempts());
      int stale = 0;
      for (Response k : keys) {
        String id = k.toString();
        if (!kept.contains(id) && StreamIds.compare(id, bound) <= 0) {
          del.arg(id);
          stale++;
        }
      }
      int dropped = stale;
      return stale == 0 ? Future.succeededFuture(0) : redis.send(del).map(r -> dropped);
    });
  }

  /**
   * The group's pending list holds only what an earlier release (reading without NOACK) left: entries still in the
   * stream are swept and acknowledged like any other once written; this acknowledges, {@code count} at a time, those
   * whose content is gone (written and deleted, or trimmed), which nothing else would. Returns how many.
   */
  public Future<Integer> ackVanishedPending(int count) {
    return redis.send(Request.cmd(Command.XPENDING).arg(partition.stream()).arg(group).arg("-").arg("+").arg(count))
        .compose(reply -> {
          List<String> ids = new ArrayList<>();
          if (reply != null) {
            reply.forEach(p -> ids.add(p.get(0).toString()));
          }
          return gone(ids);
        })
        .compose(vanished -> {
          if (vanished.isEmpty()) {
            return Future.succeededFuture(0);
          }
          Request ack = Request.cmd(Command.XACK).arg(partition.stream()).arg(group);
          vanished.forEach(ack::arg);
          return redis.send(ack).map(r -> vanished.size());
        });
  }

  /** The ids among {@code entryIds} that have no content left in the stream. */
  private Future<List<String>> gone(List<String> entryIds) {
    if (entryIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Request> ranges = new ArrayList<>();
    entryIds.forEach(id -> ranges.add(Request.cmd(Command.XRANGE).arg(partition.stream()).arg(id).arg(id)));
    return redis.batch(ranges).map(replies -> {
      List<String> vanished = new ArrayList<>();
      for (int i = 0; i < entryIds.size(); i++) {
        Response r = replies.get(i);
        if (r == null || r.size() == 0) {
          vanished.add(entryIds.get(i));
        }
      }
      return vanished;
    });
  }

  /**
   * For entries whose rows were committed: XACK and XDEL, the HDEL of their attempts fields (swept entries only), and
   * DEL of the queued receipts of {@code receiptsOf} (the dossiers whose entries carry their id: queued by an earlier
   * release, or by the enqueue script's fallback), in one pipelined batch. A receipt only tells a status look-up which
   * entry to read while the dossier is queued; once the row is written it would point at nothing for the rest of its
   * TTL (dossier.receipt-ttl-seconds, 3 days). Entries named by their dossier's id (the rest) have none.
   */
  public Future<Void> ackWritten(List<Delivery> entries, List<String> receiptsOf) {
    if (receiptsOf.isEmpty()) {
      return ackAndDelete(entries, List.of(), List.of());
    }
    Request receipts = Request.cmd(Command.DEL);
    receiptsOf.forEach(id -> receipts.arg(partition.receipt(id)));
    return ackAndDelete(entries, List.of(), List.of(receipts));
  }

  /** Sends {@code before} (e.g. dead-letter XADDs) then XACK, XDEL and HDEL of attempts, in one pipelined batch. */
  public Future<Void> ackAndDelete(List<Delivery> entries, List<Request> before) {
    return ackAndDelete(entries, before, List.of());
  }

  /**
   * XACK next to XDEL: reads are NOACK, so XACK is a no-op (Redis propagates nothing) except for entries an earlier
   * release left in the group's pending list. The attempts fields go after the XDEL: a batch cut short in between
   * leaves a stale field (dropped by a later sweep), never an entry whose deliveries were forgotten.
   */
  private Future<Void> ackAndDelete(List<Delivery> entries, List<Request> before, List<Request> after) {
    if (entries.isEmpty() && before.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> batch = new ArrayList<>(before);
    if (!entries.isEmpty()) {
      Request ack = Request.cmd(Command.XACK).arg(partition.stream()).arg(group);
      Request del = Request.cmd(Command.XDEL).arg(partition.stream());
      Request attempts = Request.cmd(Command.HDEL).arg(partition.attempts());
      boolean swept = false;
      for (Delivery d : entries) {
        ack.arg(d.entryId());
        del.arg(d.entryId());
        if (d.swept()) {
          attempts.arg(d.entryId());
          swept = true;
        }
      }
      batch.add(ack);
      batch.add(del);
      if (swept) {
        batch.add(attempts);
      }
    }
    batch.addAll(after);
    return redis.batch(batch).mapEmpty();
  }

  /** Parses {@code [[entryId, [field, value, ...]], ...]}, one first delivery per entry; nil elements are skipped. */
  private static void parseEntries(Response entries, List<Delivery> out) {
    for (Response entry : entries) {
      if (entry != null && entry.size() >= 2 && entry.get(0) != null && entry.get(1) != null) {
        out.add(new Delivery(entry.get(0).toString(), RedisReplies.pairs(entry.get(1)), 1));
      }
    }
  }

  public PartitionKeys partition() {
    return partition;
  }
}
