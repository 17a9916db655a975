-- Indexes nobody reads cost every intake INSERT (issue 11: "no index nobody reads").
-- (procedure_code, received_at): no query of the hub filters dossiers by procedure.
-- (handling_agency, received_at): the timeliness statistics now take an exact agency code, like a province tail,
-- through dossier_agency_tail_idx (reverse(handling_agency), received_at) INCLUDE (status, due_date, processed_at);
-- the agency feed has its own (handling_agency, feed_xid, feed_seq).
DROP INDEX IF EXISTS dossier_procedure_received_idx;
DROP INDEX IF EXISTS dossier_handling_agency_received_idx;
