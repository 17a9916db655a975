-- The payload as the body was received (issue 11: no per-row work that the gateway has already done). As jsonb,
-- PostgreSQL parsed every payload into its binary form and sorted its keys at insert, then the INSERT read five
-- columns back out of it: about a sixth of the intake's INSERT (ops/bench/RUNS.md). As json it is only checked for
-- syntax and kept byte for byte, so the stored document is the one the body's SHA-256 was taken of; the five columns
-- come as parameters from the parse the writer already did (DossierTable.Columns). jsonb's other refusals (U+0000,
-- unpaired surrogates, numbers beyond numeric) are the payload guard's at the gateway and the intake's own check.
-- Existing rows keep their normalised jsonb text. The ALTER rewrites the table: on a large table, run it in a
-- maintenance window.
ALTER TABLE dossier ALTER COLUMN payload TYPE json USING payload::json;
