-- Dossiers received through the one window. The id is the idempotency anchor of the intake worker:
-- a redelivered stream entry hits ON CONFLICT (id) DO NOTHING, so each dossier is stored exactly once.
CREATE TABLE dossier (
    id               uuid        PRIMARY KEY,
    code             text        NOT NULL UNIQUE,
    client_id        text        NOT NULL,
    procedure_code   text        NOT NULL,
    receiving_unit   text        NOT NULL,
    handling_agency  text        NOT NULL,
    channel          text        NOT NULL CHECK (channel IN ('online', 'counter', 'postal')),
    applicant_type   text        NOT NULL CHECK (applicant_type IN ('citizen', 'business')),
    status           smallint    NOT NULL DEFAULT 1 CHECK (status BETWEEN 1 AND 10),
    idempotency_key  text,
    payload          jsonb       NOT NULL,
    received_at      timestamptz NOT NULL,
    persisted_at     timestamptz NOT NULL DEFAULT now(),
    stream_entry_id  text        NOT NULL
);

CREATE INDEX dossier_handling_agency_received_idx ON dossier (handling_agency, received_at);
CREATE INDEX dossier_procedure_received_idx ON dossier (procedure_code, received_at);

-- National status codes (TrangThaiHoSo) over time; intake writes status 1 "newly registered".
CREATE TABLE dossier_status_history (
    dossier_id  uuid        NOT NULL REFERENCES dossier (id),
    status      smallint    NOT NULL CHECK (status BETWEEN 1 AND 10),
    changed_at  timestamptz NOT NULL,
    note        text,
    PRIMARY KEY (dossier_id, status, changed_at)
);

-- Stream entries that could not be written (malformed, or rejected by the database every time).
CREATE TABLE dead_letter (
    stream_entry_id  text        PRIMARY KEY,
    dossier_id       text,
    payload          text        NOT NULL,
    error            text        NOT NULL,
    deliveries       integer     NOT NULL,
    dead_at          timestamptz NOT NULL DEFAULT now()
);
