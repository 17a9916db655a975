package vn.onewindow.intake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.IntakeConfig;
import vn.onewindow.common.infra.Deadlines;

/**
 * Entries delivered long ago and still in the stream: a crashed worker's, a batch that failed, entries held back
 * because WAIT found too few replicas. Reads are NOACK, so there is no pending list to ask; the stream holds every
 * entry not yet written, and the group's last-delivered-id tells which of them were delivered.
 *
 * <p>Every {@code intake.claim-interval-ms} the sweep reads the group's last-delivered-id ({@code XINFO GROUPS}) and
 * remembers it with the time it saw it. The entries still in the stream up to the newest id it saw at least
 * {@code intake.claim-idle-ms} ago were all delivered at least that long ago and not deleted: they are taken ({@code
 * XRANGE - <that id>}), except those this worker has in flight or took less than claim-idle ago (a sweep is a
 * delivery: as XCLAIM reset an entry's idle time, an entry that failed again is taken claim-idle after its last sweep,
 * not at the next round, so max-deliveries spans (max-deliveries - 1) x claim-idle of failures, as it did), counted in
 * the attempts hash (one pipelined {@code HINCRBY} each, only here: the read path costs no extra command), and
 * processed as a read batch is. Since the bound is always an earlier observation, an entry delivered just now is
 * never swept, however old it is (a backlog).
 * A sweeper with no observation old enough yet only observes ({@link #start} dates its first one by the readers'
 * last reads, so a crashed worker's entries wait claim-idle after its last read, not after this worker came). A full
 * batch starts the next round at once, after the last entry taken. If the last-delivered-id goes back (the group
 * re-created, a failover that lost the latest reads), the observations are dropped: entries beyond it are delivered
 * again by the read loop.
 *
 * <p>Only one worker sweeps a partition ({@link Assignment#sweepsOf}), even when several read it. After a complete
 * pass it also drops attempts fields left by a batch cut short after its XDEL, and acknowledges entries an earlier
 * release left in the group's pending list whose content is gone.
 *
 * <p>A sweeper whose sweeps keep failing or hang (its Redis connections, its PostgreSQL, a bug) while its heartbeat
 * lives keeps its role, so the sweeper marks every round it completed able to write ({@link StreamReader#markSweeper},
 * one SET a round), the mark expiring {@link #staleAfter} later, and one other worker stands by for the partition
 * ({@link Assignment#standbysOf}): its rounds read the mark in the batch they send anyway, and while the mark is gone
 * (and it has stood by that long itself, so a new sweeper gets to mark first) it sweeps the partition too, as a
 * sweeper does, until the mark is back. Duplicate sweeping is harmless (ON CONFLICT DO NOTHING) but costs: see
 * {@link #staleAfter}.
 */
final class SweepLoop {
  private static final Logger LOG = LoggerFactory.getLogger(SweepLoop.class);

  /** What this worker does for the partition's sweep ({@link Assignment.Share#sweepRole}). */
  enum Role { NONE, SWEEPER, STANDBY }

  /** A last-delivered-id and when it was seen (System.nanoTime(), taken once the reply was in). */
  private record Seen(long atNanos, String lastDelivered) {
  }

  private final Vertx vertx;
  private final IntakeConfig config;
  private final StreamReader reader;
  private final Batches batches;
  private final IntakeMetrics metrics;
  private final String consumerName;
  private final Deque<Seen> seen = new ArrayDeque<>();
  /** Entries this sweeper took less than claim-idle ago, with when (System.nanoTime()): not taken again before. */
  private final Map<String, Long> sweptAt = new HashMap<>();
  /** Where a pass that took a full batch goes on ({@code (<last id taken>}); null: from the start. */
  private String cursor;
  private long timer = -1;
  private boolean sweeping;
  private Role role = Role.NONE;
  /** When this worker became the partition's standby (System.nanoTime()). */
  private long standbySince;
  /** A standby that found the sweeper's mark stale: it sweeps too, until the mark is back. */
  private boolean covering;
  private volatile boolean stopped;

  SweepLoop(Vertx vertx, IntakeConfig config, StreamReader reader, Batches batches, IntakeMetrics metrics,
            String consumerName) {
    this.vertx = vertx;
    this.config = config;
    this.reader = reader;
    this.batches = batches;
    this.metrics = metrics;
    this.consumerName = consumerName;
  }

  /**
   * Starts the rounds, after a first look taken before the partition's read loop first reads: every entry up to the
   * last-delivered-id then was delivered to another reader (or this worker's predecessor under the same name), and no
   * later than the latest read mark of the partition's readers plus two blocks (a read marks at most one block before
   * it asks, and waits at most one block). That is remembered as an observation made then, so entries a crashed
   * worker left are swept claim-idle after its last read, not claim-idle after this worker came. Marks are taken on
   * each worker's clock: a skewed one can only make a sweep early (the entry written twice, a no-op, and one attempt
   * counted early), never skip an entry. A failed look only leaves the first sweep to wait as usual.
   */
  Future<Void> start() {
    // bounded: a Redis connection gone silent must not hold the partition's start (and the assignment) for good
    return Deadlines.bounded(reader.firstLook(), "first look", config.claimRoundTimeout())
        .onSuccess(look -> {
          if (look.lastDelivered() != null && look.latestReadMark() > 0) {
            long deliveredBefore = look.latestReadMark() + 2 * config.block().toMillis();
            long agoMs = System.currentTimeMillis() - deliveredBefore;
            if (agoMs > 0) {
              seen.addLast(new Seen(System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(agoMs), look.lastDelivered()));
            }
          }
        })
        .<Void>mapEmpty()
        .otherwiseEmpty()
        .onComplete(ar -> {
          if (!stopped) {
            timer = vertx.setPeriodic(config.claimInterval().toMillis(), id -> round());
          }
        });
  }

  void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * How long the sweeper's mark lasts: claim-idle + 2 x claim-interval. A sweeper that works completes a round every
   * claim-interval (2: one round may be skipped while the previous one still runs), and claim-idle is the slack an
   * orphaned entry already waits before any sweep: its standby steps in once the sweeper has done nothing for about as
   * long, so a crashed reader's entries wait at most about twice as long with a sweeper that cannot sweep (default 40 s
   * of it). The cost of a shorter bound: a sweep round that legitimately lasts longer (a slow PostgreSQL) brings the
   * standby in for a while: a second XRANGE and HINCRBY per entry (their attempts counted twice, so an entry failing
   * for a reason neither transient nor a data error is dead-lettered sooner) and no-op INSERTs.
   */
  static Duration staleAfter(IntakeConfig config) {
    return config.claimIdle().plus(config.claimInterval().multipliedBy(2));
  }

  /** What this worker does for the partition's sweep (it may read it without sweeping it); on its event loop. */
  void role(Role next) {
    if (next == Role.STANDBY && role != Role.STANDBY) {
      standbySince = System.nanoTime();
      covering = false;
    }
    role = next;
  }

  private void round() {
    if (stopped || sweeping || role == Role.NONE || batches.backoffRemainingMs() > 0) {
      return;
    }
    sweeping = true;
    // a standby not covering only watches: no XRANGE, nothing taken
    boolean takes = role == Role.SWEEPER || covering;
    String bound = bound(System.nanoTime());
    String start = cursor == null ? "-" : cursor;
    reader.sweepView(start, takes ? bound : null, config.batchSize())
        .compose(view -> {
          boolean forward = observe(view);
          if (role == Role.STANDBY) {
            watch(view.sweeperMark());
          }
          return forward && takes ? take(view, bound, start) : Future.succeededFuture(0);
        })
        .timeout(config.claimRoundTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          sweeping = false;
          if (ar.failed()) {
            cursor = null;
            metrics.redisFailures.increment();
            LOG.warn("sweep of consumer {} on partition {} failed ({})", consumerName, reader.partition().index(),
                FailureKind.describe(ar.cause()));
            return;
          }
          if (role == Role.SWEEPER && batches.backoffRemainingMs() == 0) {
            // a round completed, PostgreSQL writable: the standby stays out. A failed mark only brings it in
            reader.markSweeper(staleAfter(config)).onFailure(err -> LOG.debug("sweeper mark of partition {}: {}",
                reader.partition().index(), FailureKind.describe(err)));
          }
          if (cursor != null && batches.backoffRemainingMs() == 0) {
            vertx.runOnContext(x -> round());
          }
        });
  }

  /** A standby's look at the sweeper's mark: it covers while the mark is gone, once it stood by that long itself. */
  private void watch(String mark) {
    long stale = staleAfter(config).toNanos();
    boolean cover = mark == null && System.nanoTime() - standbySince >= stale;
    if (cover && !covering) {
      LOG.warn("the sweeper of partition {} has completed no sweep round for {} ms; consumer {} sweeps it too until "
          + "it does", reader.partition().index(), staleAfter(config).toMillis(), consumerName);
    } else if (!cover && covering) {
      LOG.info("the sweeper of partition {} completes its rounds again; consumer {} stops sweeping it",
          reader.partition().index(), consumerName);
      cursor = null;
    }
    covering = cover;
  }

  /**
   * The newest last-delivered-id seen at least claim-idle ago (older ones are dropped: it bounds more), or null when
   * none is that old yet.
   */
  private String bound(long now) {
    long idle = config.claimIdle().toNanos();
    Seen usable = null;
    while (!seen.isEmpty() && now - seen.peekFirst().atNanos() >= idle) {
      usable = seen.pollFirst();
    }
    if (usable != null) {
      seen.addFirst(usable);
    }
    return usable == null ? null : usable.lastDelivered();
  }

  /** Records the last-delivered-id now; false when the group is gone or its id went back (nothing is taken then). */
  private boolean observe(StreamReader.SweepView view) {
    String now = view.lastDelivered();
    boolean back = now == null || seen.stream().anyMatch(s -> StreamIds.compare(s.lastDelivered(), now) > 0);
    if (back) {
      if (!seen.isEmpty()) {
        LOG.warn("the group's last-delivered-id on partition {} went back to {}; sweeping again in {} ms",
            reader.partition().index(), now, config.claimIdle().toMillis());
      }
      seen.clear();
      cursor = null;
    }
    if (now != null) {
      seen.addLast(new Seen(System.nanoTime(), now));
    }
    return !back;
  }

  private Future<Integer> take(StreamReader.SweepView view, String bound, String start) {
    List<Delivery> range = view.entries();
    boolean full = range.size() >= config.batchSize();
    cursor = full ? "(" + range.get(range.size() - 1).entryId() : null;
    long now = System.nanoTime();
    long idle = config.claimIdle().toNanos();
    sweptAt.values().removeIf(at -> now - at >= idle);
    List<Delivery> orphans = range.stream()
        .filter(d -> !batches.inFlight(d.entryId()) && !sweptAt.containsKey(d.entryId())).toList();
    Future<Integer> taken = orphans.isEmpty() ? Future.succeededFuture(0)
        : reader.countSweep(orphans).compose(counted -> {
          // counted (or held back for want of replicas, counted all the same): delivered again now
          orphans.forEach(d -> sweptAt.put(d.entryId(), now));
          if (counted.isEmpty()) {
            // not on enough replicas yet: they stay in the stream, and are taken again by a later sweep
            metrics.unreplicated.increment();
            return Future.succeededFuture(0);
          }
          metrics.claimed.increment(counted.size());
          LOG.info("consumer {} swept {} entries delivered over {} ms ago and still in partition {}", consumerName,
              counted.size(), config.claimIdle().toMillis(), reader.partition().index());
          return stopped ? Future.succeededFuture(0) : batches.process(counted).map(r -> counted.size());
        });
    if (full || bound == null || !"-".equals(start)) {
      return taken;
    }
    // a complete pass saw every entry up to the bound: the housekeeping it allows
    return taken.compose(n -> housekeeping(view, bound).map(n));
  }

  private Future<Void> housekeeping(StreamReader.SweepView view, String bound) {
    Future<Integer> attempts;
    if (view.attempts() > view.entries().size()) {
      Set<String> kept = new HashSet<>();
      view.entries().forEach(d -> kept.add(d.entryId()));
      attempts = reader.dropStaleAttempts(kept, bound);
    } else {
      attempts = Future.succeededFuture(0);
    }
    Future<Integer> vanished = view.pending() > 0 ? reader.ackVanishedPending(config.batchSize())
        : Future.succeededFuture(0);
    return Future.all(attempts, vanished).onSuccess(done -> {
      if (attempts.result() > 0 || vanished.result() > 0) {
        LOG.info("partition {}: dropped {} attempts counts of deleted entries, acknowledged {} pending entries "
            + "whose content is gone", reader.partition().index(), attempts.result(), vanished.result());
      }
    }).mapEmpty();
  }
}
