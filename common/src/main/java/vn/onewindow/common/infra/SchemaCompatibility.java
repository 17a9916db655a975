package vn.onewindow.common.infra;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.config.Secrets;
import vn.onewindow.common.metrics.ThrottledLog;

/**
 * The schema compatibility floor (V20, README Upgrading: "The compatibility floor"): which releases may run on a
 * database. Flyway alone only WARNs about migrations it does not know, so an older release ran on a schema it did not
 * understand (an upgrade tryout: 1,200 dossiers dead-lettered beyond replay); a release now reads the floors at start,
 * before it migrates, serves or consumes, and refuses floors above its {@link #LEVEL}. Blocking (JDBC), as
 * {@link Migrations}.
 */
public final class SchemaCompatibility {
  /**
   * This release's compatibility level: the version of its newest migration (MigrationsTest holds them equal, so a new
   * migration cannot ship without raising it). A migration that breaks older releases raises a floor to its own
   * version; this constant then passes it with the same change.
   */
  public static final int LEVEL = 20;
  /** How often an intake re-checks a floor PostgreSQL could not answer at start ({@link #recheck}). */
  public static final Duration RECHECK_INTERVAL = Duration.ofSeconds(3);

  private static final Logger LOG = LoggerFactory.getLogger(SchemaCompatibility.class);
  private static final String UNDEFINED_TABLE = "42P01";
  private static final String README = "README, Upgrading: \"The compatibility floor\"";

  private SchemaCompatibility() {
  }

  /** A start this release must not make, said in one line. */
  public static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message);
    }
  }

  /** The row of {@code schema_compatibility}. */
  record Floors(int floor, int intakeFloor, String reason, int level) {
    /** Why a process of {@code codeLevel} (running an intake or not) may not run on this schema; null if it may. */
    String refusal(int codeLevel, boolean intake) {
      String who;
      int needed;
      if (floor > codeLevel) {
        who = "a release";
        needed = floor;
      } else if (intake && intakeFloor > codeLevel) {
        who = "an intake";
        needed = intakeFloor;
      } else {
        return null;
      }
      return "database schema needs " + who + " of compatibility level " + needed + " or later (" + reason
          + "); this release is level " + codeLevel + " (migrations up to V" + codeLevel + "): start a release of level "
          + needed + " or later (" + README + ")";
    }
  }

  /**
   * Refuses ({@link Refused}) a database whose floor is above this release's level for a process that runs an intake
   * ({@code intake}) or not; WARNs when a newer release migrated it but this one may still run. A database without the
   * table (empty, or last migrated before V20) has no floor. When PostgreSQL cannot be read the check is skipped with
   * a WARN and false: a gateway that starts during an outage keeps queueing to Redis, as it did before the floor
   * existed; an intake consumes only once {@link #recheck} passed.
   */
  public static boolean check(PostgresConfig config, boolean intake) {
    try {
      pass(read(config), intake);
      return true;
    } catch (SQLException e) {
      LOG.warn("database schema compatibility not checked: PostgreSQL could not be read ({}): {}",
          Secrets.maskUrl(config.url()), e.getMessage());
      return false;
    }
  }

  /**
   * The intake's check that {@link #check} could not make at start, retried until PostgreSQL answers: false while it
   * still cannot be read, with a WARN at most once per {@code waits}' interval (the process's readiness says only
   * warming-up meanwhile, and a wait of hours must show in the log's recent lines, not in its start's); true once
   * passed; a floor above this release's level is one ERROR line, in the start refusal's words, and {@link Refused}.
   */
  public static boolean recheck(PostgresConfig config, ThrottledLog waits) {
    Floors floors;
    try {
      floors = read(config);
    } catch (SQLException e) {
      long suppressed = waits.tryAcquire("floor");
      if (suppressed >= 0) {
        LOG.warn("intake not consuming yet: the schema compatibility floor is re-checked every {} s until PostgreSQL "
            + "answers ({}): {} ({} more failed re-checks since the last line)", RECHECK_INTERVAL.toSeconds(),
            Secrets.maskUrl(config.url()), e.getMessage(), suppressed);
      }
      return false;
    }
    try {
      pass(floors, true);
      return true;
    } catch (Refused e) {
      LOG.error("intake not started: {}", e.getMessage());
      throw e;
    }
  }

  private static void pass(Floors floors, boolean intake) {
    if (floors == null) {
      return;
    }
    String refusal = floors.refusal(LEVEL, intake);
    if (refusal != null) {
      throw new Refused(refusal);
    }
    if (floors.level() > LEVEL) {
      LOG.warn("database schema was migrated by a newer release (level {}); this release is level {}, at or above its"
          + " floor ({}, intake {}): starting", floors.level(), LEVEL, floors.floor(), floors.intakeFloor());
    }
  }

  /** Records that a release of {@link #LEVEL} migrated the database; a newer one's level stays. */
  static void recordMigratedBy(PostgresConfig config) {
    try (Connection c = connect(config);
         PreparedStatement s = c.prepareStatement("UPDATE schema_compatibility SET level = ? WHERE level < ?")) {
      s.setInt(1, LEVEL);
      s.setInt(2, LEVEL);
      s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not record the schema's compatibility level: " + e.getMessage(), e);
    }
  }

  /** The database's floors; null when it has none yet. */
  static Floors read(PostgresConfig config) throws SQLException {
    try (Connection c = connect(config); Statement s = c.createStatement();
         ResultSet row = s.executeQuery("SELECT floor, intake_floor, reason, level FROM schema_compatibility")) {
      return row.next() ? new Floors(row.getInt(1), row.getInt(2), row.getString(3), row.getInt(4)) : null;
    } catch (SQLException e) {
      if (UNDEFINED_TABLE.equals(e.getSQLState())) {
        return null;
      }
      throw e;
    }
  }

  private static Connection connect(PostgresConfig config) throws SQLException {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(config);
    Properties properties = new Properties();
    if (jdbc.user() != null) {
      properties.setProperty("user", jdbc.user());
    }
    if (jdbc.password() != null) {
      properties.setProperty("password", jdbc.password());
    }
    // seconds, rounded up: the bound the pools use (postgres.connect-timeout-ms), not the driver's unbounded default
    String seconds = Long.toString((config.connectTimeout().toMillis() + 999) / 1000);
    properties.setProperty("connectTimeout", seconds);
    properties.setProperty("loginTimeout", seconds);
    return DriverManager.getConnection(jdbc.url(), properties);
  }
}
