package vn.onewindow.intake;

import vn.onewindow.common.metrics.MeterNames.DeadLetterReason;

import io.vertx.core.Future;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes one batch of deliveries: malformed entries are dead-lettered, the rest are written in one statement and
 * deleted from the stream (XACK + XDEL) only after the commit. A data error in the batch is isolated by writing the
 * entries one by one; a transient failure leaves every entry in the stream for a later sweep. Never logs a payload.
 */
final class BatchProcessor {
  private static final Logger LOG = LoggerFactory.getLogger(BatchProcessor.class);

  /** What a batch came to; {@code transientFailure} asks the caller to back off before touching PostgreSQL again. */
  record Result(int persisted, int acked, int deadLettered, int leftPending, boolean transientFailure) {
    static final Result EMPTY = new Result(0, 0, 0, 0, false);

    Result plus(Result o) {
      return new Result(persisted + o.persisted, acked + o.acked, deadLettered + o.deadLettered,
          leftPending + o.leftPending, transientFailure || o.transientFailure);
    }
  }

  private record Single(DossierRow row, DossierWriter.Written written, Throwable failure) {
  }

  private final DossierWriter writer;
  private final StreamReader stream;
  private final DeadLetters deadLetters;
  private final IntakeMetrics metrics;
  private final int maxDeliveries;

  BatchProcessor(DossierWriter writer, StreamReader stream, DeadLetters deadLetters, IntakeMetrics metrics,
                 int maxDeliveries) {
    this.writer = writer;
    this.stream = stream;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.maxDeliveries = maxDeliveries;
  }

  Future<Result> process(List<Delivery> batch) {
    List<DeadLetters.Letter> malformed = new ArrayList<>();
    List<DossierRow> rows = new ArrayList<>(batch.size());
    for (Delivery d : batch) {
      DossierRow.Parsed parsed = DossierRow.parse(d);
      if (parsed.row() != null) {
        rows.add(parsed.row());
      } else {
        LOG.warn("malformed stream entry {} ({}), dead-lettering", d.entryId(), parsed.problem());
        malformed.add(new DeadLetters.Letter(d, DeadLetterReason.MALFORMED, parsed.problem()));
      }
    }
    // The same dossier twice in one statement would break ON CONFLICT: write the repeats in later rounds, where
    // they are ordinary redeliveries (no-ops when the first one was inserted).
    List<List<DossierRow>> rounds = uniqueRounds(rows);
    Future<Result> chain = malformed.isEmpty()
        ? Future.succeededFuture(Result.EMPTY)
        : deadLetters.bury(malformed).map(v -> new Result(0, 0, malformed.size(), 0, false))
            .recover(err -> leftPending(malformed.size(), err, "dead-lettering malformed entries"));
    for (List<DossierRow> round : rounds) {
      chain = chain.compose(sofar -> sofar.transientFailure()
          ? Future.succeededFuture(sofar.plus(new Result(0, 0, 0, round.size(), false)))
          : writeRound(round).map(sofar::plus));
    }
    return chain;
  }

  private Future<Result> writeRound(List<DossierRow> rows) {
    long started = System.nanoTime();
    metrics.batchSize.record(rows.size());
    return writer.write(rows).transform(ar -> {
      if (ar.succeeded()) {
        metrics.batchWrite.record(Duration.ofNanos(System.nanoTime() - started));
        metrics.inserted(ar.result());
        return ack(rows, ar.result().inserted());
      }
      FailureKind kind = FailureKind.of(ar.cause());
      if (kind == FailureKind.TRANSIENT) {
        metrics.postgresFailures.increment();
        // one line per 10 s for the worker's batches an outage leaves pending, not one per batch: a 22 s stop wrote
        // about 180 lines per intake (QA of cluster mode); hub_intake_failures_total{upstream="postgres"} counts each
        long suppressed = metrics.outageLog.tryAcquire("postgres");
        if (suppressed >= 0) {
          LOG.warn("PostgreSQL unavailable writing {} entries ({}); leaving them pending ({} more such batches since "
              + "the last line)", rows.size(), FailureKind.describe(ar.cause()), suppressed);
        }
        return Future.succeededFuture(new Result(0, 0, 0, rows.size(), true));
      }
      LOG.warn("batch of {} entries failed ({}, {}); writing them one by one",
          rows.size(), kind, FailureKind.describe(ar.cause()));
      return oneByOne(rows);
    });
  }

  private Future<Result> oneByOne(List<DossierRow> rows) {
    List<Future<Single>> singles = new ArrayList<>(rows.size());
    for (DossierRow row : rows) {
      singles.add(writer.writeOne(row).transform(ar -> Future.succeededFuture(
          new Single(row, ar.succeeded() ? ar.result() : null, ar.failed() ? ar.cause() : null))));
    }
    return Future.all(singles).compose(all -> {
      List<DossierRow> written = new ArrayList<>();
      List<DeadLetters.Letter> letters = new ArrayList<>();
      int inserted = 0;
      int pending = 0;
      boolean transientFailure = false;
      for (Future<Single> f : singles) {
        Single s = f.result();
        if (s.failure() == null) {
          metrics.inserted(s.written());
          inserted += s.written().inserted();
          written.add(s.row());
          continue;
        }
        FailureKind kind = FailureKind.of(s.failure());
        int deliveries = s.row().delivery().deliveries();
        if (kind == FailureKind.DATA) {
          LOG.warn("dossier {} (code {}, entry {}) rejected by PostgreSQL ({}), dead-lettering",
              s.row().dossierId(), s.row().code(), s.row().entryId(), FailureKind.describe(s.failure()));
          letters.add(new DeadLetters.Letter(s.row().delivery(), DeadLetterReason.REJECTED, errorText(s.failure())));
        } else if (kind == FailureKind.OTHER && deliveries >= maxDeliveries) {
          LOG.warn("dossier {} (entry {}) failed {} deliveries ({}), dead-lettering",
              s.row().dossierId(), s.row().entryId(), deliveries, FailureKind.describe(s.failure()));
          letters.add(new DeadLetters.Letter(s.row().delivery(), DeadLetterReason.MAX_DELIVERIES,
              "after " + deliveries + " deliveries: " + errorText(s.failure())));
        } else {
          transientFailure |= kind == FailureKind.TRANSIENT;
          pending++;
        }
      }
      if (transientFailure) {
        metrics.postgresFailures.increment();
      }
      Result base = new Result(inserted, 0, 0, pending, transientFailure);
      Future<Result> acked = ack(written, 0).map(base::plus);
      int buried = letters.size();
      return acked.compose(r -> deadLetters.bury(letters)
          .map(v -> r.plus(new Result(0, 0, buried, 0, false)))
          .recover(err -> leftPending(buried, err, "dead-lettering rejected entries").map(r::plus)));
    });
  }

  private Future<Result> ack(List<DossierRow> rows, int inserted) {
    List<Delivery> entries = new ArrayList<>(rows.size());
    List<String> receipts = new ArrayList<>();
    rows.forEach(r -> {
      entries.add(r.delivery());
      if (r.hasReceipt()) {
        receipts.add(r.dossierId());
      }
    });
    return stream.ackWritten(entries, receipts)
        .map(v -> new Result(inserted, entries.size(), 0, 0, false))
        .recover(err -> {
          // Committed but not acked: the entries are redelivered later and hit ON CONFLICT DO NOTHING.
          metrics.redisFailures.increment();
          LOG.warn("XACK/XDEL of {} committed entries failed ({}); a sweep will take them again",
              entries.size(), FailureKind.describe(err));
          return Future.succeededFuture(new Result(inserted, 0, 0, entries.size(), false));
        });
  }

  private Future<Result> leftPending(int count, Throwable err, String what) {
    if (err instanceof DeadLetters.RedisStepFailed redis) {
      // as a failed ack: Redis's failure, no PostgreSQL backoff
      metrics.redisFailures.increment();
      LOG.warn("{}: the Redis step failed for {} entries ({}); their dead_letter rows are written, and a sweep takes "
          + "again those still in the stream", what, count,
          FailureKind.describe(redis.getCause()));
      return Future.succeededFuture(new Result(0, 0, 0, count, false));
    }
    FailureKind kind = FailureKind.of(err);
    if (kind == FailureKind.TRANSIENT) {
      metrics.postgresFailures.increment();
    }
    LOG.warn("{} failed for {} entries ({}); leaving them pending", what, count, FailureKind.describe(err));
    return Future.succeededFuture(new Result(0, 0, 0, count, kind == FailureKind.TRANSIENT));
  }

  /** The error stored with a dead letter: SQLSTATE, PostgreSQL's message and the constraint, never the detail. */
  static String errorText(Throwable failure) {
    if (failure instanceof PgException pg) {
      return "SQLSTATE " + pg.getSqlState() + " " + pg.getErrorMessage()
          + (pg.getConstraint() == null ? "" : " (constraint " + pg.getConstraint() + ")");
    }
    if (failure instanceof DatabaseException db) {
      return "SQLSTATE " + db.getSqlState() + " " + db.getClass().getSimpleName();
    }
    return FailureKind.describe(failure);
  }

  /** Splits rows into rounds of distinct dossier ids (almost always one), each sorted by id for a stable lock order. */
  static List<List<DossierRow>> uniqueRounds(List<DossierRow> rows) {
    List<List<DossierRow>> rounds = new ArrayList<>();
    List<Set<String>> seen = new ArrayList<>();
    for (DossierRow row : rows) {
      int i = 0;
      while (i < rounds.size() && seen.get(i).contains(row.dossierId())) {
        i++;
      }
      if (i == rounds.size()) {
        rounds.add(new ArrayList<>());
        seen.add(new HashSet<>());
      }
      rounds.get(i).add(row);
      seen.get(i).add(row.dossierId());
    }
    rounds.forEach(r -> r.sort(Comparator.comparing(DossierRow::dossierId)));
    return rounds;
  }
}
