package vn.onewindow.gateway.submit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.agency.Agency;
import vn.onewindow.common.agency.AgencyDirectory;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
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
 * <p>One query reads the highest number issued yesterday, today and tomorrow (the hub's zone: a counter is per receipt
 * day, a request numbered just before midnight may reach Redis just after, and another gateway's clock may be a moment
 * ahead) for every unit of the agency directory in the partition, from the dossiers and the dead letters once the
 * transactions writing them have ended; each counter is raised to it (never lowered: another gateway may have seeded
 * and numbered meanwhile), then the marker is set. Single-flight per process and partition: the requests that meet an
 * unseeded partition meanwhile wait for the same seeding. PostgreSQL not answering is a fast 503 ("nothing was
 * queued"), never a number that may be someone else's. With the marker present nothing here runs.
 */
public final class CodeSequences {
  /** How long a unit's daily counter outlives its first number: past the end of its day in any zone. */
  public static final long SEQUENCE_TTL_SECONDS = 172_800;

  private static final Logger LOG = LoggerFactory.getLogger(CodeSequences.class);
  private static final RedisScript SEED = RedisScript.fromResources("lua/seed-sequences.lua");

  /**
   * The highest number of the Redis path's space issued with each code prefix ({@code <unit>-YYMMDD-}), from a few
   * probes of dossier_code_key per prefix, never a read of all the day's codes: that took 5 to 8 s over 1.2 million
   * dossiers (HighestIssuedTest), past the seeding's time, so on a busy day every submission of the partition was a 503
   * while Redis had lost its data, and the intake's inserts waited behind the seeding's lock.
   *
   * <p>A counter issues its numbers in bands of one width (DossierCode.queueSequence): 0001-8999, then 10000-89999,
   * 100000-899999... Within a band, codes of equal length sort as their numbers do, in any collation, so the band's
   * highest is the first code of its width met walking the index down from the band's top. One probe (ORDER BY code
   * DESC LIMIT 1 on the range alone, which the planner always serves from the index) finds the code at the top; only
   * when that code has another shape (a narrower code sorting above the band's highest: a unit's day past 8,999
   * dossiers, or a code written by hand) does a second look read the band's range below it. A band is looked at once
   * the one below it is full (its top issued) or its first number was issued: numbers come in order, so a wider band
   * holds codes only then. The exact prefix check keeps out another unit's codes, which a
   * collation that skips punctuation may sort into the range. Codes no counter issues are not read: the direct path's
   * (a band's first digit 9), zeros, a leading zero past four digits, fewer than four digits; a counter cannot meet
   * them. The dead letters (no index) by one scan joined on the prefix they carry, cut with split_part (a unit code has
   * no '-'): a regular expression per row took 560 ms over 200,000 dead letters.
   */
  static final String HIGHEST_ISSUED = """
      WITH RECURSIVE p(prefix) AS (SELECT unnest($1::text[])),
      -- (prefix, width, highest code of that width): from a virtual full band of 3 digits up
      band(prefix, digits, last) AS (
          SELECT prefix, 3, 899::bigint FROM p
        UNION ALL
          SELECT b.prefix, b.digits + 1,
                 -- the band's top code, or past a code of another shape the highest one of the band's own
                 (SELECT CASE WHEN length(top.code) = length(b.prefix) + b.digits + 1
                                   AND left(top.code, length(b.prefix)) = b.prefix
                                   AND substr(top.code, length(b.prefix) + 1) ~ '^[0-9]+$'
                              THEN substr(top.code, length(b.prefix) + 1)::bigint
                              ELSE (SELECT substr(d.code, length(b.prefix) + 1)::bigint FROM dossier d
                                    WHERE d.code >= b.prefix
                                            || CASE WHEN b.digits = 3 THEN '0001' ELSE '1' || repeat('0', b.digits) END
                                      AND d.code < top.code
                                      AND length(d.code) = length(b.prefix) + b.digits + 1
                                      AND left(d.code, length(b.prefix)) = b.prefix
                                      AND substr(d.code, length(b.prefix) + 1) ~ '^[0-9]+$'
                                    ORDER BY d.code DESC LIMIT 1) END
                  FROM (SELECT code FROM dossier
                        WHERE code >= b.prefix
                                || CASE WHEN b.digits = 3 THEN '0001' ELSE '1' || repeat('0', b.digits) END
                          AND code <= b.prefix || '8' || repeat('9', b.digits)
                        ORDER BY code DESC LIMIT 1) top)
          FROM band b
          WHERE b.digits < 18
            AND (b.last = ('8' || repeat('9', b.digits - 1))::bigint
                 OR EXISTS (SELECT 1 FROM dossier WHERE code = b.prefix || '1' || repeat('0', b.digits))))
      SELECT prefix, max(last) AS last
      FROM (SELECT prefix, last FROM band WHERE digits > 3
            UNION ALL
            SELECT p.prefix, substr(l.code, length(p.prefix) + 1)::bigint FROM dead_letter l
              JOIN p ON split_part(l.code, '-', 1) || '-' || split_part(l.code, '-', 2) || '-' = p.prefix
            WHERE substr(l.code, length(p.prefix) + 1) ~ '^[0-8][0-9]{3,17}$'
              AND substr(l.code, length(p.prefix) + 1) !~ '^0+$') issued
      GROUP BY prefix
      HAVING max(last) IS NOT NULL""";

  /**
   * Bounds the seeding's transaction on the server as the breaker bounds it here ($1: lock and statement timeout), and
   * keeps JIT off: the planner cannot size the per-prefix ranges, costs the query in millions and compiled it for
   * 170 ms before running it in 20.
   */
  static final String BOUNDS = """
      SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $1, true),
        set_config('jit', 'off', true)""";

  /**
   * Waits for the transactions writing dossiers or dead letters (an intake batch read from the stream before Redis
   * lost it) and holds their next ones back while {@link #HIGHEST_ISSUED} reads: its snapshot would not see codes
   * committed a moment later, and the counter would be seeded below them. A few milliseconds of inserts held back,
   * once per seeding; at most the lock timeout.
   */
  static final String AFTER_WRITERS = "LOCK TABLE dossier, dead_letter IN SHARE MODE";

  private final Pool pool;
  private final RedisKeys keys;
  private final AgencyDirectory directory;
  private final ZoneId zone;
  private final Clock clock;
  private final UpstreamBreakers breakers;
  private final Duration timeout;
  private final Map<Integer, Future<Void>> inFlight = new ConcurrentHashMap<>();
  /** Seedings by outcome: a raised one means Redis lost its data (the alert HubCodeCountersReseeded). */
  private final Map<Seeding, Counter> seedings = new EnumMap<>(Seeding.class);

  /** {@code pool}: the primary's (a replica may lag behind the codes just written); {@code timeout}: the query's. */
  public CodeSequences(Pool pool, RedisKeys keys, AgencyDirectory directory, ZoneId zone, Clock clock,
                       UpstreamBreakers breakers, Duration timeout, MeterRegistry registry) {
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
    this.timeout = timeout;
  }

  /**
   * Seeds {@code partition} through {@code redis}, or joins the seeding of it under way in this process. Completes on
   * the caller's context; fails with a 503 {@link HttpFailure} when PostgreSQL could not be asked.
   */
  public Future<Void> seed(Redis redis, int partition) {
    Promise<Void> mine = Promise.promise();
    Future<Void> running = inFlight.putIfAbsent(partition, mine.future());
    if (running == null) {
      running = mine.future();
      run(redis, keys.partition(partition)).onComplete(done -> {
        inFlight.remove(partition, mine.future());
        mine.handle(done);
      });
    }
    return onCallersContext(running);
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
    return highestIssued(counters.keySet())
        .compose(rows -> {
          List<String> scriptKeys = new ArrayList<>(1 + rows.size());
          List<String> args = new ArrayList<>(2 + rows.size());
          scriptKeys.add(partition.epoch());
          args.add(Long.toString(SEQUENCE_TTL_SECONDS));
          args.add("seeded " + clock.instant());
          for (Row row : rows) {
            scriptKeys.add(counters.get(row.getString("prefix")));
            args.add(Long.toString(DossierCode.queueIndex(row.getLong("last"))));
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
        })
        .onFailure(err -> seedings.get(Seeding.FAILED).increment());
  }

  private Future<RowSet<Row>> highestIssued(Collection<String> prefixes) {
    return breakers.call(Upstream.POSTGRES_READ, timeout,
            () -> pool.withTransaction(conn -> conn.preparedQuery(BOUNDS).execute(Tuple.of(timeout.toMillis() + "ms"))
                .compose(set -> conn.query(AFTER_WRITERS).execute())
                .compose(locked -> conn.preparedQuery(HIGHEST_ISSUED)
                    .execute(Tuple.of((Object) prefixes.toArray(String[]::new))))))
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
