package vn.onewindow.common.infra;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import java.util.concurrent.TimeUnit;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import vn.onewindow.common.config.PostgresConfig;

public final class PostgresClients {
  private PostgresClients() {
  }

  /** Statements in flight on one connection: the intake batch and status reads share connections without waiting. */
  private static final int PIPELINING_LIMIT = 16;

  /**
   * A pool shared by every verticle instance of one {@code role} (gateway, intake) in this Vert.x instance, so
   * {@code postgres.pool-size} bounds the connections of that role rather than of each event loop. Vert.x shares
   * pools by name: every call with the same role and URL gets a handle on the same connections (each handle closed
   * on its own), which is how the gateway's verticles, its code seeding and its direct-path watch share one pool.
   * The role names the pool and its metrics; it is not the database user, which the URL gives.
   */
  public static Pool pool(Vertx vertx, PostgresConfig config, String role) {
    PgConnectOptions connect = PgConnectOptions.fromUri(config.url())
        .setPipeliningLimit(PIPELINING_LIMIT)
        .setCachePreparedStatements(true);
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.poolSize()).setMaxWaitQueueSize(config.poolWaiting())
            .setShared(true).setName(poolName(role, connect))
            // a connection not obtained in time fails fast (default 30 s); callers treat it as transient
            .setConnectionTimeout((int) config.connectTimeout().toMillis())
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        // TCP connect to an unreachable server fails as fast, instead of the 60 s default
        .with(new NetClientOptions().setConnectTimeout((int) config.connectTimeout().toMillis()))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  /**
   * The pool's name, which Vert.x shares pools by and which is the {@code pool_name} label of its meters on /metrics:
   * the role and a hash of the server, database and user. Never of the whole URL: that hash was a function of the
   * password (a 32-bit one, enough to test guesses offline) on a page anyone with the metrics reads.
   */
  static String poolName(String role, PgConnectOptions connect) {
    String server = connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase()
        + "?user=" + connect.getUser();
    return role + "-postgres-" + Integer.toHexString(server.hashCode());
  }

  /** The JDBC form of a {@code postgresql://} URL, for Flyway. */
  public static Jdbc jdbc(PostgresConfig config) {
    PgConnectOptions o = PgConnectOptions.fromUri(config.url());
    String url = "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
    return new Jdbc(url, o.getUser(), o.getPassword());
  }

  public record Jdbc(String url, String user, String password) {
    @Override
    public String toString() {
      return "Jdbc[url=" + url + ", user=" + user + "]";
    }
  }
}
