package vn.onewindow.gateway.submit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * One seeding of a partition's daily dossier counters, under the hub-wide {@link SeedingLease}; who waits for it, and
 * that this process runs one a partition at a time, is {@link CodeSequences}'.
 *
 * <p>{@link HighestIssued} reads the highest number issued yesterday, today and tomorrow (the hub's zone: a counter is
 * per receipt day, a request numbered just before midnight may reach Redis just after, and another gateway's clock may
 * be a moment ahead) for every unit of the agency directory in the partition, from the dossiers and the dead letters
 * once the transactions writing them have ended; each counter is raised to it (never lowered: another gateway may have
 * seeded and numbered meanwhile), then the marker is set. PostgreSQL not answering is a fast 503 ("nothing was
 * queued"), never a number that may be someone else's.
 *
 * <p>A seeding runs to its own bound, not a request's wait. Its breaker sees the seeding's outcome, not a request's
 * giving up; PostgreSQL's own timeouts end its transaction, SHARE lock included, at that bound.
 */
final class PartitionSeeder {
  // CodeSequences': the name log queries and filters select the seeding's lines by
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

  /** What PostgreSQL's timeouts get past the bound to end the transaction and say so: the breaker's backstop. */
  private static final Duration SERVER_MARGIN = Duration.ofSeconds(1);

  /** What a seeding read: the highest number per prefix, and whether Redis had lost data (recorded in code_seeding). */
  private record Issued(Map<String, Long> highest, boolean dataLost) {
  }

  private final Pool pool;
  private final RedisKeys keys;
  private final AgencyDirectory directory;
  private final ZoneId zone;
  private final Clock clock;
  private final UpstreamBreakers breakers;
  /** How long a seeding may take, its lock on the writers included. */
  private final Duration seedingTimeout;
  /**
   * When a seeding is given up here at the latest, and its lease frees itself: past its bound, PostgreSQL's margin to
   * say so, and a request's wait (a Redis that never answers the script).
   */
  private final Duration abandonAfter;
  /** Told of a seeding that found codes: the idempotency records Redis lost are then looked for in PostgreSQL. */
  private final RecentDirectWrites recentDirect;
  /** Seedings by outcome: a raised one means Redis lost its data (the alert HubCodeCountersReseeded). */
  private final Map<Seeding, Counter> seedings = new EnumMap<>(Seeding.class);

  /**
   * {@code pool}: the primary's (a replica may lag behind the codes just written); {@code wait}: how long a request
   * waits for a seeding, which the seeding's bound is never shorter than.
   */
  PartitionSeeder(Pool pool, RedisKeys keys, AgencyDirectory directory, ZoneId zone, Clock clock,
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
    this.seedingTimeout = seedingTimeout.compareTo(wait) > 0 ? seedingTimeout : wait;
    this.abandonAfter = this.seedingTimeout.plus(SERVER_MARGIN).plus(wait);
    this.recentDirect = recentDirect;
  }

  /**
   * Seeds {@code partition} through {@code redis}, or finds another gateway did. Ends once its transaction has
   * (PostgreSQL's timeouts end that at its bound), or at the latest a moment after its bound: a Redis that stops
   * answering the script (no RST) must not keep the seeding from ending. A script that answers later is harmless: it
   * only raises counters, and sets the marker only where it is missing. A failure is counted here.
   */
  Future<Void> seed(Redis redis, int partition) {
    // composed, so that even a synchronous exception ends the seeding (CodeSequences holds it in flight until then)
    Future<Void> run = Future.<Void>succeededFuture().compose(v -> run(redis, keys.partition(partition)));
    return Deadlines.bounded(run, "the seeding of partition " + partition, abandonAfter)
        .onFailure(err -> seedings.get(Seeding.FAILED).increment());
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
          List<String> scriptKeys = new ArrayList<>(2 + highest.size());
          List<String> args = new ArrayList<>(2 + highest.size());
          scriptKeys.add(partition.epoch());
          scriptKeys.add(partition.seededFloors());
          args.add(Long.toString(CodeSequences.SEQUENCE_TTL_SECONDS));
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
}
