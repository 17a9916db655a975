-- When a dead letter was last put back on its partition's stream by DeadLetterReplay (README: "Replaying dead
-- letters"); null while it has never been replayed. A replayed entry that fails again is a new dead letter with a row
-- of its own. Nullable without a default: adding it rewrites nothing and holds dead_letter's lock for an instant.
-- hub_runtime's UPDATE on dead_letter (V2) covers the new column.
ALTER TABLE dead_letter ADD COLUMN replayed_at timestamptz;
