package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * A PostgreSQL that accepts TCP connections and never answers on them (a hung postmaster, a black-holing proxy or
 * pgbouncer, a load balancer in front of a dead server). The TCP connect succeeds at once, so its timeout never
 * fires; the startup exchange had no bound, and the pool's slot stayed taken by an attempt that never completed: its
 * requests failed after postgres.connect-timeout-ms waiting for a connection, and kept failing after the server
 * answered again, until the server side dropped those sockets.
 */
class PostgresHandshakeTest {
  private static final Duration BOUND = Duration.ofMillis(500);

  private Vertx vertx;
  private TcpProxy proxy;
  private String url;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    String direct = TestServers.get().newDatabase();
    PgConnectOptions target = PgConnectOptions.fromUri(direct);
    proxy = new TcpProxy(target.getHost(), target.getPort());
    proxy.up();
    url = direct.replace(target.getHost() + ":" + target.getPort(), "127.0.0.1:" + proxy.port());
  }

  @AfterEach
  void stop() {
    proxy.close();
    vertx.close().await();
  }

  @Test
  void shouldDropAConnectionWhoseServerNeverAnswersAndConnectOnceItDoes() {
    Pool pool = PostgresClients.pool(vertx, PostgresConfig.of(url).withConnectTimeout(BOUND), "handshake-test");
    proxy.silenceNewConnections(true);

    Throwable failure = pool.query("SELECT 1").execute().transform(ar -> Future.succeededFuture(ar.cause())).await();

    assertThat(failure).as("a query on a server that never answers").isNotNull();
    Duration dropped = Await.until(BOUND.multipliedBy(20), "the pool to close the connection nobody answers",
        () -> proxy.silentConnections() == 0);
    System.out.println("silent connection closed " + dropped.toMillis() + " ms after the query failed: " + failure);

    proxy.silenceNewConnections(false);
    assertThat(pool.query("SELECT 1").execute().await().iterator().next().getInteger(0))
        .as("the pool's only slot is free again: the next query connects").isEqualTo(1);
    pool.close().await();
  }

  @Test
  void shouldNotBoundAnOpenConnectionsStatementsNorItsIdleTime() {
    Pool pool = PostgresClients.pool(vertx, PostgresConfig.of(url).withConnectTimeout(BOUND), "handshake-test");
    SqlConnection connection = pool.getConnection().await();
    int backend = connection.query("SELECT pg_backend_pid()").execute().await().iterator().next().getInteger(0);

    double seconds = BOUND.multipliedBy(4).toMillis() / 1000.0;
    connection.query("SELECT pg_sleep(" + seconds + ")").execute().await();
    int after = connection.query("SELECT pg_backend_pid()").execute().await().iterator().next().getInteger(0);

    assertThat(after).as("the same session, never closed by the handshake's bound").isEqualTo(backend);
    connection.close().await();
    pool.close().await();
  }
}
