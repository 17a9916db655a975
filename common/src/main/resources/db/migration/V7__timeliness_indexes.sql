-- Timeliness statistics (GET /v1/stats/timeliness) select an agency by code or by tail (*.H48: a whole province):
-- on reverse(handling_agency) a tail is a prefix, so the search is a range scan of this index, which also holds
-- what the aggregate reads (an index-only scan when the visibility map allows it).
CREATE INDEX dossier_agency_tail_idx ON dossier (reverse(handling_agency) text_pattern_ops, received_at)
    INCLUDE (status, due_date, processed_at);
-- The province gauges read the dossiers processed in the last 30 days.
CREATE INDEX dossier_processed_at_idx ON dossier (processed_at) WHERE processed_at IS NOT NULL;
