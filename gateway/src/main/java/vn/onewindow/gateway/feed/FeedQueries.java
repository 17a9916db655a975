package vn.onewindow.gateway.feed;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import vn.onewindow.common.dossier.NationalStatus;
import vn.onewindow.gateway.http.DossierSummary;
import vn.onewindow.gateway.http.StoredJson;
import vn.onewindow.gateway.http.ApiTimes;

/**
 * The feeds' SQL and their items. Each query is one index range scan (V5 indexes): the owner (agency or client),
 * rows after the cursor's (xid, seq), and only rows whose inserting transaction lies below the snapshot's xmin,
 * that is, every transaction that could still add a row behind the cursor has finished. Rows of a transaction
 * that is still open (or just committed above the horizon) wait for the next page; none is ever skipped.
 */
final class FeedQueries {
  /**
   * The most bytes of submissions one agency page carries (the first item comes whatever its size). A submission may
   * be up to http.body-limit-bytes, so {@code limit} alone let a page of 1000 reach 256 MB: read into the heap, it
   * outlasted the read timeout, and a few concurrent polls held the whole process in GC for minutes.
   */
  static final int PAGE_BYTES = 4 * 1024 * 1024;

  /**
   * $1 handling agency, $2/$3 cursor, $4 limit. The rows up to the limit are sized in PostgreSQL and only those before
   * the budget are sent. A json value has no length of its own: its size is the length of its text, which reads
   * (detoasts) it, so each row's is taken once, in the innermost query, and only the rows sent are read again for
   * their text; the rows pass the window and the budget's filter with their values still in the TOAST table.
   */
  static final String AGENCY = """
      SELECT id, code, received_at, procedure_code, receiving_unit, handling_agency, channel, status,
             status_changed_at, due_date, expected_result_by, payload::text AS payload,
             page.feed_xid::text AS feed_xid, feed_seq
      FROM (
        SELECT sized.*,
               sum(bytes) OVER (ORDER BY feed_xid, feed_seq ROWS UNBOUNDED PRECEDING) - bytes AS bytes_before
        FROM (
          SELECT d.id::text AS id, d.code, d.received_at, d.procedure_code, d.receiving_unit, d.handling_agency,
                 d.channel, d.status, d.status_changed_at, d.due_date, d.expected_result_by, d.payload, d.feed_xid,
                 d.feed_seq, octet_length(d.payload::text) AS bytes
          FROM dossier d
          WHERE d.handling_agency = $1
            AND (d.feed_xid, d.feed_seq) > ($2::text::xid8, $3::bigint)
            AND d.feed_xid < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY d.feed_xid, d.feed_seq
          LIMIT $4) sized) page
      WHERE bytes_before < %d
      ORDER BY page.feed_xid, page.feed_seq""".formatted(PAGE_BYTES);

  /** $1 client id, $2/$3 cursor, $4 limit. */
  static final String CHANGES = """
      SELECT h.dossier_id::text AS id, d.code, h.status, h.changed_at, h.note, h.due_date,
             h.feed_xid::text AS feed_xid, h.seq AS feed_seq
      FROM dossier_status_history h JOIN dossier d ON d.id = h.dossier_id
      WHERE h.client_id = $1
        AND (h.feed_xid, h.seq) > ($2::text::xid8, $3::bigint)
        AND h.feed_xid < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY h.feed_xid, h.seq
      LIMIT $4""";

  /**
   * The first transaction id the database has not issued yet (the xmax of its current snapshot: one past the latest
   * finished transaction). Every position a feed handed out lies below it on the same database, whose ids only grow;
   * a cursor at or past it was issued before the database went back in time. It reads no table.
   */
  static final String NEXT_XID = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next_xid";

  private FeedQueries() {
  }

  /** A dossier as its handling agency receives it: the receipt, where it stands, and the whole submission. */
  static JsonObject agencyItem(Row row) {
    DossierSummary dossier = DossierSummary.of(row);
    JsonObject item = dossier.putFiling(dossier.open().put("receivedAt", dossier.receivedAt()));
    return dossier.putDates(item).put("submission", StoredJson.of(row.getString("payload")));
  }

  /** A status change as a frontend receives it: which dossier, the new status, when, and what the applicant sees. */
  static JsonObject changeItem(Row row) {
    return new JsonObject()
        .put("dossierId", row.getString("id"))
        .put("code", row.getString("code"))
        .put("status", NationalStatus.of(row.getShort("status")).toJson())
        .put("at", ApiTimes.stored(row.getOffsetDateTime("changed_at")))
        .put("note", row.getString("note"))
        .put("dueDate", ApiTimes.date(row.getLocalDate("due_date")));
  }
}
