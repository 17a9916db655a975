package vn.onewindow.common.dossier;

import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.util.List;

/**
 * The one INSERT of new dossiers, used by the intake workers (a batch from the stream) and by the gateway's direct
 * path while Redis is down (one row): every column travels as an array ({@code text[]} cast in SQL, but one: see
 * below), so a batch of any size is one round trip and one implicit transaction. {@code ON CONFLICT (id) DO
 * NOTHING} makes a redelivered dossier a no-op, and the status-history row is written only for dossiers actually
 * inserted, in the same statement, with the submitting client (the frontends' change feed reads history rows by
 * client); taking its dossier's id from the rows inserted is what lets the history go without a foreign key (V10).
 * The feed positions (feed_xid, feed_seq) are column defaults (V5). Returns the id and receipt instant of each row
 * inserted.
 *
 * <p>The payload is stored as {@code json}, the body exactly as received (V9), and the columns read from it
 * ({@link Columns}) come as parameters, read by whoever parsed the body already: PostgreSQL no longer parses every
 * payload into {@code jsonb} and then reads five values out of it (issue 11: no per-row work done twice; about a
 * sixth of the INSERT's CPU, ops/bench/RUNS.md).
 *
 * <p>{@code expected_result_by} (V16), the date the receipt promised, is the one column that travels as itself, a
 * {@code date[]}: four bytes a row in binary, which PostgreSQL neither parses nor casts. The gateway's own date on the
 * direct path, the intake's reading of the stream entry's {@link StreamEntry#DUE}; null when the entry did not carry
 * it (queued by an earlier release).
 */
public final class DossierTable {
  public static final String INSERT = """
      WITH ins AS (
        INSERT INTO dossier (id, code, client_id, procedure_code, receiving_unit, handling_agency, channel,
                             applicant_type, status, idempotency_key, payload, received_at, stream_entry_id,
                             body_sha256, expected_result_by)
        SELECT id::uuid, code, client_id, procedure_code, receiving_unit, handling_agency, channel, applicant_type, 1,
               idempotency_key, payload::json, received_at::timestamptz, stream_entry_id,
               -- lets the gateway's direct path (Redis down) recognise a retry of this Idempotency-Key
               CASE WHEN idempotency_key IS NOT NULL THEN body_sha256 END, expected_result_by
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::date[])
          AS t(id, code, client_id, received_at, idempotency_key, payload, stream_entry_id, body_sha256,
               procedure_code, receiving_unit, handling_agency, channel, applicant_type, expected_result_by)
        ON CONFLICT (id) DO NOTHING
        RETURNING id, received_at, client_id
      )
      INSERT INTO dossier_status_history (dossier_id, status, changed_at, client_id)
      SELECT id, 1, received_at, client_id FROM ins
      RETURNING dossier_id, changed_at""";

  /** The stream entry id recorded for dossiers written by the direct path, which never went through the stream. */
  public static final String DIRECT_ENTRY = "direct";

  /**
   * The columns the row takes from its submission document (config/schema/dossier-submission.schema.json). A value
   * that is missing or not a string is null here; {@link #missing} names the first such.
   */
  public record Columns(String procedureCode, String receivingUnit, String handlingAgency, String channel,
                        String applicantType) {

    /** The document path of the first column without a value, or null when all have one. */
    public String missing() {
      return procedureCode == null ? "procedureCode" : receivingUnit == null ? "receivingUnit"
          : handlingAgency == null ? "handlingAgency" : channel == null ? "channel"
          : applicantType == null ? "applicant/type" : null;
    }
  }

  /**
   * One dossier as the INSERT takes it; {@code bodySha256} is kept only with an idempotency key; {@code
   * expectedResultBy} is the receipt's date, or null.
   */
  public record NewDossier(String dossierId, String code, String clientId, String receivedAt, String idempotencyKey,
                           String payload, String streamEntryId, String bodySha256, Columns columns,
                           LocalDate expectedResultBy) {

    /** A dossier whose columns are read from its payload here (tests; the direct path passes the gateway's own). */
    public static NewDossier of(String dossierId, String code, String clientId, String receivedAt,
                                String idempotencyKey, String payload, String streamEntryId, String bodySha256) {
      return new NewDossier(dossierId, code, clientId, receivedAt, idempotencyKey, payload, streamEntryId,
          bodySha256, PayloadColumns.read(payload).columns(), null);
    }
  }

  /**
   * Whether {@code text[from, to)} holds U+0000 or an unpaired UTF-16 surrogate (no code point: what jsonb refused
   * and json's operators cannot extract): what PostgreSQL's readers cannot read back. {@link PayloadColumns} checks
   * the intake's entries with it, in the parser's own buffer; the gateway's payload guard refuses both before a 202.
   */
  public static boolean unreadableText(char[] text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text[i];
      // one comparison for the usual character: neither U+0000 nor a surrogate
      if (c != '\u0000' && !Character.isSurrogate(c)) {
        continue;
      }
      if (c == '\u0000' || Character.isLowSurrogate(c) || i + 1 == to || !Character.isLowSurrogate(text[i + 1])) {
        return true;
      }
      i++;
    }
    return false;
  }

  /** The same rule for surrogates alone, on a String (the payload guard's tree gives Strings). */
  public static boolean hasUnpairedSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  private DossierTable() {
  }

  /** The parameters of {@link #INSERT} for these dossiers (distinct ids: ON CONFLICT cannot touch a row twice). */
  public static Tuple params(List<NewDossier> dossiers) {
    int n = dossiers.size();
    String[][] columns = new String[13][n];
    LocalDate[] expectedResultBy = new LocalDate[n];
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
      columns[8][i] = d.columns().procedureCode();
      columns[9][i] = d.columns().receivingUnit();
      columns[10][i] = d.columns().handlingAgency();
      columns[11][i] = d.columns().channel();
      columns[12][i] = d.columns().applicantType();
      expectedResultBy[i] = d.expectedResultBy();
    }
    Tuple params = Tuple.tuple();
    for (String[] column : columns) {
      params.addArrayOfString(column);
    }
    return params.addArrayOfLocalDate(expectedResultBy);
  }
}
