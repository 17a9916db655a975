package vn.onewindow.intake;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.IntakeConfig;
import vn.onewindow.common.config.WarmupConfig;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.Digests;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.warmup.JitSettled;
import vn.onewindow.common.warmup.WarmupExamples;

/**
 * A new intake process is cold exactly when it is added during a surge: its JIT compiler threads then compete for
 * the cores with the first seconds of real work (the capacity benchmark saw intake GC pauses over 50 ms there, and a
 * fresh gateway next to a cold intake reached less of its warm rate). Before the workers consume their partitions,
 * and before the process reports ready, this drives the intake's real path with synthetic dossiers made from the
 * shipped examples: XADD of entries built by the stream contract ({@link StreamEntry}) to a private stream
 * ({@link RedisKeys#warmup}), XREADGROUP and its parsing ({@link StreamReader}), rows ({@link DossierRow}) and the
 * batch ({@link BatchProcessor}: the dossier INSERT, then XACK + XDEL); at the end the private stream is deleted.
 *
 * <p>Nothing remains. Each batch runs on one connection inside a transaction that is always rolled back, and a dead
 * letter (none is expected) would go into that transaction and the private stream. The meters are a private
 * registry's, thrown away; the one log line is the summary. What a rollback does not undo: the identity sequences of
 * {@code dossier.feed_seq} and {@code dossier_status_history.seq} advance, which is harmless, because feed cursors
 * are positions in (transaction id, seq) order, never counts, and the feeds already step over aborted transactions
 * (README "The agency feed and its cursor guarantee"); each batch uses one transaction id; the rolled-back rows are
 * dead tuples until autovacuum.
 *
 * <p>Stops at {@code warmup.intake-duration-ms} or {@code warmup.intake-max-entries}, or earlier once the JIT has
 * settled ({@link JitSettled}, after {@link #MIN_ENTRIES}); one batch always runs. It never fails the start: with
 * Redis or PostgreSQL unreachable it logs one WARN line and the process starts cold.
 */
public final class IntakeWarmup extends VerticleBase {
  static final int MIN_ENTRIES = 5_000;
  /** The client id of the synthetic dossiers, the same as the gateway warm-up's caller. */
  static final String CLIENT = WarmupExamples.CLIENT_ID;
  private static final Logger LOG = LoggerFactory.getLogger(IntakeWarmup.class);
  private static final String CONSUMER = "warmup";
  /** The promised date of the synthetic entries, as the gateway writes it (StreamEntry.DUE): a week after receipt. */
  private static final String WARMUP_DUE_DAYS = "7";
  /** Bound on the whole warm-up beyond its duration: a silent server must not hold the process's start. */
  private static final long GRACE_MS = 2_000;
  /** How long the private keys outlive the warm-up's bound if the final DEL never runs. */
  private static final long KEY_TTL_MARGIN_MS = 60_000;

  /** What a warm-up did: dossiers through the INSERT (all rolled back), batches, time; why it ended. */
  public record Summary(int entries, int batches, long elapsedMs, String ended) {
  }

  /** A batch that did not go through as a valid one would; its message names counts only. */
  private static final class Incomplete extends RuntimeException {
    Incomplete(String message) {
      super(message, null, false, false);
    }
  }

  private record Example(String payload, String sha256) {
  }

  private final HubConfig config;
  private final WarmupConfig warmup;
  private final IntakeConfig intake;
  private final String suffix;
  private final List<Example> examples;
  private PartitionKeys partition;
  private Redis redis;
  private Pool pool;
  private long deadline;
  private String ended;
  private int entries;
  private int batches;
  private volatile Summary summary = new Summary(0, 0, 0, "off");

  public IntakeWarmup(HubConfig config) {
    this.config = config;
    this.warmup = config.warmup();
    this.intake = config.intake();
    byte[] random = new byte[6];
    new SecureRandom().nextBytes(random);
    this.suffix = HexFormat.of().formatHex(random);
    this.examples = WarmupExamples.bodies().stream()
        .map(body -> new Example(new String(body, StandardCharsets.UTF_8), Digests.sha256Hex(body))).toList();
  }

  /** The private stream's keys; null before {@link #start}. */
  public PartitionKeys partition() {
    return partition;
  }

  public Summary summary() {
    return summary;
  }

  @Override
  public Future<?> start() {
    if (!warmup.intakeEnabled()) {
      return Future.succeededFuture();
    }
    long started = System.nanoTime();
    deadline = warmup.deadlineNanos(warmup.intakeDuration());
    partition = RedisKeys.of(config.redis(), config.stream()).warmup(suffix);
    // two connections: the blocking read's own (as a worker's read loop has) and one for XADD, acks and the clean-up
    redis = RedisClients.create(vertx, config.redis().withPoolSize(2), "intake-warmup");
    pool = PostgresClients.pool(vertx, config.postgres().withPoolSize(1), "intake-warmup");
    StreamReader reader = new StreamReader(redis, partition, config.stream().group(), CONSUMER, config.redis());
    long jitWatch = JitSettled.watch(vertx, () -> entries, MIN_ENTRIES, () -> end("JIT settled"));
    return reader.ensureGroup()
        .compose(v -> expireKeys())
        .compose(v -> redis.connect())
        .compose(read -> pool.getConnection()
            .compose(sql -> run(reader, read, sql).eventually(sql::close))
            .eventually(read::close))
        .timeout(warmup.intakeDuration().toMillis() + GRACE_MS, TimeUnit.MILLISECONDS)
        .eventually(() -> {
          end("stopped");
          vertx.cancelTimer(jitWatch);
          // bounded too: a Redis that accepts but never answers must not hold the start (the keys expire anyway)
          return redis.send(Request.cmd(Command.DEL).arg(partition.stream()).arg(partition.readers())
                  .arg(partition.deadLetterStream()).arg(partition.readFence()))
              .timeout(GRACE_MS, TimeUnit.MILLISECONDS);
        })
        .transform(ar -> {
          long ms = (System.nanoTime() - started) / 1_000_000;
          if (ar.succeeded()) {
            summary = new Summary(entries, batches, ms, ended);
            LOG.info("intake warm-up: {} synthetic dossiers in {} batches through the dossier INSERT, all rolled back, "
                + "in {} ms ({}); consuming", entries, batches, ms, ended);
          } else {
            String why = ar.cause() instanceof Incomplete ? ar.cause().getMessage()
                : FailureKind.of(ar.cause()) + ", " + FailureKind.describe(ar.cause());
            summary = new Summary(entries, batches, ms, "failed: " + why);
            LOG.warn("intake warm-up failed after {} ms and {} synthetic dossiers ({}); starting cold", ms, entries, why);
          }
          return Future.succeededFuture();
        });
  }

  @Override
  public Future<?> stop() {
    return redis == null ? Future.succeededFuture() : Future.join(redis.close(), pool.close());
  }

  /** Batches one after another, each on a new turn of the event loop, until a cap or the JIT ends the warm-up. */
  private Future<Void> run(StreamReader reader, RedisConnection read, SqlConnection sql) {
    MeterRegistry discarded = new SimpleMeterRegistry();
    BatchProcessor processor = new BatchProcessor(
        // a late commit of the warm-up's is inside its transaction, rolled back: nothing to count
        new DossierWriter(sql, intake.statementTimeout(), intake.batchSize(), late -> { }),
        reader, new DeadLetters(sql, reader, discarded), new IntakeMetrics(discarded), intake.maxDeliveries());
    Promise<Void> done = Promise.promise();
    next(processor, reader, read, sql, done);
    return done.future();
  }

  private void next(BatchProcessor processor, StreamReader reader, RedisConnection read, SqlConnection sql,
                    Promise<Void> done) {
    if (batches > 0 && ended == null) {
      if (entries >= warmup.intakeMaxEntries()) {
        end("entry cap");
      } else if (System.nanoTime() >= deadline) {
        end("time cap");
      }
    }
    if (batches > 0 && ended != null) {
      done.tryComplete();
      return;
    }
    int count = Math.max(1, Math.min(intake.batchSize(), warmup.intakeMaxEntries() - entries));
    List<Request> writes = xadds(count);
    writes.add(expire(partition.stream()));
    redis.batch(writes)
        .compose(ids -> reader.readNew(read, count, intake.block().toMillis()))
        // the read created the readers key: it expires too before the batch runs
        .compose(batch -> expireKeys().map(batch))
        .compose(batch -> rolledBack(processor, sql, batch.deliveries()).map(result -> {
          if (batch.deliveries().size() != count || result.persisted() != count || result.acked() != count) {
            throw new Incomplete("batch of " + count + " synthetic entries: read " + batch.deliveries().size()
                + ", held back " + batch.heldBack() + ", inserted " + result.persisted() + ", acknowledged "
                + result.acked() + ", dead-lettered " + result.deadLettered() + ", pending " + result.leftPending());
          }
          entries += count;
          batches++;
          return null;
        }))
        .compose(v -> expireKeys())
        .onFailure(done::tryFail)
        .onSuccess(v -> vertx.runOnContext(x -> next(processor, reader, read, sql, done)));
  }

  /**
   * The real batch inside a transaction that is rolled back whatever happened. The server bounds it too: if the
   * warm-up gives up on a statement (say one waiting for a lock), its transaction must not stay open behind it,
   * holding the feeds' horizon.
   */
  private Future<BatchProcessor.Result> rolledBack(BatchProcessor processor, SqlConnection sql, List<Delivery> batch) {
    long boundMs = warmup.intakeDuration().toMillis() + GRACE_MS;
    return sql.begin().compose(tx -> sql.query("SET LOCAL statement_timeout = " + boundMs).execute()
        .compose(v -> processor.process(batch))
        .eventually(() -> tx.rollback().otherwiseEmpty()));
  }

  /**
   * The private keys expire a minute after the warm-up's bound, whatever happens to this process (killed, Redis
   * unreachable for the final DEL): a warm-up never leaves a key behind for good. Keys not created yet are skipped.
   */
  private Future<Void> expireKeys() {
    return redis.batch(List.of(expire(partition.stream()), expire(partition.readers()),
        expire(partition.deadLetterStream()))).mapEmpty();
  }

  private Request expire(String key) {
    return Request.cmd(Command.PEXPIRE).arg(key).arg(warmup.intakeDuration().toMillis() + GRACE_MS + KEY_TTL_MARGIN_MS);
  }

  /** Synthetic entries as the gateway queues them; a code no receiving unit issues, and every other one keyed. */
  private List<Request> xadds(int count) {
    List<Request> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int n = entries + i;
      Example example = examples.get(n % examples.size());
      String code = "warmup-" + suffix + "-" + n;
      StreamEntry entry = new StreamEntry(UUID.randomUUID().toString(), code, CLIENT, Instant.now().toString(),
          n % 2 == 0 ? code : null, example.payload(), example.sha256(), WARMUP_DUE_DAYS);
      Request xadd = Request.cmd(Command.XADD).arg(partition.stream()).arg("*");
      entry.toQueuedFields().forEach((field, value) -> xadd.arg(field).arg(value));
      out.add(xadd);
    }
    return out;
  }

  private void end(String why) {
    if (ended == null) {
      ended = why;
    }
  }
}
