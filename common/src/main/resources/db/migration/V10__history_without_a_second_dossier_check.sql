-- The status history's foreign key to dossier re-checked, for every row, what the statement writing the row already
-- guarantees (issue 11: no per-row work done twice; about a seventh of the intake INSERT's PostgreSQL CPU, measured
-- with pgbench in ops/bench/RUNS.md, run AS). Each check was an index probe of dossier plus a row lock on it
-- (FOR KEY SHARE, written to the WAL) on a row the same statement had just inserted.
-- Why no row can lose its dossier without it:
--   * the history has two writers, and both take dossier_id from the dossier row they write in the same statement:
--     DossierTable.INSERT from the rows its INSERT ... ON CONFLICT DO NOTHING RETURNING inserted, EventStore.RECORD
--     from its UPDATE dossier ... RETURNING (no row, no history);
--   * dossiers are never deleted nor re-keyed: hub_runtime may not DELETE (V2, RuntimeRoleTest) and nothing updates id.
-- IntakePersistenceTest and AgencyFlowTest check that every history row has its dossier. dossier_event and
-- dossier_rating keep their foreign keys: one row per agency event or rating, off the intake path.
-- Dropping the key takes ACCESS EXCLUSIVE on both tables, the history first and then dossier (its trigger there),
-- while both writers lock dossier first and the history second (an intake INSERT; an event's transaction, which
-- holds its dossier FOR UPDATE across round trips): run beside a live hub, each waited for the other and PostgreSQL
-- aborted one (DBA tryout, 1 million dossiers; MigrationsTest). Taking both locks up front in the writers' order makes
-- the migration wait its turn instead; it holds them for an instant (no data is read).
LOCK TABLE dossier, dossier_status_history IN ACCESS EXCLUSIVE MODE;
ALTER TABLE dossier_status_history DROP CONSTRAINT IF EXISTS dossier_status_history_dossier_id_fkey;
