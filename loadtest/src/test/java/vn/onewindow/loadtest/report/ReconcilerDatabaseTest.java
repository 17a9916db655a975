package vn.onewindow.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.loadtest.config.LoadConfig;

/**
 * The reconciliation against a real PostgreSQL (HUB_TEST_POSTGRES_URL, else the machine's on 127.0.0.1:5432, as the
 * hub's tests): a database of its own with the columns the reconciliation reads. Skipped (not failed) where no
 * PostgreSQL answers there: `mvn verify` of this module is also every rehearsal, run from machines that reach the
 * hub's PostgreSQL only by URL.
 */
class ReconcilerDatabaseTest {
  private static final String ADMIN = System.getenv().getOrDefault("HUB_TEST_POSTGRES_URL",
      "postgresql://postgres@127.0.0.1:5432/postgres");
  private final String database = "loadtest_reconciler_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private String url;

  @BeforeEach
  void createDatabase() throws SQLException {
    try {
      execute(ADMIN, "SELECT 1");
    } catch (SQLException e) {
      assumeTrue(false, "no PostgreSQL at " + ADMIN + " (" + e.getMessage() + ")");
    }
    execute(ADMIN, "CREATE DATABASE " + database);
    url = ADMIN.substring(0, ADMIN.lastIndexOf('/') + 1) + database;
    execute(url, "CREATE TABLE dossier (id uuid PRIMARY KEY, code text NOT NULL, client_id text NOT NULL,"
        + " idempotency_key text)");
  }

  @AfterEach
  void dropDatabase() throws SQLException {
    if (url == null) {
      return;
    }
    execute(ADMIN, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  }

  @Test
  void aDossierSeenDuringTheRunAndGoneAtTheEndIsMissing() throws SQLException {
    LoadConfig config = configFor(url);
    RunLedger ledger = new RunLedger();
    String prefix = Reconciler.keyPrefix(config);
    String kept = UUID.randomUUID().toString();
    String lost = UUID.randomUUID().toString();
    ledger.accepted(kept, "000.00.53.H48-261207-0001");
    ledger.accepted(lost, "000.00.53.H48-261207-0002");
    execute(url, "INSERT INTO dossier VALUES ('" + kept + "', '000.00.53.H48-261207-0001', 'portal', '" + prefix
        + "1'), ('" + lost + "', '000.00.53.H48-261207-0002', 'portal', '" + prefix + "2')");
    try (Reconciler reconciler = new Reconciler(config, ledger)) {
      assertTrue(reconciler.poll());
      assertEquals(0, reconciler.backlog(), "both rows were written");
      // lost after it was seen: a PostgreSQL failover to a replica behind, a restore, a stray DELETE
      execute(url, "DELETE FROM dossier WHERE id = '" + lost + "'");
      Reconciler.Result result = reconciler.finish();
      assertFalse(result.passed(), result.summary());
      assertEquals(1, result.missing(), result.summary());
      assertEquals(1, result.persisted(), result.summary());
      assertTrue(result.summary().contains("1 missing"), result.summary());
      assertEquals(java.util.List.of(lost), reconciler.missingSample(10));
    }
  }

  @Test
  void aDatabaseTheReconciliationCannotReadIsRefusedBeforeTheLoad() throws SQLException {
    try (Reconciler reconciler = new Reconciler(configFor(url), new RunLedger())) {
      reconciler.checkReachable();
    }
    String noSuchDatabase = url + "_typo";
    try (Reconciler reconciler = new Reconciler(configFor(noSuchDatabase), new RunLedger())) {
      IllegalStateException e = assertThrows(IllegalStateException.class, reconciler::checkReachable);
      assertTrue(e.getMessage().contains(database + "_typo") && e.getMessage().contains("--pg-url"), e.getMessage());
    }
    execute(url, "DROP TABLE dossier");
    try (Reconciler reconciler = new Reconciler(configFor(url), new RunLedger())) {
      IllegalStateException e = assertThrows(IllegalStateException.class, reconciler::checkReachable);
      assertTrue(e.getMessage().contains("dossier"), e.getMessage());
    }
  }

  /** A run against an external hub (none answers: only the reconciliation is used) and this test's database. */
  private static LoadConfig configFor(String pgUrl) {
    Properties p = new Properties();
    p.setProperty("baseUrl", "http://127.0.0.1:1");
    p.setProperty("pgUrl", pgUrl);
    return LoadConfig.fromProperties(p);
  }

  private static void execute(String postgresUrl, String sql) throws SQLException {
    java.net.URI uri = java.net.URI.create(postgresUrl);
    Properties p = new Properties();
    String[] userInfo = uri.getUserInfo() == null ? new String[] {"postgres"} : uri.getUserInfo().split(":", 2);
    p.setProperty("user", userInfo[0]);
    if (userInfo.length == 2) {
      // a CI database with a password: without it the SELECT 1 failed and the test skipped itself, testing nothing
      p.setProperty("password", userInfo[1]);
    }
    String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort()) + uri.getPath();
    try (Connection c = DriverManager.getConnection(jdbc, p); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
