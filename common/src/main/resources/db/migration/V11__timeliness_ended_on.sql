-- The timeliness statistics count a withdrawal (7) or a stop (8) in the period it happened, read from
-- status_changed_at (the dossier's last event; both statuses are final). The agency index carries it too, so the
-- aggregate stays an index-only scan. Rebuilding the index takes a lock on writes to dossier for its duration: on a
-- large table, run it in a maintenance window.
DROP INDEX IF EXISTS dossier_agency_tail_idx;
CREATE INDEX dossier_agency_tail_idx ON dossier (reverse(handling_agency) text_pattern_ops, received_at)
    INCLUDE (status, due_date, processed_at, status_changed_at);
