package vn.onewindow.gateway.submit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.agency.Agency;
import vn.onewindow.common.agency.AgencyDirectory;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.Deadlines;
import vn.onewindow.common.infra.RedisScript;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.Seeding;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * Seeds a partition's daily dossier counters from PostgreSQL when Redis no longer holds them: its epoch marker
 * ({@link PartitionKeys#epoch}) is missing, so the enqueue script numbered nothing ({@link EnqueueResult.Unseeded}).
 * Redis restarted without its append-only file, a failover to an empty node or a FLUSHALL would otherwise count every
 * unit's day from 1 again: each new dossier would get a 202 with a code PostgreSQL holds for another one, and be
 * dead-lettered on dossier_code_key. A fresh install seeds once, from an empty database.
 *
 * <p>{@link HighestIssued} reads the highest number issued yesterday, today and tomorrow (the hub's zone: a counter is per receipt
 * day, a request numbered just before midnight may reach Redis just after, and another gateway's clock may be a moment
 * ahead) for every unit of the agency directory in the partition, from the dossiers and the dead letters once the
 * transactions writing them have ended; each counter is raised to it (never lowered: another gateway may have seeded
 * and numbered meanwhile), then the marker is set. Single-flight per process and partition: the requests that meet an
 * unseeded partition meanwhile join the seeding under way. PostgreSQL not answering is a fast 503 ("nothing was
 * queued"), never a number that may be someone else's. With the marker present nothing here runs.
 *
 * <p>A request waits for the seeding at most its own budget ({@code wait}: a 503 past it, "retry shortly"), but the
 * seeding goes on to its own bound, {@link #SEEDING_TIMEOUT}, and the retries join it or find it done: bound by the
 * request's budget, a seeding that needed longer (3,800 unit-days a partition on a loaded 2-core box took 1.1 s
 * against 1 s) was given up every time and the partition answered 503 until the load fell (ClusterProcessesTest, CI).
 * Its breaker sees the seeding's outcome, not a request's giving up; PostgreSQL's own timeouts end its transaction,
 * SHARE lock included, at that bound.
 */
public final class CodeSequences {
  /** How long a unit's daily counter outlives its first number: past the end of its day in any zone. */
  public static final long SEQUENCE_TTL_SECONDS = 172_800;

  private static final Logger LOG = LoggerFactory.getLogger(CodeSequences.class);
  private static final RedisScript SEED = RedisScript.fromResources("lua/seed-sequences.lua");

  /**
   * Bounds the seeding's transaction on the server, and keeps JIT off: the planner cannot size the per-prefix ranges,
   * costs the query in millions and compiled it for 170 ms before running it in 20. $1, the time left of the
   * seeding's bound, bounds the lock's wait (while it waits in the lock queue every new writer of dossier queues
   * behind it), each statement, and the idle time between two: a gateway that stalls between statements (a long GC
   * pause, a partition) must not leave the SHARE lock held until TCP gives up.
   */
  static final String BOUNDS = """
      SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $1, true),
        set_config('idle_in_transaction_session_timeout', $1, true), set_config('jit', 'off', true)""";

  /**
   * Waits for the transactions writing dossiers or dead letters (an intake batch read from the stream before Redis
   * lost it) and holds their next ones back while {@link HighestIssued} reads: its snapshot would not see codes
   * committed a moment later, and the counter would be seeded below them. A few milliseconds of inserts held back,
   * once per seeding; at most the lock timeout.
   */
  static final String AFTER_WRITERS = "LOCK TABLE dossier, dead_letter IN SHARE MODE";

  /**
   * A seeding that found codes ($4), or any dossier at all: Redis had lost its data, and the idempotency records of
   * the dossiers it had queued (V18), which may be older than the days the codes were read for when the idempotency
   * TTL is longer than a day. Only a fresh install, whose tables are empty, records nothing. Every gateway's
   * RecentDirectWrites reads it, and looks keyed submissions up in PostgreSQL for the idempotency TTL.
   */
  static final String SEEDED = """
      INSERT INTO code_seeding (receipt_date, partition, unit_days)
      SELECT $1, $2, $3 WHERE $4 OR EXISTS (SELECT 1 FROM dossier)""";

  /** What a seeding read: the highest number per prefix, and whether Redis had lost data (recorded in code_seeding). */
  private record Issued(Map<String, Long> highest, boolean dataLost) {
  }

  private final Pool pool;
  private final RedisKeys keys;
  private final AgencyDirectory directory;
  private final ZoneId zone;
  private final Clock clock;
  private final UpstreamBreakers breakers;
  /** How long a request waits for a seeding. */
  private final Duration wait;
  /** How long a seeding may take, its lock on the writers included. */
  private final Duration seedingTimeout;
  /**
   * When a seeding is given up here at the latest, and its lease frees itself: past its bound, PostgreSQL's margin to
   * say so, and a request's wait (a Redis that never answers the script).
   */
  private final Duration abandonAfter;
  /** Told of a seeding that found codes: the idempotency records Redis lost are then looked for in PostgreSQL. */
  private final RecentDirectWrites recentDirect;
  private final Map<Integer, Future<Void>> inFlight = new ConcurrentHashMap<>();
  /** When the last seeding of this process ended ({@link System#nanoTime}); long before the start until one has. */
  private volatile long lastEndedNanos = System.nanoTime() - 2 * LOSS_GRACE.toNanos();
  /** Seedings by outcome: a raised one means Redis lost its data (the alert HubCodeCountersReseeded). */
  private final Map<Seeding, Counter> seedings = new EnumMap<>(Seeding.class);

  /**
   * A seeding's bound, its wait for the SHARE lock and its hold of it included: twice what the largest directories
   * need on a loaded box (3,800 unit-days of a partition in 1.1 s), short enough that the writers it holds back (in
   * the lock queue behind it, then behind the lock) wait less than their own timeouts (the direct path's and the
   * events' timeout.postgres-write-ms, 3 s by default; the intake's intake.statement-timeout-ms, 30 s).
   */
  public static final Duration SEEDING_TIMEOUT = Duration.ofMillis(2500);
  /** How long after a seeding ended this process still suspects a data loss: beyond a few direct-check-ms readings. */
  private static final Duration LOSS_GRACE = Duration.ofSeconds(5);
  /** What PostgreSQL's timeouts get past the bound to end the transaction and say so: the breaker's backstop. */
  private static final Duration SERVER_MARGIN = Duration.ofSeconds(1);

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
    for (Seeding outcome : Seeding.values()) {
      seedings.put(outcome, Counter.builder(MeterNames.CODE_SEEDINGS).tag(MeterNames.TAG_OUTCOME, outcome.tag())
          .description("Seedings of a partition's daily dossier counters from PostgreSQL (Redis lost its data, or a "
              + "fresh install)").register(registry));
    }
    this.pool = pool;
    this.keys = keys;
    this.directory = directory;
    this.zone = zone;
    this.clock = clock;
    this.breakers = breakers;
    this.wait = wait;
    this.seedingTimeout = seedingTimeout.compareTo(wait) > 0 ? seedingTimeout : wait;
    this.abandonAfter = this.seedingTimeout.plus(SERVER_MARGIN).plus(wait);
    this.recentDirect = recentDirect;
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
   * #inFlight} once it has ended, its transaction included (PostgreSQL's timeouts end that at its bound), or at the
   * latest a moment after its bound: a Redis that stops answering the script (no RST) must not keep every later
   * request of the partition joining a seeding that never ends. A script that answers later is harmless: it only
   * raises counters, and sets the marker only where it is missing.
   */
  private Future<Void> seeding(Redis redis, int partition) {
    Promise<Void> mine = Promise.promise();
    Future<Void> running = inFlight.putIfAbsent(partition, mine.future());
    if (running != null) {
      return running;
    }
    // composed, so that even a synchronous exception completes the promise and leaves inFlight
    Future<Void> run = Future.<Void>succeededFuture().compose(v -> run(redis, keys.partition(partition)));
    Deadlines.bounded(run, "the seeding of partition " + partition, abandonAfter)
        .onComplete(done -> {
          lastEndedNanos = System.nanoTime();
          inFlight.remove(partition, mine.future());
          if (done.failed()) {
            seedings.get(Seeding.FAILED).increment();
          }
          mine.handle(done);
        });
    return mine.future();
  }

  private Future<Void> run(Redis redis, PartitionKeys partition) {
    long started = System.nanoTime();
    LocalDate today = LocalDate.now(clock.withZone(zone));
    // prefix -> the counter that numbers it
    Map<String, String> counters = new LinkedHashMap<>();
    // tomorrow too: another gateway's clock may be a moment ahead, and have numbered its first dossiers already
    for (LocalDate day : List.of(today.minusDays(1), today, today.plusDays(1))) {
      String yymmdd = DossierCode.day(day);
      for (Agency unit : directory.validOn(day)) {
        if (keys.partitions().ofUnit(unit.code()) == partition.index()) {
          counters.put(DossierCode.prefix(unit.code(), day) + "-", partition.sequence(unit.code(), yymmdd));
        }
      }
    }
    return SeedingLease.takeOrAwait(redis, partition, "seeding since " + clock.instant(), abandonAfter,
            System.nanoTime() + seedingTimeout.toNanos())
        .compose(here -> {
          if (!here) {
            seedings.get(Seeding.ELSEWHERE).increment();
            return Future.succeededFuture();
          }
          return seedHere(redis, partition, today, counters, started)
              .eventually(() -> SeedingLease.release(redis, partition));
        });
  }

  /** The seeding itself, under this gateway's lease: the codes PostgreSQL holds, then the script. */
  private Future<Void> seedHere(Redis redis, PartitionKeys partition, LocalDate today, Map<String, String> counters,
                                long started) {
    return highestIssued(partition.index(), today, counters.keySet())
        .compose(issued -> {
          Map<String, Long> highest = issued.highest();
          List<String> scriptKeys = new ArrayList<>(1 + highest.size());
          List<String> args = new ArrayList<>(2 + highest.size());
          scriptKeys.add(partition.epoch());
          args.add(Long.toString(SEQUENCE_TTL_SECONDS));
          args.add("seeded " + clock.instant());
          highest.forEach((prefix, last) -> {
            scriptKeys.add(counters.get(prefix));
            args.add(Long.toString(DossierCode.queueIndex(last)));
          });
          if (issued.dataLost()) {
            // Redis lost the idempotency records of the dossiers it had queued: from now on, for their TTL, a keyed
            // submission is looked up in PostgreSQL first (other gateways learn it from code_seeding)
            recentDirect.noted(today);
          }
          return SEED.run(redis, scriptKeys, args);
        })
        .map(raised -> {
          // WARN when Redis had lost counters PostgreSQL knew of; a fresh install (or a seeding another gateway
          // finished first) raises none
          String line = "partition {} had no epoch marker in Redis (its data lost, or a fresh install): {} daily "
              + "counters raised to the codes PostgreSQL holds, over {} unit-days, in {} ms";
          Object[] values = {partition.index(), raised.toInteger(), counters.size(),
              (System.nanoTime() - started) / 1_000_000};
          if (raised.toInteger() > 0) {
            LOG.warn(line, values);
          } else {
            LOG.info(line, values);
          }
          seedings.get(raised.toInteger() > 0 ? Seeding.RAISED : Seeding.NONE).increment();
          return (Void) null;
        });
  }

  private Future<Issued> highestIssued(int partition, LocalDate today, Collection<String> prefixes) {
    // every statement gets the time left to the deadline, so PostgreSQL ends the transaction (and its lock) there;
    // the breaker's own timeout, a moment later, only for a server that does not answer at all
    long deadline = System.nanoTime() + seedingTimeout.toNanos();
    return breakers.call(Upstream.POSTGRES_READ, seedingTimeout.plus(SERVER_MARGIN),
            () -> pool.withTransaction(conn -> HighestIssued.timeLeft(deadline, "its lock")
                .compose(left -> conn.preparedQuery(BOUNDS).execute(Tuple.of(left + "ms")))
                .compose(set -> conn.query(AFTER_WRITERS).execute())
                .compose(locked -> HighestIssued.read(conn, prefixes, deadline))
                .compose(highest -> HighestIssued.bounded(conn, deadline, "its record")
                    .compose(set -> conn.preparedQuery(SEEDED)
                        .execute(Tuple.of(today, partition, prefixes.size(), !highest.isEmpty())))
                    .map(recorded -> new Issued(highest, recorded.rowCount() > 0)))))
        .recover(err -> Future.failedFuture(err instanceof HttpFailure ? err
            : HttpFailure.ofStatementDefect(err).orElseGet(() -> HttpFailure.countersNotSeeded(err))));
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
