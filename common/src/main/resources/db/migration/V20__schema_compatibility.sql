-- The schema compatibility floor (README, Upgrading: "The compatibility floor"). One row: which releases may run on
-- this database, by compatibility level (a release's level is the version of its newest migration,
-- SchemaCompatibility.LEVEL). Every release from this one reads it at start, before it serves or consumes anything,
-- and refuses a floor above its level: Flyway alone only WARNs about migrations it does not know, and an older intake
-- on a newer schema dead-lettered 1,200 dossiers that could not be replayed (upgrade tryout, 2026-12).
--   floor        the lowest level that may read and write this schema (any process: gateways write dossiers too)
--   intake_floor the lowest level whose intake may read the stream entries the releases on this schema queue (a
--                process running an intake needs both floors; a gateway of a lower level may still run: the
--                rollback order is gateways first, then intakes)
--   reason       the migration that raised a floor last, and why: the refusal quotes it
--   level        the highest level that migrated this database (Migrations.apply): a lower release WARNs at start
-- A migration that breaks older releases raises a floor itself, to its own version, never lowering it:
--   UPDATE schema_compatibility SET floor = greatest(floor, 23), intake_floor = greatest(intake_floor, 23),
--     reason = 'V23: dossier.x is NOT NULL without a default';
-- The floors recorded here describe releases that cannot read them (before this one), for the operators: from before
-- V5 no release can write dossiers on this schema (dossier.client_id has no default).
CREATE TABLE schema_compatibility (
    one          boolean PRIMARY KEY DEFAULT true CHECK (one),
    floor        integer NOT NULL,
    intake_floor integer NOT NULL,
    reason       text    NOT NULL,
    level        integer NOT NULL
);

INSERT INTO schema_compatibility (floor, intake_floor, reason, level)
VALUES (5, 5, 'V5: dossier.client_id has no default', 20);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_runtime') THEN
    -- read by every start; written only by migrations and by an operator lowering a floor, as the schema owner
    REVOKE INSERT, UPDATE ON schema_compatibility FROM hub_runtime;
    GRANT SELECT ON schema_compatibility TO hub_runtime;
  END IF;
END
$$;
