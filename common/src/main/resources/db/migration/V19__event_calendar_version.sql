-- The version of the official calendar files (OfficialCalendar.version(), e.g. vn-2025-2028@3f1c0a9b27de) behind the
-- due date an event set: computed by the hub (an acceptance, a supplement's arrival) or sent by the agency and checked
-- on that calendar (a working day, not after the statutory date). AGENCY.md section 5 keeps "the calendar versions
-- behind each deadline": once a year file changes (a provisional holiday confirmed or moved), the date can still be
-- reproduced from the files it was computed on. Null on events that set no date, and on rows written before.
-- Nullable without a default: adding it rewrites nothing. Its ACCESS EXCLUSIVE lock waits behind any open reader of
-- dossier_event (a report, an export), and every status look-up (which joins the events) and event would queue behind
-- that wait: lock_timeout gives up after 3 s instead (this hub's start fails, rolled back; start it again later).
SET LOCAL lock_timeout = '3s';
ALTER TABLE dossier_event ADD COLUMN calendar_version text;
