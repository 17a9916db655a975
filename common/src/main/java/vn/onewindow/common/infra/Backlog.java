package vn.onewindow.common.infra;

import java.util.Collections;
import java.util.List;

/**
 * One sample, totals over the partitions (oldest age: the oldest of all) and the fullest master's memory;
 * {@code maxMemoryBytes} is 0 when Redis has no memory limit; {@code mastersWithoutReplica}: masters with no
 * connected replica (0 when no replicas are expected, and none asked). In cluster mode a partition, or the masters'
 * figures, that could not be read keep their values of an earlier sample.
 */
public record Backlog(long length, long pending, long undelivered, double oldestAgeSeconds, long deadLetters,
                      long usedMemoryBytes, long maxMemoryBytes, long mastersWithoutReplica, long sampledAtMillis,
                      List<Partition> partitions) {

  /** Before a first sample; {@code sinceMillis} (the monitor's start) stands for the time of the figures. */
  static Backlog unknown(int partitions, long sinceMillis) {
    return new Backlog(0, 0, 0, 0, 0, 0, 0, 0, sinceMillis,
        Collections.nCopies(partitions, Partition.UNKNOWN));
  }

  /** These figures, dated as {@code earlier}'s: some of them are earlier's, kept. */
  Backlog datedAs(Backlog earlier) {
    return new Backlog(length, pending, undelivered, oldestAgeSeconds, deadLetters, usedMemoryBytes, maxMemoryBytes,
        mastersWithoutReplica, earlier.sampledAtMillis, partitions);
  }

  public double memoryRatio() {
    return maxMemoryBytes <= 0 ? 0 : (double) usedMemoryBytes / maxMemoryBytes;
  }

  /**
   * One partition's sample; {@code consumers}: workers that asked it for entries within the active window (block +
   * read margin), from the readers set each read round updates (clocks of workers and monitor compared).
   */
  public record Partition(long length, long pending, long undelivered, double oldestAgeSeconds, long deadLetters,
                          int consumers) {
    static final Partition UNKNOWN = new Partition(0, 0, 0, 0, 0, 0);
  }
}
