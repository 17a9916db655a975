package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.testing.TestServers;

/**
 * The migrations as the hub applies them (Migrations.apply), from an empty database and onto one holding dossiers
 * while other hub instances keep writing: V11 rebuilds the agency index of the statistics, and the rebuild must not
 * stop intake's INSERTs (DBA tryout: the transactional DROP + CREATE held ACCESS EXCLUSIVE on dossier for the whole
 * build, 2.6 s per million dossiers on a 2-core box), nor hang on Flyway's own lock (flyway/flyway#3497); V10 drops
 * the history's foreign key without deadlocking with an event's transaction. Real PostgreSQL.
 */
@Timeout(180) // Flyway's transactional lock made the concurrent build wait forever: fail instead
class MigrationsTest {
  /** The newest migration (common/src/main/resources/db/migration): what every apply must end at. */
  private static final String LATEST = "20";

  private static final String INDEX_DEF_TAIL =
      "(reverse(handling_agency) text_pattern_ops, received_at) INCLUDE (status, due_date, processed_at,"
          + " status_changed_at)";

  @Test
  void shouldApplyEveryMigrationToAnEmptyDatabase() {
    String url = TestServers.get().newDatabase();

    MigrateResult result = Migrations.apply(PostgresConfig.of(url));

    assertThat(result.success).isTrue();
    assertThat(result.targetSchemaVersion).isEqualTo(LATEST);
    assertThat(Migrations.schemaVersion(result)).isEqualTo(LATEST);
    // the release's compatibility level is its newest migration's version: a migration cannot ship without it
    assertThat(Integer.toString(SchemaCompatibility.LEVEL)).isEqualTo(LATEST);
    assertThat(TestServers.queryLong(url, "SELECT level FROM schema_compatibility")).isEqualTo(SchemaCompatibility.LEVEL);
    assertAgencyIndexRebuilt(url);
  }

  @Test
  void shouldTellTheSchemaVersionWhenNothingIsLeftToApply() {
    String url = TestServers.get().newDatabase();
    Migrations.apply(PostgresConfig.of(url));

    MigrateResult again = Migrations.apply(PostgresConfig.of(url));

    // a restart's log line said "version null": Flyway gives no target when it applied nothing
    assertThat(again.migrationsExecuted).isZero();
    assertThat(Migrations.schemaVersion(again)).isEqualTo(LATEST);
  }

  @Test
  void shouldRebuildTheAgencyIndexWithoutBlockingIntakeInserts() throws Exception {
    String url = TestServers.get().newDatabase();
    Migrations.configure(PostgresConfig.of(url)).target("10").load().migrate();
    TestServers.execute(url, insertDossiers("existing", 2000));

    try (Connection writer = connect(url); Connection intake = connect(url); Statement w = writer.createStatement();
         Statement i = intake.createStatement()) {
      // another hub instance's intake transaction, open while the migration starts: the index build waits for it
      writer.setAutoCommit(false);
      w.executeUpdate(insertDossiers("in-flight", 1));
      CompletableFuture<MigrateResult> migration =
          CompletableFuture.supplyAsync(() -> Migrations.apply(PostgresConfig.of(url)));
      awaitMigrationWaitingOnALock(url, migration);

      // meanwhile intake goes on: with the old V11 this INSERT queued behind the migration's ACCESS EXCLUSIVE lock
      i.execute("SET statement_timeout = '5s'");
      assertThat(i.executeUpdate(insertDossiers("during", 10))).isEqualTo(10);
      assertThat(migration).as("the index build still waits for the open transaction").isNotDone();

      writer.commit();
      assertThat(migration.get(60, TimeUnit.SECONDS).targetSchemaVersion).isEqualTo(LATEST);
    }
    assertAgencyIndexRebuilt(url);
    assertThat(TestServers.queryLong(url, "SELECT count(*) FROM dossier")).isEqualTo(2011);
    // the new index's expression has statistics at once: without them the planner guessed a province's share
    assertThat(TestServers.queryLong(url,
        "SELECT count(*) FROM pg_stats WHERE tablename = 'dossier_agency_tail_idx'")).isPositive();
  }

  @Test
  void shouldDropTheHistoryKeyWhileAnEventHoldsItsDossier() throws Exception {
    String url = TestServers.get().newDatabase();
    Migrations.configure(PostgresConfig.of(url)).target("9").load().migrate();
    TestServers.execute(url, insertDossiers("existing", 10));

    try (Connection events = connect(url); Statement e = events.createStatement()) {
      // an agency event's transaction as EventStore runs it: the dossier FOR UPDATE, then its history row
      events.setAutoCommit(false);
      e.execute("SET LOCAL statement_timeout = '10s'");
      e.executeQuery("SELECT id FROM dossier WHERE code = 'existing-1' FOR UPDATE").close();
      CompletableFuture<MigrateResult> v10 = CompletableFuture.supplyAsync(
          () -> Migrations.configure(PostgresConfig.of(url)).target("10").load().migrate());
      awaitMigrationWaitingOnALock(url, v10);

      // before V10 took its locks in the writers' order, this was a deadlock: PostgreSQL aborted one of the two
      assertThat(e.executeUpdate("INSERT INTO dossier_status_history (dossier_id, status, changed_at, client_id)"
          + " SELECT id, 2, now(), client_id FROM dossier WHERE code = 'existing-1'")).isEqualTo(1);
      events.commit();
      assertThat(v10.get(60, TimeUnit.SECONDS).targetSchemaVersion).isEqualTo("10");
    }
    assertThat(TestServers.queryLong(url, "SELECT count(*) FROM pg_constraint"
        + " WHERE conrelid = 'dossier_status_history'::regclass AND confrelid = 'dossier'::regclass")).isZero();
  }

  @Test
  void shouldFinishARebuildThatWasInterrupted() {
    String url = TestServers.get().newDatabase();
    Migrations.configure(PostgresConfig.of(url)).target("10").load().migrate();
    TestServers.execute(url, insertDossiers("existing", 100));
    // what a hub killed during the concurrent build leaves: the new index, not (yet) valid, and V11 not recorded
    TestServers.execute(url, "CREATE INDEX dossier_agency_tail_v11_idx ON dossier (code)");
    TestServers.execute(url, "UPDATE pg_index SET indisvalid = false"
        + " WHERE indexrelid = 'dossier_agency_tail_v11_idx'::regclass");

    assertThat(Migrations.apply(PostgresConfig.of(url)).targetSchemaVersion).isEqualTo(LATEST);

    assertAgencyIndexRebuilt(url);
  }

  /**
   * V15 indexes dead letters by dossier id, which is whatever a malformed entry carried: the index must never refuse
   * the dead letter's INSERT (a B-tree refuses an entry over about 2.7 kB, SQLSTATE 54000), and must find it.
   */
  @Test
  void shouldIndexDeadLettersByADossierIdOfAnyLength() {
    String url = TestServers.get().newDatabase();
    Migrations.apply(PostgresConfig.of(url));
    // 9,600 characters of hex from md5: they do not compress below the B-tree's limit
    String longId = "(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 300) g)";

    TestServers.execute(url, "INSERT INTO dead_letter (stream, stream_entry_id, dossier_id, payload, error, deliveries)"
        + " VALUES ('s', '1-0', " + longId + ", 'x', 'malformed: test', 1)");

    assertThat(TestServers.queryLong(url, "SELECT count(*) FROM dead_letter WHERE dossier_id = " + longId))
        .isEqualTo(1);
    assertThat(TestServers.queryString(url, "SELECT pg_get_indexdef('dead_letter_dossier_id_idx'::regclass)"))
        .endsWith("USING hash (dossier_id)");
  }

  private static void assertAgencyIndexRebuilt(String url) {
    assertThat(TestServers.queryString(url, "SELECT pg_get_indexdef('dossier_agency_tail_idx'::regclass)"))
        .endsWith(INDEX_DEF_TAIL);
    assertThat(TestServers.queryLong(url, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        + " WHERE i.indrelid = 'dossier'::regclass AND c.relname LIKE 'dossier_agency_tail%'")).isEqualTo(1);
    assertThat(TestServers.queryLong(url, "SELECT count(*) FROM pg_index WHERE NOT indisvalid")).isZero();
    assertThat(TestServers.queryLong(url,
        "SELECT count(*) FROM flyway_schema_history WHERE version = '11' AND success")).isEqualTo(1);
  }

  /**
   * Waits until a session of the database waits on a lock: the migration, the test's own sessions never wait (at
   * most 30 s). Not matched by its text: pg_stat_activity keeps a statement's first 1 KB, the migration's comments.
   */
  private static void awaitMigrationWaitingOnALock(String url, CompletableFuture<?> migration)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && !migration.isDone()) {
      if (TestServers.queryLong(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
          + " AND wait_event_type = 'Lock'") > 0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the migration never waited on the open transaction (done: " + migration.isDone()
        + (migration.isCompletedExceptionally() ? ", failed: " + migration.handle((r, e) -> e).join() : "") + ")");
  }

  private static String insertDossiers(String tag, int rows) {
    return "INSERT INTO dossier (id, code, client_id, procedure_code, receiving_unit, handling_agency, channel,"
        + " applicant_type, payload, received_at, stream_entry_id)"
        + " SELECT gen_random_uuid(), '" + tag + "-' || g, 'portal-web', '1.001612.000.00.00.H48', '000.00.53.H48',"
        + " '000.21.53.H48', 'online', 'citizen', '{}', now(), g || '-0' FROM generate_series(1, " + rows + ") g";
  }

  private static Connection connect(String url) throws SQLException {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(url));
    return DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
  }
}
