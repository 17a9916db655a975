-- The date the receipt promised (the 202's expectedResultBy) of a dead-lettered dossier, as its stream entry carried it
-- (StreamEntry.DUE: days after the receipt time's UTC date). Without it the held-for-review view answered
-- expectedResultBy null to a citizen whose receipt had named a date. Text, as queued, like V14's columns: an entry is
-- dead-lettered precisely when its fields may be malformed, and the row must be written all the same; the view reads
-- it leniently (a value that is not a count of days shows no date). Nullable without a default: adding it rewrites
-- nothing and holds dead_letter's lock for an instant; rows written before stay null.
ALTER TABLE dead_letter ADD COLUMN due text;
