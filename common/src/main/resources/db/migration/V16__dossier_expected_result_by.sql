-- The date the receipt (the 202's expectedResultBy, template 01 "hen tra ket qua") promised the citizen, computed by
-- the gateway from the procedure's statutory working days and the official calendar, stored with the dossier so the
-- status views and the agency feed show it before an agency accepts the dossier (due_date, the agency's appointment,
-- is set only then, and stays what it was: the timeliness statistics read it alone). Written by the one dossier
-- INSERT (intake and direct path), never updated. Null for rows written before, and for entries the previous release
-- queued without it. Nullable without a default: adding it rewrites nothing and holds dossier's lock for an instant.
ALTER TABLE dossier ADD COLUMN expected_result_by date;
