package vn.onewindow.gateway.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.testing.TestServers;

/**
 * When a gateway looks keyed submissions up in PostgreSQL before Redis: after the direct path wrote dossiers, and after
 * any gateway's seeding found codes (Redis lost its data, and the idempotency records of the dossiers it had queued),
 * for the idempotency TTL. Each gateway learns the other's seeding from PostgreSQL (code_seeding, V18).
 */
class RecentDirectWritesTest {
  private HubConfig config;
  private Vertx vertx;
  private Pool pool;

  @BeforeEach
  void setUp() {
    config = TestServers.get().migratedConfig(Map.of());
    Migrations.apply(config.postgres());
    vertx = Vertx.vertx();
    pool = PostgresClients.pool(vertx, config.postgres(), "test");
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void shouldLookKeysUpInPostgresWhileAnotherGatewaysSeedingIsWithinTheIdempotencyTtl() {
    assertThat(RecentDirectWrites.start(vertx, pool, config.dossier()).await().active())
        .as("neither a direct write nor a seeding").isFalse();

    LocalDate today = LocalDate.now(config.dossier().zone());
    LocalDate expired = today.minusDays(config.dossier().idempotencyTtl().toDays() + 2);
    TestServers.execute(config.postgres().url(), "INSERT INTO code_seeding (receipt_date, partition, unit_days)"
        + " VALUES ('" + expired + "', 0, 3)");
    assertThat(RecentDirectWrites.start(vertx, pool, config.dossier()).await().active())
        .as("a seeding older than the idempotency TTL").isFalse();

    TestServers.execute(config.postgres().url(), "INSERT INTO code_seeding (receipt_date, partition, unit_days)"
        + " VALUES ('" + today + "', 0, 3)");
    assertThat(RecentDirectWrites.start(vertx, pool, config.dossier()).await().active())
        .as("another gateway's seeding today").isTrue();
  }
}
