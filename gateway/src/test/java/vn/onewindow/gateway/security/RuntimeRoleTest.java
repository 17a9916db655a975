package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.testing.TestServers;

/**
 * V2__runtime_role: the hub's runtime login (a member of hub_runtime) reads and writes dossiers but can neither
 * delete rows nor drop, alter, truncate or create tables. Real PostgreSQL, migrations run as the owner.
 */
class RuntimeRoleTest {
  private static final String LOGIN = "hub_app_" + UUID.randomUUID().toString().substring(0, 8);
  private static HubConfig config;

  @BeforeAll
  static void migrateAndCreateLogin() {
    config = TestServers.get().config(Map.of());
    Migrations.apply(config.postgres());
    TestServers.execute(config.postgres().url(),
        "CREATE ROLE " + LOGIN + " LOGIN PASSWORD 'test-only' IN ROLE hub_runtime");
  }

  @AfterAll
  static void dropLogin() {
    TestServers.execute(config.postgres().url(), "DROP ROLE IF EXISTS " + LOGIN);
  }

  @Test
  void shouldCreateANoLoginRuntimeRole() {
    assertThat(TestServers.queryLong(config.postgres().url(),
        "SELECT count(*) FROM pg_roles WHERE rolname = 'hub_runtime' AND NOT rolcanlogin AND NOT rolsuper")).isEqualTo(1);
  }

  @Test
  void shouldLetTheRuntimeLoginReadInsertAndUpdate() throws SQLException {
    String id = UUID.randomUUID().toString();
    try (Connection c = connectAsRuntime(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO dossier (id, code, client_id, procedure_code, receiving_unit, handling_agency, channel,"
          + " applicant_type, payload, received_at, stream_entry_id) VALUES ('" + id + "', 'T-" + id + "', 'portal-web',"
          + " '1.001612', '000.00.53.H48', '000.21.53.H48', 'online', 'citizen', '{}', now(), '1-0')");
      s.executeUpdate("INSERT INTO dossier_status_history (dossier_id, status, changed_at, client_id) VALUES ('" + id
          + "', 1, now(), 'portal-web')");
      assertThat(s.executeUpdate("UPDATE dossier SET status = 2 WHERE id = '" + id + "'")).isEqualTo(1);
      // progress events: identity columns need no sequence grant; the event table is append-only
      s.executeUpdate("INSERT INTO dossier_event (dossier_id, client_id, event_id, status, at, fingerprint) VALUES ('"
          + id + "', 'agency-dev', 'e-1', 2, now(), 'f')");
      assertThatThrownBy(() -> s.executeUpdate("UPDATE dossier_event SET note = 'rewritten'"))
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
      s.executeUpdate("INSERT INTO dead_letter (stream_entry_id, payload, error, deliveries) VALUES ('" + id
          + "', '{}', 'test', 1)");
      try (var rows = s.executeQuery("SELECT floor FROM schema_compatibility")) {
        assertThat(rows.next()).as("the compatibility floor, read at start by a hub that does not migrate").isTrue();
      }
      try (var rows = s.executeQuery("SELECT status FROM dossier WHERE id = '" + id + "'")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getInt(1)).isEqualTo(2);
      }
    }
  }

  @Test
  void shouldForbidTheRuntimeLoginToDeleteDropAlterTruncateOrCreate() throws SQLException {
    try (Connection c = connectAsRuntime(); Statement s = c.createStatement()) {
      for (String sql : new String[] {
          "DELETE FROM dossier",
          "DELETE FROM dossier_event",
          "TRUNCATE dossier_status_history",
          "DROP TABLE dead_letter",
          "ALTER TABLE dossier ADD COLUMN evil text",
          "ALTER TABLE dossier DROP CONSTRAINT dossier_code_key",
          "CREATE TABLE exfiltration (x text)",
          "DELETE FROM flyway_schema_history",
          // the compatibility floor: read at every start, lowered only by the schema owner (README, Upgrading)
          "UPDATE schema_compatibility SET floor = 0",
          "SELECT count(*) FROM flyway_schema_history"}) {
        assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(SQLException.class)
            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(sql).isEqualTo("42501"));
      }
    }
    assertThat(TestServers.queryLong(config.postgres().url(),
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'dossier' AND column_name = 'evil'")).isZero();
  }

  @Test
  void shouldMigrateAgainAndOnAnotherDatabaseWhenTheRoleAlreadyExists() {
    Migrations.apply(config.postgres());
    HubConfig another = TestServers.get().config(Map.of());

    Migrations.apply(another.postgres());

    assertThat(TestServers.queryLong(another.postgres().url(),
        "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = 'hub_runtime'"
            + " AND table_name = 'dossier' AND privilege_type IN ('SELECT', 'INSERT', 'UPDATE')")).isEqualTo(3);
    assertThat(TestServers.queryLong(another.postgres().url(),
        "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = 'hub_runtime'"
            + " AND privilege_type IN ('DELETE', 'TRUNCATE')")).isZero();
  }

  private static Connection connectAsRuntime() throws SQLException {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(config.postgres());
    return DriverManager.getConnection(jdbc.url(), LOGIN, "test-only");
  }
}
