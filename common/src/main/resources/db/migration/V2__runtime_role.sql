-- The role the hub runs as in production: it reads and writes dossiers but can never drop, alter or truncate a
-- table (nor delete rows). Migrations run as the schema owner; the hub process logs in as a LOGIN role that is a
-- member of hub_runtime (README: "Database roles"). NOLOGIN: nobody connects as hub_runtime itself.
-- Roles are cluster-wide while this runs once per database, and test runs migrate many databases on one server at
-- once: creating the role tolerates it already existing, including when a concurrent migration just created it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'hub_runtime') THEN
    BEGIN
      CREATE ROLE hub_runtime NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
END
$$;

DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO hub_runtime', current_schema());
  EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());
  -- Tables created later by the owner (future migrations) get the same grants.
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE ON TABLES TO hub_runtime',
                 current_schema());
END
$$;

GRANT SELECT, INSERT, UPDATE ON dossier, dossier_status_history, dead_letter TO hub_runtime;
