-- Feed positions (issue 12): the agency feed follows dossier rows, the frontends' change feed follows status
-- history rows, both in (xid, seq) order. xid is the inserting transaction's id (pg_current_xact_id(), a 64-bit
-- xid8 that never wraps), seq orders the rows of one transaction. A feed serves only rows whose xid is below
-- pg_snapshot_xmin(pg_current_snapshot()): every transaction below that horizon has committed or aborted, so no
-- row can later appear behind a cursor already handed out (README "Feed cursors"). The defaults fill both
-- columns for every INSERT, including the intake's, without naming them.
-- Existing rows get this migration's xid (a stable default is stored once, no table rewrite) and seq in
-- physical order; the migration commits before any reader sees them.
ALTER TABLE dossier
    ADD COLUMN feed_xid xid8   NOT NULL DEFAULT pg_current_xact_id(),
    ADD COLUMN feed_seq bigint GENERATED ALWAYS AS IDENTITY;
-- The agency feed: one agency's dossiers in feed order, an index range scan from the cursor to the horizon.
CREATE INDEX dossier_agency_feed_idx ON dossier (handling_agency, feed_xid, feed_seq);

-- The change feed: the status changes of the dossiers one frontend client submitted. client_id is copied from
-- the dossier by the writers (intake and events) so the feed is one index range scan per client.
ALTER TABLE dossier_status_history
    ADD COLUMN client_id text,
    ADD COLUMN feed_xid  xid8 NOT NULL DEFAULT pg_current_xact_id();
UPDATE dossier_status_history h SET client_id = d.client_id FROM dossier d WHERE d.id = h.dossier_id;
ALTER TABLE dossier_status_history ALTER COLUMN client_id SET NOT NULL;
CREATE INDEX dossier_status_history_change_feed_idx ON dossier_status_history (client_id, feed_xid, seq);
