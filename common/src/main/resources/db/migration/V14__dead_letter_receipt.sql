-- What the citizen's receipt said of a dead-lettered dossier, as its stream entry carried it: the code its 202 gave,
-- the submitting client and the receipt time. Until now only the copy on the dead-letter stream had them, so support
-- could not find the row of a dossier a citizen asks about by its code. Text, as queued: an entry is dead-lettered
-- precisely when its fields may be malformed (a receipt time that is not one among them), and the row must be written
-- all the same; for that reason no index either (a code too long for a B-tree entry is one such field, SQLSTATE
-- 54000), and dead_letter is small enough to scan. Nullable without defaults: adding them rewrites nothing and holds
-- dead_letter's lock for an instant.
ALTER TABLE dead_letter ADD COLUMN code text, ADD COLUMN client_id text, ADD COLUMN received_at text;
