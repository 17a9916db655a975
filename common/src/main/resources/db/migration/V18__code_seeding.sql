-- One row per seeding of a partition's dossier counters that found codes in PostgreSQL (CodeSequences): Redis had
-- lost its data, and with it the idempotency records of the dossiers it had queued. While such a row is younger than
-- the idempotency TTL, every gateway looks a keyed submission's Idempotency-Key up in PostgreSQL first (as after the
-- direct path: RecentDirectWrites reads this table with dossier_code_sequence), so a frontend retrying a dossier
-- written before the loss gets its receipt back, not a second dossier under a new code. Also the operators' record of
-- when Redis came back without its data. A few rows a year; no index.
CREATE TABLE code_seeding (
    seeded_at     timestamptz NOT NULL DEFAULT now(),
    receipt_date  date        NOT NULL,
    partition     integer     NOT NULL,
    unit_days     integer     NOT NULL
);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_runtime') THEN
    GRANT SELECT, INSERT ON code_seeding TO hub_runtime;
  END IF;
END
$$;
