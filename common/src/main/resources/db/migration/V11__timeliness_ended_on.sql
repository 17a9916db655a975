-- The timeliness statistics count a withdrawal (7) or a stop (8) in the period it happened, read from
-- status_changed_at (the dossier's last event; both statuses are final). The agency index carries it too, so the
-- aggregate stays an index-only scan.
-- Built CONCURRENTLY, beside the old index, which is dropped once the new one is valid: a plain DROP INDEX + CREATE
-- INDEX in Flyway's transaction held an ACCESS EXCLUSIVE lock on dossier for the whole build (1 million dossiers:
-- 2.6 s on a shared 2-core box, growing with the table; README "Upgrading the schema beside a running hub"), stopping
-- every intake INSERT, status look-up, feed and event of the hub instances still running. Concurrent builds cannot
-- run in a transaction: V11__timeliness_ended_on.sql.conf sets executeInTransaction=false, and Migrations takes
-- Flyway's lock at session level (MigrationsTest).
-- Each statement commits on its own, so every step may be re-run after an interruption: a build cut short leaves
-- an INVALID dossier_agency_tail_v11_idx, which the first statement drops.
DROP INDEX CONCURRENTLY IF EXISTS dossier_agency_tail_v11_idx;
CREATE INDEX CONCURRENTLY dossier_agency_tail_v11_idx
    ON dossier (reverse(handling_agency) text_pattern_ops, received_at)
    INCLUDE (status, due_date, processed_at, status_changed_at);
DROP INDEX CONCURRENTLY IF EXISTS dossier_agency_tail_idx;
-- Renaming takes a SHARE UPDATE EXCLUSIVE lock on the index only, which no reader or writer of dossier conflicts with.
ALTER INDEX dossier_agency_tail_v11_idx RENAME TO dossier_agency_tail_idx;
-- The planner's statistics of an index expression (reverse(handling_agency)) belong to the index: the new one has none
-- until the table is analysed, and autovacuum analyses it only after a tenth of its rows changed. Without them the
-- planner took any tail or code for 0.5 % of the table (a province: 5,052 rows estimated, 53,266 read; DBA tryout).
-- ANALYZE samples the table and blocks no reader or writer.
ANALYZE dossier;
