package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.SchemaCompatibility;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * The schema compatibility floor (README, Upgrading): a release refuses a database whose floor a newer release's
 * migration raised above its level, in one line and with exit status 1, before it serves or consumes anything; at or
 * below the floor it starts, with a WARN when a newer release migrated the database. An upgrade tryout ran an older
 * intake on a newer schema and dead-lettered 1,200 dossiers that could not be replayed: Flyway alone only WARNs.
 * Real PostgreSQL and Redis, a database of each test's own migrated by this release.
 */
class SchemaFloorTest {
  private static final String COUNT_KEYS = "return #redis.call('KEYS', ARGV[1])";
  private static final int ABOVE = SchemaCompatibility.LEVEL + 1;

  @RegisterExtension
  final LogCapture logged = LogCapture.of(SchemaCompatibility.class);

  @Test
  void shouldRefuseToStartOnAFloorAboveItsLevelInOneLineAndExitNonZero() {
    HubConfig config = TestServers.get().config(Map.of());
    Migrations.apply(config.postgres());
    TestServers.execute(config.postgres().url(), "UPDATE schema_compatibility SET floor = " + ABOVE
        + ", intake_floor = " + ABOVE + ", level = " + ABOVE + ", reason = 'V" + ABOVE + ": a test raised it'");

    assertThatThrownBy(() -> HubProcess.start(config, Map.of("hub.role", "all"), "INFO"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hub process exited with status 1: ")
        .hasMessageContaining("could not start: database schema needs a release of compatibility level " + ABOVE
            + " or later (V" + ABOVE + ": a test raised it); this release is level " + SchemaCompatibility.LEVEL
            + " (migrations up to V" + SchemaCompatibility.LEVEL + ")")
        .hasMessageNotContaining("\tat ");
    assertThat(TestServers.get().evalLong(COUNT_KEYS, config.redis().keyPrefix() + "*"))
        .as("nothing reached Redis: no consumer group, no seeded counter").isZero();
    assertThat(TestServers.queryLong(config.postgres().url(), "SELECT floor FROM schema_compatibility"))
        .as("the floor is left as it was").isEqualTo(ABOVE);
  }

  /** A process that does not migrate (the runtime role, README "Database roles") checks the floor all the same. */
  @Test
  void shouldRefuseWithoutMigratingAndLeaveTheDatabaseAsItWas() {
    HubConfig config = TestServers.get().config(Map.of("postgres.migrate", "false", "hub.role", "gateway"));
    Migrations.apply(config.postgres());
    TestServers.execute(config.postgres().url(), "UPDATE schema_compatibility SET floor = " + ABOVE
        + ", reason = 'V" + ABOVE + ": a test raised it'");

    assertThatThrownBy(() -> Hub.start(config))
        .isInstanceOf(StartRefused.class)
        .hasMessageStartingWith("database schema needs a release of compatibility level " + ABOVE + " or later");
    assertThat(TestServers.get().evalLong(COUNT_KEYS, config.redis().keyPrefix() + "*")).isZero();
  }

  @Test
  void shouldStartOnAFloorAtItsLevelWithAWarningWhenANewerReleaseMigratedTheDatabase() {
    HubConfig config = TestServers.get().config(Map.of("hub.role", "all"));
    Migrations.apply(config.postgres());
    TestServers.execute(config.postgres().url(), "UPDATE schema_compatibility SET floor = "
        + SchemaCompatibility.LEVEL + ", intake_floor = " + SchemaCompatibility.LEVEL + ", level = " + ABOVE);

    try (Hub hub = Hub.start(config)) {
      assertThat(hub.httpPort()).isPositive();
    }
    assertThat(logged.lines("")).containsExactly("database schema was migrated by a newer release (level " + ABOVE
        + "); this release is level " + SchemaCompatibility.LEVEL + ", at or above its floor (" + SchemaCompatibility.LEVEL
        + ", intake " + SchemaCompatibility.LEVEL + "): starting");
    assertThat(TestServers.queryLong(config.postgres().url(), "SELECT level FROM schema_compatibility"))
        .as("an older release's migration run does not lower the level").isEqualTo(ABOVE);
  }

  @Test
  void shouldStartOnTheFloorThisReleaseMigratedWithoutAWarning() {
    HubConfig config = TestServers.get().config(Map.of("hub.role", "all"));

    try (Hub hub = Hub.start(config)) {
      assertThat(hub.httpPort()).isPositive();
    }
    assertThat(logged.lines("")).isEmpty();
    assertThat(TestServers.queryLong(config.postgres().url(), "SELECT level FROM schema_compatibility"))
        .isEqualTo(SchemaCompatibility.LEVEL);
  }

  /**
   * Stream entries an older intake cannot read raise the intake floor only: a gateway of the older release may still
   * run (the rollback order is gateways first), an intake of it may not (it would dead-letter the new entries).
   */
  @Test
  void shouldRefuseAnIntakeButStartAGatewayOnAnIntakeFloorAboveItsLevel() {
    HubConfig config = TestServers.get().config(Map.of("hub.role", "gateway"));
    Migrations.apply(config.postgres());
    TestServers.execute(config.postgres().url(), "UPDATE schema_compatibility SET intake_floor = " + ABOVE
        + ", reason = 'V" + ABOVE + ": stream entries a test changed'");

    assertThatThrownBy(() -> Hub.start(config.withRole(HubConfig.Role.INTAKE)))
        .isInstanceOf(StartRefused.class)
        .hasMessage("database schema needs an intake of compatibility level " + ABOVE + " or later (V" + ABOVE
            + ": stream entries a test changed); this release is level " + SchemaCompatibility.LEVEL
            + " (migrations up to V" + SchemaCompatibility.LEVEL + "): start a release of level " + ABOVE
            + " or later (README, Upgrading: \"The compatibility floor\")");
    try (Hub hub = Hub.start(config)) {
      assertThat(hub.httpPort()).isPositive();
    }
  }

  /**
   * A start that could not read PostgreSQL skips the check (README: a gateway started during an outage queues to Redis
   * as before). An intake below the intake floor started so must still not write what it consumes once PostgreSQL
   * answers: that is the dead-lettering beyond replay the floor exists for (a rollback during a database failover).
   */
  @Test
  void shouldNotLetAnIntakeBelowTheFloorWriteOnceADatabaseUnreadableAtItsStartAnswers() throws Exception {
    assertThat(rowsAfterAStartDuringAnOutage(true)).as("rows written by an intake below the intake floor").isZero();
    assertThat(logged.lines("needs an intake of compatibility level")).hasSize(1);
  }

  /** The other side of the re-check: an intake that meets the floor starts its workers once PostgreSQL answers. */
  @Test
  void shouldStartTheIntakeOnceADatabaseUnreadableAtItsStartAnswersAndMeetsTheFloor() throws Exception {
    assertThat(rowsAfterAStartDuringAnOutage(false)).as("the dossier written by the intake started late").isEqualTo(1);
    assertThat(logged.lines("needs an intake of compatibility level")).isEmpty();
  }

  /**
   * An intake-only process waiting for the re-check says so in its log, not only at start: its readiness names
   * warming-up meanwhile (the stores are not asked), and the alert's runbook sends the operator to the log, which held
   * one start line, possibly hours old, and then nothing (the re-checks logged at DEBUG).
   */
  @Test
  void shouldSayInTheLogThatTheIntakeWaitsForTheFloorWhilePostgresStaysUnreadable() throws Exception {
    HubConfig direct = TestServers.get().config(Map.of("postgres.migrate", "false", "hub.role", "intake"));
    Migrations.apply(direct.postgres());
    URI pg = URI.create(direct.postgres().url().replace("postgresql://", "http://"));
    Vertx vertx = Vertx.vertx();
    try (TcpProxy proxy = new TcpProxy(pg.getHost(), pg.getPort())) {
      String viaProxy = direct.postgres().url().replace(pg.getHost() + ":" + pg.getPort(), "127.0.0.1:" + proxy.port());
      try (Hub hub = Hub.start(direct.withPostgres(direct.postgres().withUrl(viaProxy)))) {
        Await.until(Duration.ofSeconds(30), "the intake saying it waits for the floor check",
            () -> !logged.lines("intake not consuming yet").isEmpty());
        assertThat(logged.lines("intake not consuming yet").get(0))
            .contains("re-checked every 3 s until PostgreSQL answers")
            .contains("127.0.0.1:" + proxy.port());
        HttpResponse<Buffer> ready = WebClient.create(vertx).get(hub.httpPort(), "127.0.0.1", "/health/ready")
            .send().await();
        assertThat(ready.statusCode()).isEqualTo(503);
      }
    } finally {
      vertx.close().await();
    }
  }

  /**
   * A hub of both roles started while its PostgreSQL is unreachable (a proxy held down), the intake floor raised above
   * this release first or not; then PostgreSQL answers and a dossier is submitted: the rows of it once the intake has
   * refused the floor or written it.
   */
  private long rowsAfterAStartDuringAnOutage(boolean floorAbove) throws Exception {
    HubConfig direct = TestServers.get().config(Map.of("postgres.migrate", "false", "hub.role", "all"));
    Migrations.apply(direct.postgres());
    if (floorAbove) {
      TestServers.execute(direct.postgres().url(), "UPDATE schema_compatibility SET intake_floor = " + ABOVE
          + ", reason = 'V" + ABOVE + ": stream entries a test changed'");
    }
    URI pg = URI.create(direct.postgres().url().replace("postgresql://", "http://"));
    Vertx vertx = Vertx.vertx();
    try (TcpProxy proxy = new TcpProxy(pg.getHost(), pg.getPort())) {
      String viaProxy = direct.postgres().url().replace(pg.getHost() + ":" + pg.getPort(), "127.0.0.1:" + proxy.port());
      try (Hub hub = Hub.start(direct.withPostgres(direct.postgres().withUrl(viaProxy)))) {
        assertThat(logged.lines("database schema compatibility not checked")).hasSize(1);
        proxy.up();
        WebClient client = WebClient.create(vertx);
        HttpResponse<Buffer> accepted = client.post(hub.httpPort(), "127.0.0.1", "/v1/dossiers")
            .putHeader("Content-Type", "application/json").putHeader("X-Api-Key", HubEndToEndTest.API_KEY)
            .sendBuffer(Buffer.buffer(HubEndToEndTest.example("birth-registration.json"))).await();
        assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
        String rows = "SELECT count(*) FROM dossier WHERE id = '" + accepted.bodyAsJsonObject().getString("id") + "'";
        Await.until(Duration.ofSeconds(30), "the intake refusing the floor once PostgreSQL answers, or the dossier "
            + "written by it", () -> !logged.lines("needs an intake of compatibility level").isEmpty()
            || TestServers.queryLong(direct.postgres().url(), rows) > 0);
        return TestServers.queryLong(direct.postgres().url(), rows);
      }
    } finally {
      vertx.close().await();
    }
  }

}
