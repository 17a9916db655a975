package vn.onewindow.intake;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.dossier.DossierTable;

/**
 * Writes dossiers to PostgreSQL with the one dossier INSERT ({@link DossierTable}): a batch of any size is one
 * statement, one round trip and one implicit transaction, and a redelivered dossier is a no-op.
 */
public final class DossierWriter {

  /** What one statement inserted: the receipt instants of the rows actually inserted (redeliveries excluded). */
  public record Written(List<Instant> insertedReceivedAt) {
    public int inserted() {
      return insertedReceivedAt.size();
    }
  }

  private final Pool pool;
  private final Duration statementTimeout;

  /**
   * {@code statementTimeout} bounds one statement: a connection that went silent (no RST) must not stall the worker.
   * A timed-out statement may still commit; its entries stay unacked and their redelivery is a no-op.
   */
  public DossierWriter(Pool pool, Duration statementTimeout) {
    this.pool = pool;
    this.statementTimeout = statementTimeout;
  }

  /**
   * Inserts the rows in one statement. The caller de-duplicates dossier ids first: the same id twice in one
   * statement would make {@code ON CONFLICT} fail ("cannot affect row a second time").
   */
  public Future<Written> write(List<DossierRow> rows) {
    List<DossierTable.NewDossier> dossiers = new ArrayList<>(rows.size());
    rows.forEach(r -> dossiers.add(r.toNewDossier()));
    return pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(dossiers))
        .timeout(statementTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .map(result -> {
          List<Instant> inserted = new ArrayList<>(result.rowCount());
          for (Row row : result) {
            inserted.add(row.getOffsetDateTime("changed_at").toInstant());
          }
          return new Written(inserted);
        });
  }

  public Future<Written> writeOne(DossierRow row) {
    return write(List.of(row));
  }
}
