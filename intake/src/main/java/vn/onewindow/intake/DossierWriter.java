package vn.onewindow.intake;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import vn.onewindow.common.dossier.DossierTable;

/**
 * Writes dossiers to PostgreSQL with the one dossier INSERT ({@link DossierTable}): a batch of any size is one
 * statement, one round trip and one implicit transaction, and a redelivered dossier is a no-op.
 *
 * <p>One writer per worker, shared by the consumers of its partitions (all on the worker's event loop): while a
 * statement runs, the batches that arrive meanwhile wait and then go together in the next one, up to
 * {@code maxRows} rows (group commit). With many partitions each read brings few entries; this keeps the statements
 * few and large under load, and adds no wait when there is no other statement running.
 */
public final class DossierWriter {

  /** What one statement inserted: the receipt instants of the rows actually inserted (redeliveries excluded). */
  public record Written(List<Instant> insertedReceivedAt) {
    public int inserted() {
      return insertedReceivedAt.size();
    }
  }

  private record Waiting(List<DossierRow> rows, Promise<Written> promise) {
  }

  /** A pool (each statement its own transaction), or one connection inside a transaction (the warm-up's). */
  private final SqlClient sql;
  private final Duration statementTimeout;
  private final int maxRows;
  private final Consumer<Written> lateInserts;
  private final Deque<Waiting> waiting = new ArrayDeque<>();
  private boolean writing;

  /**
   * {@code statementTimeout} bounds one statement: a connection that went silent (no RST) must not stall the worker.
   * A timed-out statement may still commit; its entries stay unacked and their redelivery is a no-op. Such a late
   * commit is reported to no one: for tests, which count nothing.
   */
  public DossierWriter(SqlClient sql, Duration statementTimeout) {
    this(sql, statementTimeout, Integer.MAX_VALUE, late -> { });
  }

  /**
   * {@code lateInserts} is told of the rows a statement inserted after {@code statementTimeout} gave up on it: its
   * callers failed, left their entries pending, and the redelivery of those finds the rows written and inserts
   * nothing, so the statement's own result, when it arrives, is the one news of those inserts.
   */
  public DossierWriter(SqlClient sql, Duration statementTimeout, int maxRows, Consumer<Written> lateInserts) {
    this.sql = sql;
    this.statementTimeout = statementTimeout;
    this.maxRows = maxRows;
    this.lateInserts = lateInserts;
  }

  /**
   * Inserts the rows, with those of batches waiting at the same time. The caller de-duplicates dossier ids first
   * (the same id twice in one statement makes {@code ON CONFLICT} fail, "cannot affect row a second time"); batches
   * sharing an id are never merged. A failed statement fails every batch in it: each then handles its own rows.
   */
  public Future<Written> write(List<DossierRow> rows) {
    Promise<Written> promise = Promise.promise();
    waiting.add(new Waiting(rows, promise));
    if (!writing) {
      flush();
    }
    return promise.future();
  }

  /** One row alone, never merged: the isolation of a row a batch statement refused. */
  public Future<Written> writeOne(DossierRow row) {
    return statement(List.of(row)).map(result -> written(List.of(row), result));
  }

  private void flush() {
    List<Waiting> group = new ArrayList<>();
    List<DossierRow> rows = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
      Waiting w = it.next();
      boolean fits = group.isEmpty() || rows.size() + w.rows().size() <= maxRows;
      if (fits && w.rows().stream().noneMatch(r -> ids.contains(r.dossierId()))) {
        it.remove();
        group.add(w);
        rows.addAll(w.rows());
        w.rows().forEach(r -> ids.add(r.dossierId()));
      }
    }
    if (group.isEmpty()) {
      return;
    }
    writing = true;
    statement(rows).onComplete(ar -> {
      writing = false;
      for (Waiting w : group) {
        if (ar.succeeded()) {
          w.promise().complete(written(w.rows(), ar.result()));
        } else {
          w.promise().fail(ar.cause());
        }
      }
      if (!waiting.isEmpty()) {
        flush();
      }
    });
  }

  private Future<RowSet<Row>> statement(List<DossierRow> rows) {
    List<DossierTable.NewDossier> dossiers = new ArrayList<>(rows.size());
    rows.forEach(r -> dossiers.add(r.toNewDossier()));
    Future<RowSet<Row>> execution = sql.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(dossiers));
    Future<RowSet<Row>> bounded = execution.timeout(statementTimeout.toMillis(), TimeUnit.MILLISECONDS);
    // the timeout gives up on the statement, it does not stop it (one waiting on a lock commits once it is released):
    // failed here and succeeded there is exactly a commit after the timeout
    bounded.onFailure(gaveUp -> execution.onSuccess(late -> lateInserts.accept(written(rows, late))));
    return bounded;
  }

  /** The rows of {@code mine} that the statement inserted (it returns the id and receipt instant of each). */
  private static Written written(List<DossierRow> mine, RowSet<Row> result) {
    Map<String, Instant> inserted = new HashMap<>();
    for (Row row : result) {
      inserted.put(row.getUUID("dossier_id").toString(), row.getOffsetDateTime("changed_at").toInstant());
    }
    List<Instant> receivedAt = new ArrayList<>();
    for (DossierRow r : mine) {
      Instant at = inserted.get(r.dossierId());
      if (at != null) {
        receivedAt.add(at);
      }
    }
    return new Written(receivedAt);
  }
}
