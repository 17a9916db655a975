package vn.onewindow.intake;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which partitions a worker reads, from the live workers alone, so every worker computes the same answer without
 * talking to the others: sorted by name, worker i of W reads the partitions p with p mod W = i. With more workers
 * than partitions each partition gets several readers (worker i reads partition i mod P); the consumer group still
 * hands each entry to one of them. A worker missing from the list (it has not announced itself yet) reads nothing.
 *
 * <p>Two workers with different views of the list (one heartbeat apart) may both read a partition for a moment, or
 * leave one unread for a heartbeat: both are harmless, the consumer group delivers each entry to one reader and
 * entries left unwritten are swept once delivered long enough ago.
 *
 * <p>One worker sweeps each partition ({@link #sweepsOf}): a sweep, unlike the XCLAIM of earlier releases, does not
 * hand an entry to one taker, so two sweepers would both process every entry they find (harmless, ON CONFLICT, but
 * twice the work and twice the attempts counted). Another one stands by for it ({@link #standbysOf}) and sweeps it
 * too only while the sweeper's mark is stale ({@link SweepLoop}): a sweeper whose sweeps fail or hang while its
 * heartbeat lives keeps its role, and without a standby nobody would sweep its partition.
 */
final class Assignment {
  private Assignment() {
  }

  /** One worker's share: the partitions it reads, those it sweeps, those it stands by for. */
  record Share(Set<Integer> reads, Set<Integer> sweeps, Set<Integer> standbys) {
    /** The partitions the worker needs a consumer of: those it reads, and those it only stands by for. */
    Set<Integer> consumed() {
      Set<Integer> all = new TreeSet<>(reads);
      all.addAll(standbys);
      return all;
    }

    SweepLoop.Role sweepRole(int partition) {
      return sweeps.contains(partition) ? SweepLoop.Role.SWEEPER
          : standbys.contains(partition) ? SweepLoop.Role.STANDBY : SweepLoop.Role.NONE;
    }
  }

  static Share of(String worker, List<String> liveWorkers, int partitions) {
    return new Share(partitionsOf(worker, liveWorkers, partitions), sweepsOf(worker, liveWorkers, partitions),
        standbysOf(worker, liveWorkers, partitions));
  }

  static Set<Integer> partitionsOf(String worker, List<String> liveWorkers, int partitions) {
    List<String> sorted = new ArrayList<>(new TreeSet<>(liveWorkers));
    int index = sorted.indexOf(worker);
    Set<Integer> mine = new TreeSet<>();
    if (index < 0) {
      return mine;
    }
    int workers = sorted.size();
    if (workers > partitions) {
      mine.add(index % partitions);
      return mine;
    }
    for (int p = index; p < partitions; p += workers) {
      mine.add(p);
    }
    return mine;
  }

  /**
   * The partitions a worker sweeps: those it reads, except that with more workers than partitions only the first
   * reader of each (worker p of the sorted list, for partition p) sweeps it.
   */
  static Set<Integer> sweepsOf(String worker, List<String> liveWorkers, int partitions) {
    int workers = new TreeSet<>(liveWorkers).size();
    int index = new ArrayList<>(new TreeSet<>(liveWorkers)).indexOf(worker);
    return workers > partitions && index >= partitions ? new TreeSet<>()
        : partitionsOf(worker, liveWorkers, partitions);
  }

  /**
   * The partitions a worker stands by for: partition p is swept by worker p mod W of the sorted list; its standby is
   * another reader of it when there is one (worker p + P, with more workers than partitions), else the next worker
   * (p mod W + 1, wrapping), which then keeps a consumer of p that sweeps without reading. None with a single worker.
   */
  static Set<Integer> standbysOf(String worker, List<String> liveWorkers, int partitions) {
    List<String> sorted = new ArrayList<>(new TreeSet<>(liveWorkers));
    int index = sorted.indexOf(worker);
    int workers = sorted.size();
    Set<Integer> mine = new TreeSet<>();
    if (index < 0 || workers < 2) {
      return mine;
    }
    for (int p = 0; p < partitions; p++) {
      int standby = p + partitions < workers ? p + partitions : (p % workers + 1) % workers;
      if (standby == index) {
        mine.add(p);
      }
    }
    return mine;
  }
}
