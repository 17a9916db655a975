package vn.onewindow.common.infra;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.PostgresConfig;

/** Versioned schema migrations (Flyway, scripts in {@code db/migration}); blocking, run before the verticles. */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  public static MigrateResult apply(PostgresConfig config) {
    MigrateResult result = configure(config).load().migrate();
    SchemaCompatibility.recordMigratedBy(config);
    LOG.info("database schema at version {} ({} migrations applied now)", schemaVersion(result),
        result.migrationsExecuted);
    return result;
  }

  /** The schema's version after the run: Flyway names a target only when it applied something. */
  public static String schemaVersion(MigrateResult result) {
    return result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
  }

  /**
   * The hub's Flyway configuration. Flyway's PostgreSQL lock is taken as a session-level advisory lock, not its
   * default transactional one, whose transaction stays open while the migrations run: CREATE INDEX CONCURRENTLY (V11,
   * non-transactional so that it does not block intake's INSERTs) waits for older transactions, and with the default
   * it waited forever (flyway/flyway#3497, reproduced with Flyway 13.12; MigrationsTest).
   */
  static FluentConfiguration configure(PostgresConfig config) {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(config);
    FluentConfiguration flyway = Flyway.configure()
        .dataSource(jdbc.url(), jdbc.user(), jdbc.password())
        .locations("classpath:db/migration");
    flyway.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
    return flyway;
  }
}
