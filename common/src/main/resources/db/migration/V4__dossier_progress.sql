-- Progress reported by the handling agencies (issue 12): the dossier row carries its current state, every event
-- is kept append-only in dossier_event, and dossier_status_history stays the one status timeline (intake's
-- status 1 and one row per event, written in the event's transaction).

-- The current state, updated in the event's transaction (the event handler locks the row FOR UPDATE first).
ALTER TABLE dossier
    ADD COLUMN due_date          date,         -- current appointment (NgayHenTra): set by 2, re-dated by 5
    ADD COLUMN accepted_at       timestamptz,  -- status 2 (NgayTiepNhan as valid receipt)
    ADD COLUMN processed_at      timestamptz,  -- status 9 (NgayKetThucXuLy)
    ADD COLUMN returned_at       timestamptz,  -- status 10 (NgayTra)
    ADD COLUMN status_changed_at timestamptz;  -- time of the last event; NULL = still as received

-- Every progress event as the agency sent it. Never updated or deleted (hub_runtime has no DELETE anyway).
-- officer is the agency's own data: it is served back only to agency clients, never to frontends or logs.
CREATE TABLE dossier_event (
    seq                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id         uuid        NOT NULL REFERENCES dossier (id),
    client_id          text        NOT NULL,
    event_id           text        NOT NULL,
    status             smallint    NOT NULL CHECK (status BETWEEN 2 AND 10),
    at                 timestamptz NOT NULL,
    officer            text,
    note               text,
    due_date           date,        -- the date the event set (2) or the new date (5)
    previous_due_date  date,        -- the dossier's due date before the event (kept on every event)
    result             jsonb,       -- references of result documents (9, 10)
    fingerprint        text        NOT NULL,  -- SHA-256 of the event's content: a replay must match it
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (client_id, event_id)
);
CREATE INDEX dossier_event_dossier_idx ON dossier_event (dossier_id, seq);

-- The status timeline gets a key of its own (the same status may recur at the same instant: 4 -> 5 -> 4), the
-- applicant-facing note and due date of each change, and the event it came from (NULL for intake's status 1).
ALTER TABLE dossier_status_history DROP CONSTRAINT dossier_status_history_pkey;
ALTER TABLE dossier_status_history
    ADD COLUMN seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ADD COLUMN due_date  date,
    ADD COLUMN event_seq bigint REFERENCES dossier_event (seq);
CREATE INDEX dossier_status_history_dossier_idx ON dossier_status_history (dossier_id, changed_at, seq);

-- Append-only for the runtime role too: the default privileges of V2 would also grant UPDATE.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_runtime') THEN
    GRANT SELECT, INSERT ON dossier_event TO hub_runtime;
    REVOKE UPDATE ON dossier_event FROM hub_runtime;
  END IF;
END
$$;
