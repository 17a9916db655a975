package vn.onewindow.common.infra;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.PostgresConfig;

/** Versioned schema migrations (Flyway, scripts in {@code db/migration}); blocking, run before the verticles. */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  public static MigrateResult apply(PostgresConfig config) {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(config);
    MigrateResult result = Flyway.configure()
        .dataSource(jdbc.url(), jdbc.user(), jdbc.password())
        .locations("classpath:db/migration")
        .load()
        .migrate();
    LOG.info("database schema at version {} ({} migrations applied now)", result.targetSchemaVersion,
        result.migrationsExecuted);
    return result;
  }
}
