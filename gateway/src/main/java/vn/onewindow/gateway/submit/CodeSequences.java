package vn.onewindow.gateway.submit;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import vn.onewindow.common.agency.AgencyDirectory;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.Deadlines;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * Seeds a partition's daily dossier counters from PostgreSQL when Redis no longer holds them: its epoch marker
 * ({@link PartitionKeys#epoch}) is missing, so the enqueue script numbered nothing ({@link EnqueueResult.Unseeded}).
 * Redis restarted without its append-only file, a failover to an empty node or a FLUSHALL would otherwise count every
 * unit's day from 1 again: each new dossier would get a 202 with a code PostgreSQL holds for another one, and be
 * dead-lettered on dossier_code_key. A fresh install seeds once, from an empty database.
 *
 * <p>How a partition is seeded (the codes PostgreSQL holds, the lease, the script) is {@link PartitionSeeder}'s; here,
 * who waits for it. Single-flight per process and partition: the requests that meet an unseeded partition meanwhile
 * join the seeding under way. With the marker present nothing here runs.
 *
 * <p>A request waits for the seeding at most its own budget ({@code wait}: a 503 past it, "retry shortly"), but the
 * seeding goes on to its own bound, {@link #SEEDING_TIMEOUT}, and the retries join it or find it done: bound by the
 * request's budget, a seeding that needed longer (3,800 unit-days a partition on a loaded 2-core box took 1.1 s
 * against 1 s) was given up every time and the partition answered 503 until the load fell (ClusterProcessesTest, CI).
 */
public final class CodeSequences {
  /** How long a unit's daily counter outlives its first number: past the end of its day in any zone. */
  public static final long SEQUENCE_TTL_SECONDS = 172_800;

  /**
   * A seeding's bound, its wait for the SHARE lock and its hold of it included: twice what the largest directories
   * need on a loaded box (3,800 unit-days of a partition in 1.1 s), short enough that the writers it holds back (in
   * the lock queue behind it, then behind the lock) wait less than their own timeouts (the direct path's and the
   * events' timeout.postgres-write-ms, 3 s by default; the intake's intake.statement-timeout-ms, 30 s).
   */
  public static final Duration SEEDING_TIMEOUT = Duration.ofMillis(2500);
  /** How long after a seeding ended this process still suspects a data loss: beyond a few direct-check-ms readings. */
  private static final Duration LOSS_GRACE = Duration.ofSeconds(5);

  private final PartitionSeeder seeder;
  private final RedisKeys keys;
  /** How long a request waits for a seeding. */
  private final Duration wait;
  private final Map<Integer, Future<Void>> inFlight = new ConcurrentHashMap<>();
  /** When the last seeding of this process ended ({@link System#nanoTime}); long before the start until one has. */
  private volatile long lastEndedNanos = System.nanoTime() - 2 * LOSS_GRACE.toNanos();

  /**
   * {@code pool}: the primary's (a replica may lag behind the codes just written); {@code wait}: how long a request
   * waits for a seeding, which runs to {@link #SEEDING_TIMEOUT}.
   */
  public CodeSequences(Pool pool, RedisKeys keys, AgencyDirectory directory, ZoneId zone, Clock clock,
                       UpstreamBreakers breakers, Duration wait, RecentDirectWrites recentDirect,
                       MeterRegistry registry) {
    this(pool, keys, directory, zone, clock, breakers, wait, SEEDING_TIMEOUT, recentDirect, registry);
  }

  CodeSequences(Pool pool, RedisKeys keys, AgencyDirectory directory, ZoneId zone, Clock clock,
                UpstreamBreakers breakers, Duration wait, Duration seedingTimeout, RecentDirectWrites recentDirect,
                MeterRegistry registry) {
    this.seeder = new PartitionSeeder(pool, keys, directory, zone, clock, breakers, wait, seedingTimeout,
        recentDirect, registry);
    this.keys = keys;
    this.wait = wait;
  }

  /**
   * Seeds, one after the other, the partitions whose epoch marker is missing, starting none past {@code
   * deadlineNanos}: run before a gateway turns ready, so that the first submissions to a fresh or emptied Redis do not
   * all meet seedings at once. Sixteen partitions of 3,800 unit-days each, seeded together by the first submissions,
   * took up to 1.1 s each on a loaded 2-core box, past the 1 s a request waits: 503s and an open breaker for the
   * whole start (ClusterProcessesTest in CI). Each seeding is waited for to its end (its own bound, not a request's
   * wait: the next would start beside it), but not past the deadline by more than a request's wait: a seeding still
   * running then goes on (the first submissions join it) and no other starts, so readiness is not held past the
   * warm-up's budget. Never fails: a partition left unseeded is seeded by its first submission. Completes with the
   * number seeded.
   */
  public Future<Integer> seedMissing(Redis redis, long deadlineNanos) {
    // set when a seeding outlived its wait: the start goes on without it, and starts no other beside it (the wait's
    // timer may fire a moment before the deadline, which alone would let the next one start)
    AtomicBoolean leftRunning = new AtomicBoolean();
    Future<Integer> chain = Future.succeededFuture(0);
    for (PartitionKeys partition : keys.all()) {
      chain = chain.compose(seeded -> leftRunning.get() || System.nanoTime() - deadlineNanos >= 0
          ? Future.succeededFuture(seeded)
          : redis.send(Request.cmd(Command.EXISTS).arg(partition.epoch()))
              // a Redis that does not answer must not hold the start: the seeding has its own bound
              .timeout(wait.toMillis(), TimeUnit.MILLISECONDS)
              .compose(marker -> {
                if (marker.toInteger() == 1) {
                  return Future.succeededFuture(seeded);
                }
                Future<Void> seeding = seeding(redis, partition.index());
                return onCallersContext(Deadlines.bounded(seeding, "the seeding of partition " + partition.index(),
                        untilPast(deadlineNanos)))
                    .onFailure(err -> leftRunning.set(!seeding.isComplete()))
                    .map(v -> seeded + 1);
              })
              .otherwise(seeded));
    }
    return chain;
  }

  /**
   * Whether Redis may have lost its data as this process sees it: a seeding is under way, or one ended within {@link
   * #LOSS_GRACE} (what it had remembered of idempotency keys may be gone). A seeding that found codes tells
   * RecentDirectWrites before it ends, for the idempotency TTL; the grace covers one that failed, whose partition
   * another gateway may have seeded meanwhile, until the next seeding or RecentDirectWrites' next reading.
   */
  public boolean lossSuspected() {
    return !inFlight.isEmpty() || System.nanoTime() - lastEndedNanos < LOSS_GRACE.toNanos();
  }

  /** The time left to {@code deadlineNanos}, and never less than a request's wait. */
  private Duration untilPast(long deadlineNanos) {
    Duration left = Duration.ofNanos(deadlineNanos - System.nanoTime());
    return left.compareTo(wait) > 0 ? left : wait;
  }

  /**
   * Seeds {@code partition} through {@code redis}, or joins the seeding of it under way in this process. Completes on
   * the caller's context; fails with a 503 {@link HttpFailure} when PostgreSQL could not be asked, or when the seeding
   * is not done within the request's wait (it goes on: a retry joins it, or finds the partition seeded).
   */
  public Future<Void> seed(Redis redis, int partition) {
    Future<Void> seeding = seeding(redis, partition);
    // the wait's own timeout, not the seeding's failure: the same 503 as a seeding PostgreSQL could not answer
    return onCallersContext(Deadlines.bounded(seeding, "the seeding of partition " + partition, wait)
        .recover(err -> Future.failedFuture(err == seeding.cause() ? err : HttpFailure.countersNotSeeded(err))));
  }

  /**
   * The seeding of {@code partition} under way in this process, or a new one: never two at once. It leaves {@link
   * #inFlight} once it has ended, which {@link PartitionSeeder#seed} bounds: a Redis that stops answering the script
   * must not keep every later request of the partition joining a seeding that never ends.
   */
  private Future<Void> seeding(Redis redis, int partition) {
    Promise<Void> mine = Promise.promise();
    Future<Void> running = inFlight.putIfAbsent(partition, mine.future());
    if (running != null) {
      return running;
    }
    seeder.seed(redis, partition)
        .onComplete(done -> {
          lastEndedNanos = System.nanoTime();
          inFlight.remove(partition, mine.future());
          mine.handle(done);
        });
    return mine.future();
  }

  /** Vert.x runs a future's callbacks where it completes: bring the shared seeding back to each waiter's event loop. */
  private static <T> Future<T> onCallersContext(Future<T> future) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return future;
    }
    Promise<T> here = Promise.promise();
    future.onComplete(done -> caller.runOnContext(v -> here.handle(done)));
    return here.future();
  }
}
