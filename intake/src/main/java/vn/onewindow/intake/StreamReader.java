package vn.onewindow.intake;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.dossier.ConsumerGroup;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.infra.RedisReplies;

/**
 * The consumer-group commands on one partition's stream and the parsing of their RESP2 replies (the client forces
 * RESP2, so every reply is a plain array on Redis 6.2 and 7.x, standalone or cluster). Every command names the
 * partition's stream, so in cluster mode it goes to that slot's master.
 *
 * <p>With {@code redis.min-replicas-ack} &gt; 0, entries are handed on only once that many replicas have them (WAIT
 * after the read or claim, in the same batch): an entry whose 202 was refused for want of replicas never reaches
 * PostgreSQL unless it survives a failover, so the client's retry makes exactly one dossier either way.
 */
public final class StreamReader {
  /** A reader silent this long (a worker gone for good) is dropped from the partition's readers. */
  private static final long FORGET_READERS_MS = 3_600_000L;

  /** New entries, or the number held back because replicas did not confirm them in time (they stay pending). */
  public record Read(List<Delivery> deliveries, int heldBack) {
  }

  /** One entry of the group's pending list. */
  public record Pending(String entryId, String consumer, long idleMs, int deliveries) {
  }

  /** What XCLAIM gave this consumer; {@code vanished} were claimed but their content was already deleted. */
  public record Claimed(List<Delivery> deliveries, List<String> vanished) {
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
   * New entries for this consumer, blocking up to {@code blockMs} on the dedicated connection; empty on timeout. The
   * same batch marks this worker as a reader of the partition (the monitor counts recent readers), at most once per
   * {@code blockMs}: under load reads follow each other closely and one mark per block stands for all of them.
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
        .arg("COUNT").arg(count).arg("BLOCK").arg(blockMs).arg("STREAMS").arg(partition.stream()).arg(">"));
    if (replicas > 0) {
      batch.add(waitForReplicas());
    }
    return connection.batch(batch).map(all -> {
      Response reply = all.get(read);
      List<Delivery> out = new ArrayList<>();
      if (reply != null) {
        // [[streamName, [[entryId, [field, value, ...]], ...]]]
        for (Response stream : reply) {
          if (stream != null && stream.size() >= 2 && stream.get(1) != null) {
            parseEntries(stream.get(1), 1, out, null);
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

  /** {@code XPENDING <stream> <group> IDLE <minIdle> - + <count>}: entries idle that long on any consumer. */
  public Future<List<Pending>> pendingIdle(long minIdleMs, int count) {
    return redis.send(Request.cmd(Command.XPENDING).arg(partition.stream()).arg(group)
            .arg("IDLE").arg(minIdleMs).arg("-").arg("+").arg(count))
        .map(reply -> {
          List<Pending> out = new ArrayList<>();
          if (reply == null) {
            return out;
          }
          for (Response p : reply) {
            if (p != null && p.size() >= 4) {
              out.add(new Pending(p.get(0).toString(), p.get(1).toString(), p.get(2).toLong(), p.get(3).toInteger()));
            }
          }
          return out;
        });
  }

  /**
   * {@code XCLAIM <stream> <group> <me> <minIdle> ids...}. Redis re-checks the idle time, so an entry another
   * consumer claimed in the meantime is not returned; claimed entries come back with their delivery count
   * incremented. An entry whose content was deleted from the stream while pending is dropped from the pending list
   * by Redis 7, but Redis 6.2 claims it and replies nil in its place, without its id: those ids are found among the
   * requested ones that did not come back, by checking that their content is gone ({@code vanished}; the caller
   * acks them).
   */
  public Future<Claimed> claim(List<Pending> pending, long minIdleMs) {
    Request request = Request.cmd(Command.XCLAIM).arg(partition.stream()).arg(group).arg(consumer).arg(minIdleMs);
    Map<String, Integer> deliveries = new LinkedHashMap<>();
    for (Pending p : pending) {
      request.arg(p.entryId());
      deliveries.put(p.entryId(), p.deliveries() + 1);
    }
    Future<List<Response>> replies = replicas == 0 ? redis.send(request).map(java.util.Collections::singletonList)
        : redis.batch(List.of(request, waitForReplicas()));
    return replies.compose(all -> {
      if (!confirmed(all)) {
        // claimed but not on enough replicas yet: they stay pending on this consumer and are claimed again later
        return Future.succeededFuture(new Claimed(List.of(), List.of()));
      }
      Response reply = all.get(0);
      List<Delivery> claimed = new ArrayList<>();
      int nils = reply == null ? 0 : parseEntries(reply, 1, claimed, deliveries);
      if (nils == 0) {
        return Future.succeededFuture(new Claimed(claimed, List.of()));
      }
      Set<String> returned = new HashSet<>();
      claimed.forEach(d -> returned.add(d.entryId()));
      List<String> missing = new ArrayList<>();
      deliveries.keySet().stream().filter(id -> !returned.contains(id)).forEach(missing::add);
      return gone(missing).map(vanished -> new Claimed(claimed, vanished));
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

  /** XACK then XDEL of the same ids, pipelined: acked entries must not stay in Redis memory. */
  public Future<Void> ackAndDelete(List<String> entryIds) {
    return ackAndDelete(entryIds, List.of());
  }

  /**
   * For entries whose rows were committed: XACK and XDEL, and DEL of the queued receipts of {@code receiptsOf} (the
   * dossiers whose entries carry their id: queued by an earlier release, or by the enqueue script's fallback), in one
   * pipelined batch. A receipt only tells a status look-up which entry to read while the dossier is queued; once the
   * row is written it would point at nothing for the rest of its TTL (dossier.receipt-ttl-seconds, 3 days). Entries
   * named by their dossier's id (the rest) have none.
   */
  public Future<Void> ackWritten(List<String> entryIds, List<String> receiptsOf) {
    if (receiptsOf.isEmpty()) {
      return ackAndDelete(entryIds);
    }
    Request receipts = Request.cmd(Command.DEL);
    receiptsOf.forEach(id -> receipts.arg(partition.receipt(id)));
    return ackAndDelete(entryIds, List.of(), List.of(receipts));
  }

  /** Sends {@code before} (e.g. dead-letter XADDs) then XACK and XDEL, in one pipelined batch. */
  public Future<Void> ackAndDelete(List<String> entryIds, List<Request> before) {
    return ackAndDelete(entryIds, before, List.of());
  }

  private Future<Void> ackAndDelete(List<String> entryIds, List<Request> before, List<Request> after) {
    if (entryIds.isEmpty() && before.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> batch = new ArrayList<>(before);
    if (!entryIds.isEmpty()) {
      Request ack = Request.cmd(Command.XACK).arg(partition.stream()).arg(group);
      Request del = Request.cmd(Command.XDEL).arg(partition.stream());
      entryIds.forEach(id -> {
        ack.arg(id);
        del.arg(id);
      });
      batch.add(ack);
      batch.add(del);
    }
    batch.addAll(after);
    return redis.batch(batch).mapEmpty();
  }

  /**
   * Parses {@code [[entryId, [field, value, ...]], ...]}, adding one delivery per entry; returns how many elements
   * were nil (entries deleted from the stream) and were skipped.
   */
  private static int parseEntries(Response entries, int defaultDeliveries, List<Delivery> out,
                                  Map<String, Integer> deliveries) {
    int nils = 0;
    for (Response entry : entries) {
      if (entry == null || entry.size() < 2 || entry.get(0) == null || entry.get(1) == null) {
        nils++;
        continue;
      }
      String id = entry.get(0).toString();
      Map<String, String> fields = RedisReplies.pairs(entry.get(1));
      int count = deliveries == null ? defaultDeliveries : deliveries.getOrDefault(id, defaultDeliveries);
      out.add(new Delivery(id, fields, count));
    }
    return nils;
  }

  public PartitionKeys partition() {
    return partition;
  }
}
