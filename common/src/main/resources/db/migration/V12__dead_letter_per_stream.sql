-- A stream entry's id is unique within its stream only: two partitions' streams that XADD in the same millisecond
-- issue the same id, and with the entry id alone as the key, the second partition's dead letter met the first's row
-- and ON CONFLICT DO NOTHING dropped it, while its entry was acknowledged and deleted all the same. The key becomes
-- the stream and the entry id; rows written before this migration name no stream (''). dead_letter is small and
-- written only by the intake's dead-lettering (never in a transaction with dossier), so rebuilding its key briefly
-- holds its lock alone.
ALTER TABLE dead_letter ADD COLUMN stream text NOT NULL DEFAULT '';
ALTER TABLE dead_letter DROP CONSTRAINT dead_letter_pkey;
ALTER TABLE dead_letter ADD PRIMARY KEY (stream, stream_entry_id);
