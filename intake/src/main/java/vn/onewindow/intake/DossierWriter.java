package vn.onewindow.intake;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes dossiers to PostgreSQL in one statement per call: every column travels as a {@code text[]} and is cast in
 * SQL, so a batch of any size is one round trip and one implicit transaction. {@code ON CONFLICT (id) DO NOTHING}
 * makes a redelivered dossier a no-op, and the status history row is written only for dossiers actually inserted,
 * in the same statement.
 */
public final class DossierWriter {

  static final String INSERT_SQL = """
      WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
          AS t(id, code, client_id, received_at, idempotency_key, payload, stream_entry_id)
      ), typed AS MATERIALIZED (
        SELECT id::uuid AS id, code, client_id, received_at::timestamptz AS received_at, idempotency_key,
               payload::jsonb AS doc, stream_entry_id,
               -- lets the gateway's direct path (Redis down) recognise a retry of this Idempotency-Key
               CASE WHEN idempotency_key IS NOT NULL
                    THEN encode(sha256(convert_to(payload, 'UTF8')), 'hex') END AS body_sha256
        FROM input
      ), ins AS (
        INSERT INTO dossier (id, code, client_id, procedure_code, receiving_unit, handling_agency, channel,
                             applicant_type, status, idempotency_key, payload, received_at, stream_entry_id,
                             body_sha256)
        SELECT id, code, client_id, doc->>'procedureCode', doc->>'receivingUnit', doc->>'handlingAgency',
               doc->>'channel', doc->'applicant'->>'type', 1, idempotency_key, doc, received_at, stream_entry_id,
               body_sha256
        FROM typed
        ON CONFLICT (id) DO NOTHING
        RETURNING id, received_at
      )
      INSERT INTO dossier_status_history (dossier_id, status, changed_at)
      SELECT id, 1, received_at FROM ins
      RETURNING dossier_id, changed_at""";

  /** What one statement inserted: the receipt instants of the rows actually inserted (redeliveries excluded). */
  public record Written(List<Instant> insertedReceivedAt) {
    public int inserted() {
      return insertedReceivedAt.size();
    }
  }

  /**
   * Bound on one statement: a connection that went silent (no RST) must not stall the worker. A timed-out statement
   * may still commit; its entries stay unacked and their redelivery is a no-op.
   */
  static final long STATEMENT_TIMEOUT_MS = 30_000;

  private final Pool pool;

  public DossierWriter(Pool pool) {
    this.pool = pool;
  }

  /**
   * Inserts the rows in one statement. The caller de-duplicates dossier ids first: the same id twice in one
   * statement would make {@code ON CONFLICT} fail ("cannot affect row a second time").
   */
  public Future<Written> write(List<DossierRow> rows) {
    int n = rows.size();
    String[] id = new String[n];
    String[] code = new String[n];
    String[] client = new String[n];
    String[] receivedAt = new String[n];
    String[] idemKey = new String[n];
    String[] payload = new String[n];
    String[] entryId = new String[n];
    for (int i = 0; i < n; i++) {
      DossierRow r = rows.get(i);
      id[i] = r.dossierId();
      code[i] = r.code();
      client[i] = r.clientId();
      receivedAt[i] = r.receivedAt().toString();
      idemKey[i] = r.idempotencyKey();
      payload[i] = r.payload();
      entryId[i] = r.entryId();
    }
    Tuple params = Tuple.tuple()
        .addArrayOfString(id).addArrayOfString(code).addArrayOfString(client).addArrayOfString(receivedAt)
        .addArrayOfString(idemKey).addArrayOfString(payload).addArrayOfString(entryId);
    return pool.preparedQuery(INSERT_SQL).execute(params)
        .timeout(STATEMENT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(result -> {
          List<Instant> inserted = new ArrayList<>(result.rowCount());
          for (Row row : result) {
            OffsetDateTime at = row.getOffsetDateTime("changed_at");
            inserted.add(at.toInstant());
          }
          return new Written(inserted);
        });
  }

  public Future<Written> writeOne(DossierRow row) {
    return write(List.of(row));
  }
}
