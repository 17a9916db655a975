package vn.onewindow.gateway.submit;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.DossierTable;
import java.util.UUID;

/**
 * The degraded path while Redis cannot take dossiers: one transaction writes the dossier straight to PostgreSQL,
 * idempotently (an advisory lock per client and Idempotency-Key serialises concurrent retries), with a code from
 * the {@code dossier_code_sequence} range reserved for this path (see V3__direct_intake.sql).
 */
public final class DirectWriter {
  static final int FIRST_DIRECT_SEQUENCE = 50_001;
  private static final String NEXT_SEQUENCE = """
      INSERT INTO dossier_code_sequence (receiving_unit, receipt_date, last_value) VALUES ($1, $2, $3)
      ON CONFLICT (receiving_unit, receipt_date)
      DO UPDATE SET last_value = dossier_code_sequence.last_value + 1
      RETURNING last_value""";
  private static final String EARLIER = """
      SELECT id::text, code, received_at, body_sha256 FROM dossier
      WHERE client_id = $1 AND idempotency_key = $2 AND received_at > $3
      ORDER BY received_at DESC LIMIT 1""";
  private static final String SAME_DOSSIER = "SELECT id::text, code, received_at, body_sha256 FROM dossier WHERE id = $1";
  private final Pool pool;
  private final Duration idempotencyTtl;

  public DirectWriter(Pool pool, Duration idempotencyTtl) {
    this.pool = pool;
    this.idempotencyTtl = idempotencyTtl;
  }

  /**
   * The direct path runs after a Redis enqueue failed, and a timed-out enqueue may still have run: the queue can
   * already hold this very dossier (same id), and a worker may even have stored it. Then its stored receipt is the
   * answer, so one submission never becomes two dossiers nor a false 409.
   */
  public Future<EnqueueResult> write(Submission s) {
    return pool.withTransaction(conn -> lockIdempotencyKey(conn, s)
        .compose(v -> earlier(conn, s))
        .compose(earlier -> earlier != null ? Future.succeededFuture(replay(earlier, s)) : insert(conn, s)));
  }

  private static Future<Void> lockIdempotencyKey(SqlConnection conn, Submission s) {
    if (s.idempotencyKey() == null) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .execute(Tuple.of(s.clientId() + "\n" + s.idempotencyKey())).mapEmpty();
  }

  private Future<Row> earlier(SqlConnection conn, Submission s) {
    if (s.idempotencyKey() == null) {
      return Future.succeededFuture(null);
    }
    return conn.preparedQuery(EARLIER)
        .execute(Tuple.of(s.clientId(), s.idempotencyKey(), s.receivedAt().minus(idempotencyTtl).atOffset(ZoneOffset.UTC)))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private static EnqueueResult replay(Row earlier, Submission s) {
    boolean sameSubmission = s.dossierId().equals(earlier.getString("id"));
    if (!sameSubmission && !s.bodySha256().equals(earlier.getString("body_sha256"))) {
      return new EnqueueResult.Conflict();
    }
    return new EnqueueResult.Accepted(new Receipt(earlier.getString("id"), earlier.getString("code"),
        earlier.getOffsetDateTime("received_at").toInstant().toString(), s.expectedResultBy().toString(),
        s.procedureCode(), !sameSubmission));
  }

  private static Future<EnqueueResult> insert(SqlConnection conn, Submission s) {
    LocalDate day = s.receiptDate();
    return conn.preparedQuery(NEXT_SEQUENCE).execute(Tuple.of(s.receivingUnit(), day, FIRST_DIRECT_SEQUENCE))
        .map(rows -> DossierCode.of(s.receivingUnit(), day, rows.iterator().next().getInteger(0)))
        .compose(code -> conn.preparedQuery(DossierTable.INSERT)
            .execute(DossierTable.params(List.of(new DossierTable.NewDossier(s.dossierId(), code, s.clientId(),
                s.receivedAt().toString(), s.idempotencyKey(), s.payload(), DossierTable.DIRECT_ENTRY,
                s.bodySha256()))))
            .compose(inserted -> inserted.rowCount() > 0
                ? Future.succeededFuture(new EnqueueResult.Accepted(new Receipt(s.dossierId(), code,
                    s.receivedAt().toString(), s.expectedResultBy().toString(), s.procedureCode(), false)))
                : alreadyStored(conn, s)));
  }

  /** The queue's worker stored this dossier first (its enqueue had run after all): answer with that receipt. */
  private static Future<EnqueueResult> alreadyStored(SqlConnection conn, Submission s) {
    return conn.preparedQuery(SAME_DOSSIER).execute(Tuple.of(UUID.fromString(s.dossierId())))
        .map(rows -> replay(rows.iterator().next(), s));
  }
}
