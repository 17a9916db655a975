package vn.onewindow.gateway.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.agency.AgencyDirectory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.admission.UpstreamBreakers;

/**
 * Which days a seeding covers, on a clock of the test's own, over real PostgreSQL and Redis. A code's day is its
 * gateway's receipt day: a gateway whose clock runs a second ahead numbers the next day's codes while this one's
 * clock still says 23:59:59. Redis losing its data then, this gateway's seeding must raise that day's counter too,
 * or the first dossiers of the day get codes already given.
 */
class CodeSequencesDayTest {
  private static final String UNIT = "000.00.53.H48";

  private HubConfig config;
  private Vertx vertx;
  private Redis redis;
  private RedisKeys keys;

  @BeforeEach
  void setUp() {
    config = TestServers.get().config(Map.of());
    Migrations.apply(config.postgres());
    vertx = Vertx.vertx();
    redis = RedisClients.create(vertx, config.redis(), "test");
    keys = RedisKeys.of(config.redis(), config.stream());
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void shouldSeedTheNextDaysCounterThatAGatewayAheadAlreadyNumbered() {
    ZoneId zone = config.dossier().zone();
    LocalDate today = LocalDate.of(2026, 12, 6);
    Clock beforeMidnight = Clock.fixed(today.atTime(23, 59, 59).atZone(zone).toInstant(), zone);
    TestServers.execute(config.postgres().url(), "INSERT INTO dossier (id, code, client_id, procedure_code,"
        + " receiving_unit, handling_agency, channel, applicant_type, payload, received_at, stream_entry_id) VALUES"
        + " (gen_random_uuid(), '" + UNIT + "-261207-0007', 'test', 'p', '" + UNIT + "', '" + UNIT + "', 'online',"
        + " 'citizen', '{}', now(), 'test')");
    CodeSequences sequences = new CodeSequences(PostgresClients.pool(vertx, config.postgres(), "test"), keys,
        AgencyDirectory.load(config.dossier().agencyDirectory()), zone, beforeMidnight,
        new UpstreamBreakers(config.resilience().breakers(), 1, new SimpleMeterRegistry()), Duration.ofSeconds(2),
        new RecentDirectWrites(config.dossier(), beforeMidnight), new SimpleMeterRegistry());

    sequences.seed(redis, keys.partitions().ofUnit(UNIT)).await();

    assertThat(redis.send(Request.cmd(Command.GET).arg(keys.sequence(UNIT, "261207"))).await())
        .as("the next day's counter").isNotNull().hasToString("7");
  }

  /**
   * The idempotency records Redis lost may be older than the three days whose codes a seeding reads (a TTL longer than
   * a day, a quiet partition): any dossier in PostgreSQL means Redis lost data, and keyed submissions must be looked up
   * there. A fresh install, its tables empty, records nothing.
   */
  @Test
  void shouldTakeAnyStoredDossierForADataLossNotOnlyTheDaysCodes() {
    ZoneId zone = config.dossier().zone();
    Clock monday = Clock.fixed(LocalDate.of(2026, 12, 7).atTime(9, 0).atZone(zone).toInstant(), zone);
    RecentDirectWrites recent = new RecentDirectWrites(config.dossier(), monday);

    sequences(monday, recent).seed(redis, 0).await();
    assertThat(TestServers.queryLong(config.postgres().url(), "SELECT count(*) FROM code_seeding")).isZero();
    assertThat(recent.active()).as("a fresh install").isFalse();

    // Redis's data lost: this test's key prefix shares the server with other tests
    redis.send(Request.cmd(Command.DEL).arg(keys.partition(0).epoch())).await();
    TestServers.execute(config.postgres().url(), "INSERT INTO dossier (id, code, client_id, procedure_code,"
        + " receiving_unit, handling_agency, channel, applicant_type, payload, received_at, stream_entry_id) VALUES"
        + " (gen_random_uuid(), '" + UNIT + "-261204-0001', 'test', 'p', '" + UNIT + "', '" + UNIT + "', 'online',"
        + " 'citizen', '{}', '2026-12-04T02:00:00Z', 'test')");

    sequences(monday, recent).seed(redis, 0).await();

    assertThat(TestServers.queryLong(config.postgres().url(), "SELECT count(*) FROM code_seeding")).isEqualTo(1);
    assertThat(recent.active()).as("Friday's dossier, Monday's loss").isTrue();
  }

  private CodeSequences sequences(Clock clock, RecentDirectWrites recent) {
    return new CodeSequences(PostgresClients.pool(vertx, config.postgres(), "test"), keys,
        AgencyDirectory.load(config.dossier().agencyDirectory()), config.dossier().zone(), clock,
        new UpstreamBreakers(config.resilience().breakers(), 1, new SimpleMeterRegistry()), Duration.ofSeconds(2),
        recent, new SimpleMeterRegistry());
  }
}
