package vn.onewindow.common.dossier;

import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * The one INSERT of new dossiers, used by the intake workers (a batch from the stream) and by the gateway's direct
 * path while Redis is down (one row): every column travels as a {@code text[]} and is cast in SQL, so a batch of
 * any size is one round trip and one implicit transaction. {@code ON CONFLICT (id) DO NOTHING} makes a redelivered
 * dossier a no-op, and the status-history row is written only for dossiers actually inserted, in the same
 * statement, with the submitting client (the frontends' change feed reads history rows by client). The feed
 * positions (feed_xid, feed_seq) are column defaults (V5). Returns the id and receipt instant of each row inserted.
 */
public final class DossierTable {
  public static final String INSERT = """
      WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                             $8::text[])
          AS t(id, code, client_id, received_at, idempotency_key, payload, stream_entry_id, body_sha256)
      ), typed AS MATERIALIZED (
        SELECT id::uuid AS id, code, client_id, received_at::timestamptz AS received_at, idempotency_key,
               payload::jsonb AS doc, stream_entry_id,
               -- lets the gateway's direct path (Redis down) recognise a retry of this Idempotency-Key
               CASE WHEN idempotency_key IS NOT NULL THEN body_sha256 END AS body_sha256
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
        RETURNING id, received_at, client_id
      )
      INSERT INTO dossier_status_history (dossier_id, status, changed_at, client_id)
      SELECT id, 1, received_at, client_id FROM ins
      RETURNING dossier_id, changed_at""";

  /** The stream entry id recorded for dossiers written by the direct path, which never went through the stream. */
  public static final String DIRECT_ENTRY = "direct";

  /** One dossier as the INSERT takes it; {@code bodySha256} is kept only with an idempotency key. */
  public record NewDossier(String dossierId, String code, String clientId, String receivedAt, String idempotencyKey,
                           String payload, String streamEntryId, String bodySha256) {
  }

  private DossierTable() {
  }

  /** The parameters of {@link #INSERT} for these dossiers (distinct ids: ON CONFLICT cannot touch a row twice). */
  public static Tuple params(List<NewDossier> dossiers) {
    int n = dossiers.size();
    String[][] columns = new String[8][n];
    for (int i = 0; i < n; i++) {
      NewDossier d = dossiers.get(i);
      columns[0][i] = d.dossierId();
      columns[1][i] = d.code();
      columns[2][i] = d.clientId();
      columns[3][i] = d.receivedAt();
      columns[4][i] = d.idempotencyKey();
      columns[5][i] = d.payload();
      columns[6][i] = d.streamEntryId();
      columns[7][i] = d.bodySha256();
    }
    Tuple params = Tuple.tuple();
    for (String[] column : columns) {
      params.addArrayOfString(column);
    }
    return params;
  }
}
