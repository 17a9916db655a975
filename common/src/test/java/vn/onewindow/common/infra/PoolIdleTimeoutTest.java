package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;

/**
 * After a surge the pools shrink back: a deadline day's peak opened every pooled connection of every gateway and intake
 * process, and they stayed open for good, each a PostgreSQL backend (max_connections is what runs out when gateways
 * were added for the surge and are still up). A pooled connection unused for postgres.idle-timeout-ms /
 * redis.pool-idle-timeout-ms is closed; one in use (a long statement, a dedicated blocking-read connection) never is.
 * Observed on the servers themselves (pg_stat_activity of the test's own database, CLIENT LIST by connection name).
 */
class PoolIdleTimeoutTest {
  private static final int BURST = 6;
  private static final Duration IDLE = Duration.ofSeconds(1);

  private Vertx vertx;
  private HubConfig config;
  private String name;
  /** An unnamed client of the test's own, for CLIENT LIST. */
  private Redis probe;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    name = "pool-idle-" + UUID.randomUUID().toString().substring(0, 8);
    probe = Redis.createClient(vertx, TestServers.get().redisUrl());
    config = TestServers.get().config(Map.of(
        "postgres.pool-size", Integer.toString(BURST),
        "postgres.idle-timeout-ms", Long.toString(IDLE.toMillis()),
        "redis.pool-size", Integer.toString(BURST),
        // the connections' name on the server, to count them in CLIENT LIST (HELLO ... SETNAME)
        "redis.url", TestServers.get().redisUrl() + "?client=" + name,
        "redis.pool-idle-timeout-ms", Long.toString(IDLE.toMillis())));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void shouldClosePostgresConnectionsOfABurstOnceIdle() {
    Pool pool = PostgresClients.pool(vertx, config.postgres(), "idle-test");
    List<SqlConnection> held = burst(pool);
    assertThat(backends()).as("the burst's connections, each a backend").isEqualTo(BURST);

    held.forEach(SqlConnection::close);
    Duration closed = Await.until(IDLE.multipliedBy(10), "the burst's idle connections closed by the pool",
        () -> backends() == 0);
    System.out.printf("[pool-idle] postgres: %d idle connections closed %d ms after their release (idle timeout "
        + "%d ms)%n", BURST, closed.toMillis(), IDLE.toMillis());
    assertThat(closed).as("closed by the idle timeout, not before").isGreaterThanOrEqualTo(IDLE.minusMillis(100));

    assertThat(pool.query("SELECT 1").execute().await().iterator().next().getInteger(0))
        .as("the pool opens a connection again when next needed").isEqualTo(1);
    pool.close().await();
  }

  /**
   * The pool's idle timeout counts from a connection's release: a statement that runs longer is not cut (nor is it
   * by the handshake's read-idle bound, which PostgresClients lifts once connected: PostgresHandshakeTest).
   */
  @Test
  void shouldNotCloseAPostgresConnectionRunningAStatementLongerThanTheIdleTimeout() {
    Pool pool = PostgresClients.pool(vertx, config.postgres(), "idle-test-long");
    double seconds = IDLE.multipliedBy(2).toMillis() / 1000.0;

    int slept = pool.query("SELECT pg_sleep(" + seconds + "), 7").execute().await().iterator().next().getInteger(1);

    assertThat(slept).isEqualTo(7);
    pool.close().await();
  }

  @Test
  void shouldCloseRedisConnectionsOfABurstOnceIdleButNeverOneHeldForABlockingRead() {
    Redis redis = RedisClients.create(vertx, config.redis(), "idle-test");
    List<RedisConnection> burst = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      burst.add(redis.connect().await());
    }
    RedisConnection dedicated = burst.remove(0);
    assertThat(redisConnections()).as("the burst's connections").isEqualTo(BURST);

    burst.forEach(RedisConnection::close);
    Duration closed = Await.until(IDLE.multipliedBy(10), "the burst's idle connections closed by the pool",
        () -> redisConnections() == 1);
    System.out.printf("[pool-idle] redis: %d idle connections closed %d ms after their release (idle timeout %d ms)%n",
        BURST - 1, closed.toMillis(), IDLE.toMillis());
    assertThat(closed).as("closed by the idle timeout, not before").isGreaterThanOrEqualTo(IDLE.minusMillis(100));

    // held past the idle timeout, as a read loop holds its connection between blocking reads
    assertThat(dedicated.send(Request.cmd(Command.PING)).await().toString()).isEqualTo("PONG");
    assertThat(redisConnections()).as("the held connection, never recycled under its holder").isEqualTo(1);
    dedicated.close();
    redis.close().await();
  }

  private List<SqlConnection> burst(Pool pool) {
    List<Future<SqlConnection>> opened = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      opened.add(pool.getConnection());
    }
    Future.all(opened).await();
    return opened.stream().map(Future::result).toList();
  }

  /** Backends of the test's database, the probe's own excluded. */
  private long backends() {
    String database = PgConnectOptions.fromUri(config.postgres().url()).getDatabase();
    return TestServers.queryLong(config.postgres().url(), "SELECT count(*) FROM pg_stat_activity WHERE datname = '"
        + database + "' AND pid <> pg_backend_pid()");
  }

  /** Connections to Redis under the test's connection name. */
  private long redisConnections() {
    String list = probe.send(Request.cmd(Command.CLIENT).arg("LIST")).await().toString();
    return list.lines().filter(line -> line.contains(" name=" + name + " ")).count();
  }
}
