package vn.onewindow.common.infra;

import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import vn.onewindow.common.infra.Backlog.Partition;

/**
 * What {@link BacklogMonitor} reads out of Redis's replies (XINFO STREAM and GROUPS, INFO memory and replication),
 * apart from when and how it asks: pure functions of the replies, so the monitor keeps the sampling and its failures.
 */
final class BacklogReadings {
  private BacklogReadings() {
  }

  /**
   * Entries not yet delivered, from what Redis knows: the group's {@code lag} (Redis 7.0+). Redis leaves it nil when
   * an entry was deleted at or after the group's last-delivered-id while older ones remain (the intake deletes each
   * entry once written, so often the last one delivered): then {@code entries-added - entries-read}, which the
   * intake keeps exact, as it never deletes an entry before delivering it. Null when neither is known (Redis 6.2; a
   * group created, or set back, on a stream with deletions, until it has read to the end).
   */
  static Long undelivered(Map<String, Response> stream, Map<String, String> group, long length) {
    String lag = group.get("lag");
    if (lag != null) {
      return Math.max(0, Math.min(length, Long.parseLong(lag)));
    }
    Response added = stream.get("entries-added");
    String read = group.get("entries-read");
    if (added != null && read != null) {
      return Math.max(0, Math.min(length, added.toLong() - Long.parseLong(read)));
    }
    return null;
  }

  /** A flat RESP2 field/value array (XINFO) by field name; nil values are left out. */
  static Map<String, Response> fields(Response flat) {
    Map<String, Response> out = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      if (flat.get(i + 1) != null) {
        out.put(flat.get(i).toString(), flat.get(i + 1));
      }
    }
    return out;
  }

  /** Age of the stream's first entry, from its id's milliseconds; 0 for an empty stream. */
  static double oldestAge(Response firstEntry, long now) {
    if (firstEntry == null || firstEntry.size() == 0 || firstEntry.get(0) == null) {
      return 0;
    }
    String id = firstEntry.get(0).toString();
    return Math.max(0, (now - Long.parseLong(id.substring(0, id.indexOf('-')))) / 1000.0);
  }

  /** What the masters told: the fullest one's used memory and maxmemory, and how many have no connected replica. */
  record Masters(long usedMemoryBytes, long maxMemoryBytes, long withoutReplica) {
    /** A sample's figures, kept when a master did not answer. */
    static Masters of(Backlog b) {
      return new Masters(b.usedMemoryBytes(), b.maxMemoryBytes(), b.mastersWithoutReplica());
    }
  }

  /** {@code replication}: empty where replicas are not expected (not asked). */
  static Masters masters(List<Response> memory, List<Response> replication) {
    long[] fullest = memory(memory);
    return new Masters(fullest[0], fullest[1], withoutReplica(replication));
  }

  /**
   * Masters whose INFO replication says {@code connected_slaves:0}. A node that answers as a replica (asked from a
   * slot map older than a failover) is no master, and not counted.
   */
  static long withoutReplica(List<Response> replication) {
    return replication.stream().map(Response::toString)
        .filter(info -> info.contains("\nrole:master") && infoField(info, "connected_slaves:") == 0)
        .count();
  }

  /**
   * The maxmemory-policy of the first master (INFO memory) whose policy evicts keys, or null when each says noeviction
   * (or does not say: a server too old to tell is not refused for it).
   */
  static String evictionPolicy(List<Response> memory) {
    for (Response info : memory) {
      String policy = infoText(info.toString(), "maxmemory_policy:");
      if (policy != null && !policy.equals("noeviction")) {
        return policy;
      }
    }
    return null;
  }

  /** The fullest master's used memory and maxmemory. */
  static long[] memory(List<Response> memory) {
    long used = 0;
    long max = 0;
    double fullest = -1;
    for (Response info : memory) {
      long u = infoField(info.toString(), "used_memory:");
      long m = infoField(info.toString(), "maxmemory:");
      double ratio = m <= 0 ? 0 : (double) u / m;
      // the fullest by ratio; without any maxmemory (every ratio 0), the one using the most
      if (ratio > fullest || ratio == fullest && u > used) {
        fullest = ratio;
        used = u;
        max = m;
      }
    }
    return new long[] {used, max};
  }

  static Backlog toBacklog(List<Partition> partitions, Masters masters, long now) {
    return new Backlog(
        partitions.stream().mapToLong(Partition::length).sum(),
        partitions.stream().mapToLong(Partition::pending).sum(),
        partitions.stream().mapToLong(Partition::undelivered).sum(),
        partitions.stream().mapToDouble(Partition::oldestAgeSeconds).max().orElse(0),
        partitions.stream().mapToLong(Partition::deadLetters).sum(),
        masters.usedMemoryBytes(), masters.maxMemoryBytes(), masters.withoutReplica(), now, List.copyOf(partitions));
  }

  static long infoField(String info, String field) {
    String value = infoText(info, field);
    return value == null ? 0 : Long.parseLong(value);
  }

  /** A field's value in an INFO reply, or null when it has none. */
  private static String infoText(String info, String field) {
    int at = info.indexOf("\n" + field);
    if (at < 0) {
      return null;
    }
    int start = at + field.length() + 1;
    int end = info.indexOf('\r', start);
    if (end < 0) {
      end = info.indexOf('\n', start);
    }
    return (end < 0 ? info.substring(start) : info.substring(start, end)).trim();
  }
}
