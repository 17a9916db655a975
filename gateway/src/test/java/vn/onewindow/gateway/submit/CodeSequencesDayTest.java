package vn.onewindow.gateway.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
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
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestAgencies;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * Which days a seeding covers, on a clock of the test's own, over real PostgreSQL and Redis. A code's day is its
 * gateway's receipt day: a gateway whose clock runs a second ahead numbers the next day's codes while this one's
 * clock still says 23:59:59. Redis losing its data then, this gateway's seeding must raise that day's counter too,
 * or the first dossiers of the day get codes already given. And how long a seeding runs: past the requests that stop
 * waiting for it, to its own bound.
 */
class CodeSequencesDayTest {
  private static final String UNIT = "000.00.53.H48";
  /**
   * The bound of a seeding that a test's writer holds back until the test lets it go: far beyond the steps between
   * (on a cold JVM in CI they took close to CodeSequences.SEEDING_TIMEOUT), so the seeding outlives them and then
   * finishes. The bound itself: shouldEndASeedingAndItsLockAtTheSeedingsOwnBound.
   */
  private static final Duration HELD = Duration.ofSeconds(30);

  private HubConfig config;
  private Vertx vertx;
  private Redis redis;
  private RedisKeys keys;

  @BeforeEach
  void setUp() {
    config = TestServers.get().migratedConfig(Map.of());
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

  /**
   * A seeding slower than a request's wait: the request gets its 503 at its budget, and the seeding goes on to its
   * own bound. Bound by the request's budget, a seeding that needed longer was given up every time, and the partition
   * answered 503 until the load fell (3,800 unit-days of a partition took 1.1 s against 1 s on a loaded box:
   * ClusterProcessesTest in CI). Here 20,000 units, a wait of 1 ms.
   */
  @Test
  void shouldFinishASeedingThatTakesLongerThanTheRequestWaits() {
    ZoneId zone = config.dossier().zone();
    Clock now = Clock.system(zone);
    java.nio.file.Path units = TestAgencies.withUnits(
        n -> String.format("000.%02d.%02d.H%02d", n / 100 % 100, n % 100, 10 + n / 10_000 % 90), 20_000);
    CodeSequences sequences = new CodeSequences(PostgresClients.pool(vertx, config.postgres(), "test"), keys,
        AgencyDirectory.load(units.toString()), zone, now,
        new UpstreamBreakers(config.resilience().breakers(), 1, new SimpleMeterRegistry()), Duration.ofMillis(1),
        new RecentDirectWrites(config.dossier(), now), new SimpleMeterRegistry());
    int partition = keys.partitions().ofUnit(UNIT);

    assertNotSeededWithin503(sequences, partition, "the request's wait: 1 ms");

    Await.until(Duration.ofSeconds(10), "the seeding to finish after its request gave up", () -> seeded(partition));
  }

  /**
   * The same, made certain: the intake is writing (a transaction of the test's own holds the dossier table), so the
   * seeding waits for its lock past its requests' wait. Both requests get their 503 and the second joins the first's
   * seeding (one seeding, one lock request); once the writer commits it finishes. Its requests' giving up is no
   * failure of PostgreSQL's breaker.
   */
  @Test
  void shouldRunOneSeedingPastItsRequestsWaitAndCountNoFailure() throws Exception {
    MeterRegistry metrics = new SimpleMeterRegistry();
    CodeSequences sequences = sequences(Duration.ofMillis(50), HELD, metrics);
    int partition = keys.partitions().ofUnit(UNIT);
    try (Connection writer = connection(); Statement batch = writer.createStatement()) {
      writer.setAutoCommit(false);
      batch.execute("LOCK TABLE dossier IN ROW EXCLUSIVE MODE");
      assertNotSeededWithin503(sequences, partition, "the first request");
      assertNotSeededWithin503(sequences, partition, "a second request, while the seeding waits");
      Await.until(Duration.ofSeconds(10), "the seeding to wait for the writer", () -> seedingLocks(false) == 1);
      writer.commit();
    }

    Await.until(Duration.ofSeconds(10), "the seeding to finish once the writer committed", () -> seeded(partition));
    assertThat(metrics.find(MeterNames.CODE_SEEDINGS).counters().stream().mapToDouble(Counter::count).sum())
        .as("one seeding for both requests").isEqualTo(1.0);
    assertThat(breakerCalls(metrics, "failed")).as("postgres_read failures").isZero();
    assertThat(breakerCalls(metrics, "successful")).as("the seeding, a success").isEqualTo(1);
  }

  /**
   * Two gateways meet the same emptied partition: one seeds it (it holds the partition's seeding lease), the other
   * asks PostgreSQL nothing and waits for its marker, so a data loss costs one seeding a partition, not one a gateway.
   */
  @Test
  void shouldSeedAPartitionOnceForTwoGateways() throws Exception {
    MeterRegistry first = new SimpleMeterRegistry();
    MeterRegistry second = new SimpleMeterRegistry();
    CodeSequences gateway1 = sequences(Duration.ofMillis(50), HELD, first);
    CodeSequences gateway2 = sequences(Duration.ofMillis(50), HELD, second);
    int partition = keys.partitions().ofUnit(UNIT);
    try (Connection writer = connection(); Statement batch = writer.createStatement()) {
      writer.setAutoCommit(false);
      batch.execute("LOCK TABLE dossier IN ROW EXCLUSIVE MODE");
      assertNotSeededWithin503(gateway1, partition, "gateway 1's request");
      Await.until(Duration.ofSeconds(10), "gateway 1's seeding to wait for the writer", () -> seedingLocks(false) == 1);
      assertNotSeededWithin503(gateway2, partition, "gateway 2's request, while gateway 1 seeds");
      assertThat(seedingLocks(false)).as("gateway 2 asked PostgreSQL nothing").isEqualTo(1);
      writer.commit();
    }

    Await.until(Duration.ofSeconds(10), "gateway 2 to see gateway 1's marker",
        () -> outcome(second, MeterNames.Seeding.ELSEWHERE) == 1);
    assertThat(seeded(partition)).isTrue();
    assertThat(outcome(first, MeterNames.Seeding.RAISED) + outcome(first, MeterNames.Seeding.NONE))
        .as("gateway 1's seeding").isEqualTo(1);
    assertThat(outcome(second, MeterNames.Seeding.RAISED) + outcome(second, MeterNames.Seeding.NONE)
        + outcome(second, MeterNames.Seeding.FAILED)).as("gateway 2 seeded nothing itself").isZero();
  }

  private static double outcome(MeterRegistry metrics, MeterNames.Seeding outcome) {
    return metrics.get(MeterNames.CODE_SEEDINGS).tag(MeterNames.TAG_OUTCOME, outcome.tag()).counter().count();
  }

  /** A seeding past its own bound ends, its lock request with it: the writers it held back go on. */
  @Test
  void shouldEndASeedingAndItsLockAtTheSeedingsOwnBound() throws Exception {
    MeterRegistry metrics = new SimpleMeterRegistry();
    CodeSequences sequences = sequences(Duration.ofMillis(50), Duration.ofMillis(300), metrics);
    int partition = keys.partitions().ofUnit(UNIT);
    try (Connection writer = connection(); Statement batch = writer.createStatement()) {
      writer.setAutoCommit(false);
      batch.execute("LOCK TABLE dossier IN ROW EXCLUSIVE MODE");
      assertNotSeededWithin503(sequences, partition, "the request");
      Await.until(Duration.ofSeconds(10), "the seeding to fail at its bound", () -> metrics.get(
          MeterNames.CODE_SEEDINGS).tag(MeterNames.TAG_OUTCOME, MeterNames.Seeding.FAILED.tag()).counter().count() == 1);
      assertThat(seedingLocks(false) + seedingLocks(true)).as("the seeding's lock, granted or awaited").isZero();
      writer.commit();
    }
    assertThat(seeded(partition)).isFalse();
  }

  /**
   * A Redis that never answers the seeding's script (a frozen host, a partition: no RST) holds the partition's seeding
   * only to its bound: then it fails (counted), and the next request starts another instead of joining it for as long
   * as the kernel takes to give the connection up.
   */
  @Test
  void shouldEndASeedingWhoseScriptRedisNeverAnswers() throws Exception {
    MeterRegistry metrics = new SimpleMeterRegistry();
    CodeSequences sequences = sequences(Duration.ofMillis(50), Duration.ofMillis(300), metrics);
    int partition = keys.partitions().ofUnit(UNIT);
    URI target = URI.create(config.redis().url());
    try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort())) {
      proxy.up();
      Redis frozen = RedisClients.create(vertx, config.redis().withUrl(config.redis().url()
          .replace(target.getHost() + ":" + target.getPort(), "127.0.0.1:" + proxy.port())), "frozen");
      proxy.blackHoleOn("evalsha");

      assertThatThrownBy(() -> sequences.seed(frozen, partition).await()).as("the request")
          .isInstanceOfSatisfying(HttpFailure.class, f -> assertThat(f.problem().status()).isEqualTo(503));
      Await.until(Duration.ofSeconds(10), "the seeding to fail at its bound", () -> metrics.get(
          MeterNames.CODE_SEEDINGS).tag(MeterNames.TAG_OUTCOME, MeterNames.Seeding.FAILED.tag()).counter().count() == 1);
      assertThat(proxy.silentConnections()).as("the script still unanswered").isPositive();
      frozen.close();
    }
    assertThat(seeded(partition)).isFalse();
  }

  /**
   * The start-up seeding holds readiness no longer than a request's wait past its deadline: a seeding still waiting
   * then (for a writer's lock here) goes on, the first submissions join it, and no other partition's starts.
   */
  @Test
  void shouldNotHoldTheStartPastItsDeadlineForASeedingStillRunning() throws Exception {
    CodeSequences sequences = overFourPartitions(Duration.ofMillis(50));
    try (Connection writer = connection(); Statement batch = writer.createStatement()) {
      writer.setAutoCommit(false);
      batch.execute("LOCK TABLE dossier IN ROW EXCLUSIVE MODE");

      int seeded = sequences.seedMissing(redis, System.nanoTime() + Duration.ofMillis(100).toNanos()).await();

      assertThat(seeded).as("none done while the writer holds its lock").isZero();
      Await.until(Duration.ofSeconds(10), "the first seeding, still waiting for the writer", () -> seedingLocks(false) == 1);
      writer.commit();
    }
    Await.until(Duration.ofSeconds(10), "the first seeding to finish once the writer committed", () -> seeded(0));
    for (int p = 1; p < 4; p++) {
      assertThat(seeded(p)).as("partition " + p + ", whose seeding would have started past the deadline").isFalse();
    }
  }

  /**
   * Before readiness the missing partitions are seeded one after the other, each to its end: a seeding that outlives a
   * request's wait is still waited for (not counted as unseeded while the next one starts beside it). A request that
   * joins the first seeding has its 503 once a wait begun after the start-up's has passed.
   */
  @Test
  void shouldWaitForEachSeedingBeforeReadinessPastARequestsWait() throws Exception {
    CodeSequences sequences = overFourPartitions(Duration.ofMillis(500));
    Future<Integer> seeding;
    try (Connection writer = connection(); Statement batch = writer.createStatement()) {
      writer.setAutoCommit(false);
      batch.execute("LOCK TABLE dossier IN ROW EXCLUSIVE MODE");
      seeding = sequences.seedMissing(redis, System.nanoTime() + Duration.ofSeconds(30).toNanos());
      Await.until(Duration.ofSeconds(10), "the first seeding to wait for the writer", () -> seedingLocks(false) == 1);
      assertNotSeededWithin503(sequences, 0, "a request joining partition 0's seeding");
      assertThat(seedingLocks(false)).as("still the one seeding, waiting").isEqualTo(1);
      writer.commit();
    }

    assertThat(seeding.await()).as("partitions seeded").isEqualTo(4);
    for (int p = 0; p < 4; p++) {
      assertThat(seeded(p)).as("partition " + p).isTrue();
    }
  }

  /** A hub of four partitions (a database and key prefix of their own): requests wait {@code wait}. */
  private CodeSequences overFourPartitions(Duration wait) {
    config = TestServers.get().migratedConfig(Map.of("stream.partitions", "4"));
    Migrations.apply(config.postgres());
    keys = RedisKeys.of(config.redis(), config.stream());
    return sequences(wait, HELD, new SimpleMeterRegistry());
  }

  private void assertNotSeededWithin503(CodeSequences sequences, int partition, String what) {
    assertThatThrownBy(() -> sequences.seed(redis, partition).await()).as(what)
        .isInstanceOfSatisfying(HttpFailure.class, f -> assertThat(f.problem().status()).isEqualTo(503));
  }

  private boolean seeded(int partition) {
    return redis.send(Request.cmd(Command.EXISTS).arg(keys.partition(partition).epoch())).await().toInteger() == 1;
  }

  /** The SHARE locks on the dossier table a seeding holds ({@code granted}) or waits for. */
  private long seedingLocks(boolean granted) {
    return TestServers.queryLong(config.postgres().url(), "SELECT count(*) FROM pg_locks WHERE mode = 'ShareLock'"
        + " AND relation = 'dossier'::regclass AND granted = " + granted);
  }

  private static long breakerCalls(MeterRegistry metrics, String kind) {
    return metrics.get("resilience4j.circuitbreaker.calls").tag("name", Upstream.POSTGRES_READ.tag())
        .tag("kind", kind).timer().count();
  }

  /** A connection of the test's own, as an intake worker writing a batch. */
  private Connection connection() throws java.sql.SQLException {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(config.postgres().url()));
    return DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
  }

  /** A wall clock's sequences: requests wait {@code wait}, a seeding runs to {@code bound}. */
  private CodeSequences sequences(Duration wait, Duration bound, MeterRegistry metrics) {
    Clock now = Clock.system(config.dossier().zone());
    return new CodeSequences(PostgresClients.pool(vertx, config.postgres(), "test"), keys,
        AgencyDirectory.load(config.dossier().agencyDirectory()), config.dossier().zone(), now,
        new UpstreamBreakers(config.resilience().breakers(), 1, metrics), wait, bound,
        new RecentDirectWrites(config.dossier(), now), metrics);
  }

  private CodeSequences sequences(Clock clock, RecentDirectWrites recent) {
    return new CodeSequences(PostgresClients.pool(vertx, config.postgres(), "test"), keys,
        AgencyDirectory.load(config.dossier().agencyDirectory()), config.dossier().zone(), clock,
        new UpstreamBreakers(config.resilience().breakers(), 1, new SimpleMeterRegistry()), Duration.ofSeconds(2),
        recent, new SimpleMeterRegistry());
  }
}
