-- A status look-up of a dossier with no row and no queued entry asks for its dead letter (the dossier got its 202,
-- the intake could not write it): by dossier id, for every id the hub does not know too, so without an index each
-- such 404 would scan dead_letter, which grows fastest during the very incident that fills it. A hash index, not a
-- B-tree: dead_letter.dossier_id is whatever a malformed entry carried, of any length, and a B-tree entry over about
-- 2.7 kB makes PostgreSQL refuse the dead-letter INSERT itself (SQLSTATE 54000; V14), leaving the entry in the stream
-- forever; a hash index keeps only a 4-byte hash of the value. The look-up is an equality, all a hash index serves.
-- Built in Flyway's transaction: a SHARE lock on dead_letter while it builds (reads go on, only dead-lettering
-- waits), brief on a table that holds only dead letters.
CREATE INDEX dead_letter_dossier_id_idx ON dead_letter USING hash (dossier_id);
