package vn.onewindow.gateway.submit;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.gateway.http.InstantText;

/**
 * The degraded path while Redis cannot take dossiers: one transaction writes the dossier straight to PostgreSQL,
 * idempotently (an advisory lock per client and Idempotency-Key serialises concurrent retries). Its codes come from
 * the direct path's own number space ({@link DossierCode#directSequence}: 9000, 9001... then 90000...), counted per
 * unit and day in {@code dossier_code_sequence}, so they can never meet a code issued through Redis. (Rows of that
 * table written before this scheme hold counts from 50001 on; they simply continue, still in the direct space.)
 */
public final class DirectWriter {
  private static final String NEXT_SEQUENCE = """
      INSERT INTO dossier_code_sequence (receiving_unit, receipt_date, last_value) VALUES ($1, $2, 1)
      ON CONFLICT (receiving_unit, receipt_date)
      DO UPDATE SET last_value = dossier_code_sequence.last_value + 1
      RETURNING last_value""";
  private static final String EARLIER = """
      SELECT id::text, code, received_at, expected_result_by, body_sha256 FROM dossier
      WHERE client_id = $1 AND idempotency_key = $2 AND received_at > $3
      ORDER BY received_at DESC LIMIT 1""";
  private static final String SAME_DOSSIER =
      "SELECT id::text, code, received_at, expected_result_by, body_sha256 FROM dossier WHERE id = $1";
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

  /**
   * What PostgreSQL knows of this submission's Idempotency-Key, without writing: the stored dossier's receipt (a
   * replay, or a conflict for another body), or {@link EnqueueResult.Absent}.
   */
  public Future<EnqueueResult> lookUp(Submission s) {
    return earlier(pool, s).map(earlier -> earlier == null ? new EnqueueResult.Absent() : replay(earlier, s));
  }

  private static Future<Void> lockIdempotencyKey(SqlConnection conn, Submission s) {
    if (s.idempotencyKey() == null) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .execute(Tuple.of(s.clientId() + "\n" + s.idempotencyKey())).mapEmpty();
  }

  private Future<Row> earlier(SqlClient client, Submission s) {
    if (s.idempotencyKey() == null) {
      return Future.succeededFuture(null);
    }
    return client.preparedQuery(EARLIER)
        .execute(Tuple.of(s.clientId(), s.idempotencyKey(), s.receivedAt().minus(idempotencyTtl).atOffset(ZoneOffset.UTC)))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private static EnqueueResult replay(Row earlier, Submission s) {
    // this very submission when its timed-out call ran after all (the worker stored it under its entry's id): then
    // the answer is its first, not a replay (Idempotent-Replayed: false)
    boolean sameSubmission = Partitions.ofSubmission(earlier.getString("id"), s.dossierId());
    if (!sameSubmission && !s.bodySha256().equals(earlier.getString("body_sha256"))) {
      return new EnqueueResult.Conflict();
    }
    // the stored receipt's times, not this retry's: a retry the next day must not promise another date; a row
    // queued by a release before V16 has none, and gets the retry's
    LocalDate promised = earlier.getLocalDate("expected_result_by");
    return new EnqueueResult.Accepted(new Receipt(earlier.getString("id"), earlier.getString("code"),
        InstantText.of(earlier.getOffsetDateTime("received_at").toInstant()),
        (promised == null ? s.expectedResultBy() : promised).toString(), s.procedureCode(), !sameSubmission));
  }

  private static Future<EnqueueResult> insert(SqlConnection conn, Submission s) {
    LocalDate day = s.receiptDate();
    return conn.preparedQuery(NEXT_SEQUENCE).execute(Tuple.of(s.receivingUnit(), day))
        .map(rows -> DossierCode.of(s.receivingUnit(), day,
            DossierCode.directSequence(rows.iterator().next().getInteger(0))))
        .compose(code -> conn.preparedQuery(DossierTable.INSERT)
            .execute(DossierTable.params(List.of(new DossierTable.NewDossier(s.dossierId(), code, s.clientId(),
                s.receivedAt().toString(), s.idempotencyKey(), s.payload(), DossierTable.DIRECT_ENTRY,
                s.bodySha256(), s.columns(), s.expectedResultBy()))))
            .compose(inserted -> inserted.rowCount() > 0
                ? Future.succeededFuture(new EnqueueResult.Accepted(new Receipt(s.dossierId(), code,
                    InstantText.of(s.receivedAt()), s.expectedResultBy().toString(), s.procedureCode(), false)))
                : alreadyStored(conn, s)));
  }

  /** The queue's worker stored this dossier first (its enqueue had run after all): answer with that receipt. */
  private static Future<EnqueueResult> alreadyStored(SqlConnection conn, Submission s) {
    return conn.preparedQuery(SAME_DOSSIER).execute(Tuple.of(UUID.fromString(s.dossierId())))
        .map(rows -> replay(rows.iterator().next(), s));
  }
}
