-- Degraded intake while Redis is down: the gateway writes dossiers straight to PostgreSQL.
-- Dossier codes assigned on that path are numbered from 50001 per receiving unit and day, a range the Redis
-- sequence would only reach after 50,000 dossiers at one unit in one day, so the two paths never collide
-- (and dossier.code stays UNIQUE as the last guard).
CREATE TABLE dossier_code_sequence (
    receiving_unit  text    NOT NULL,
    receipt_date    date    NOT NULL,
    last_value      integer NOT NULL,
    PRIMARY KEY (receiving_unit, receipt_date)
);

-- Lets the direct path answer an Idempotency-Key retry with the original receipt (or a 409 for another body).
ALTER TABLE dossier ADD COLUMN body_sha256 text;
CREATE INDEX dossier_client_idempotency_idx ON dossier (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_runtime') THEN
    GRANT SELECT, INSERT, UPDATE ON dossier_code_sequence TO hub_runtime;
  END IF;
END
$$;
