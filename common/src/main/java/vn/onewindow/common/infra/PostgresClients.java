package vn.onewindow.common.infra;

import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Completable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.spi.PgDriver;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.impl.SocketConnectionBase;
import io.vertx.sqlclient.internal.SqlConnectionInternal;
import io.vertx.sqlclient.spi.ConnectionFactory;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.config.PostgresConfig;

public final class PostgresClients {
  private PostgresClients() {
  }

  /**
   * Statements sent without waiting on one connection a caller holds ({@code getConnection}, {@code withConnection},
   * {@code withTransaction}) and issues several at once on. It does not let pooled queries share a connection: these
   * pools are plain PoolOptions, not pipelined, so Vert.x 5.0.10 lends each pooled connection to one
   * {@code pool.query()} at a time (PgDriver#newPoolImpl, SqlConnectionPool: concurrency 1 unless pipelined), and
   * concurrent pool queries take one connection each, up to {@code postgres.pool-size}.
   */
  private static final int PIPELINING_LIMIT = 16;

  /**
   * A pool shared by every verticle instance of one {@code role} (gateway, intake) in this Vert.x instance, so
   * {@code postgres.pool-size} bounds the connections of that role rather than of each event loop. Vert.x shares
   * pools by name: every call with the same role and URL gets a handle on the same connections (each handle closed
   * on its own), which is how the gateway's verticles, its code seeding and its direct-path watch share one pool.
   * The role names the pool and its metrics; it is not the database user, which the URL gives.
   */
  public static Pool pool(Vertx vertx, PostgresConfig config, String role) {
    PgConnectOptions connect = PostgresUrl.parse(config.url()).connectOptions()
        .setPipeliningLimit(PIPELINING_LIMIT)
        .setCachePreparedStatements(true);
    int timeoutMillis = (int) config.connectTimeout().toMillis();
    return ClientBuilder.pool(HandshakeBoundDriver.INSTANCE)
        .with(new PoolOptions().setMaxSize(config.poolSize()).setMaxWaitQueueSize(config.poolWaiting())
            .setShared(true).setName(poolName(role, connect))
            // a connection not obtained in time fails fast (default 30 s); callers treat it as transient
            .setConnectionTimeout(timeoutMillis)
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
            // Vert.x's default (0) kept every connection a surge opened until the process ended, each a PostgreSQL
            // backend. The pool's own idle timeout counts from a connection's release to the pool, so it never closes
            // one running a statement; it is not the transport's read-idle timeout below (the handshake's bound,
            // lifted once the connection is open), and closes through the pool, freeing the slot (PoolIdleTimeoutTest)
            .setIdleTimeout((int) config.idleTimeout().toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setPoolCleanerPeriod(IdlePools.cleanerPeriodMillis(config.idleTimeout())))
        // TCP connect to an unreachable server fails as fast, instead of the 60 s default; a server that accepted the
        // connection but says nothing for as long (a hung postmaster, a black-holing proxy) has it closed, which fails
        // the attempt and frees its pool slot. HandshakeBoundDriver lifts this bound once the connection is open.
        .with(new NetClientOptions().setConnectTimeout(timeoutMillis)
            .setReadIdleTimeout(timeoutMillis).setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  /**
   * The PostgreSQL driver, whose connections drop the transport's read-idle timeout once their startup exchange is
   * done. Vert.x bounds the TCP connect only: the startup and authentication after it had no bound, and a server that
   * accepted the connection and never answered (a hung postmaster, a black-holing proxy or pgbouncer, a load balancer
   * in front of a dead server) kept the attempt, and its pool slot, until that server closed the socket; the pool's
   * waiters timed out meanwhile, and kept timing out after the server answered again. The read-idle timeout closes
   * such a connection; kept on an open one, it would close a connection idle in the pool, or running a statement
   * longer than the bound (statistics run for seconds), so it is taken off the connection's pipeline here. Vert.x
   * 5.0 has no option for this (PgConnectOptions, SqlConnectOptions, PoolOptions: none bounds the handshake), and the
   * socket is reachable only through its internal API, in this one place.
   */
  static final class HandshakeBoundDriver extends PgDriver {
    static final HandshakeBoundDriver INSTANCE = new HandshakeBoundDriver();

    @Override
    public ConnectionFactory<PgConnectOptions> createConnectionFactory(Vertx vertx, NetClientOptions transport) {
      ConnectionFactory<PgConnectOptions> bounded = super.createConnectionFactory(vertx, transport);
      return new ConnectionFactory<>() {
        @Override
        public Future<SqlConnection> connect(Context context, PgConnectOptions options) {
          return bounded.connect(context, options).compose(HandshakeBoundDriver::unbounded);
        }

        @Override
        public void close(Completable<Void> completion) {
          bounded.close(completion);
        }
      };
    }

    /**
     * The open connection without its read-idle timeout. Removed by type, which throws when absent: a Vert.x that
     * built its connections otherwise fails (and closes) every one at once (PostgresHandshakeTest) rather than
     * cutting long statements in production.
     */
    private static Future<SqlConnection> unbounded(SqlConnection connection) {
      try {
        SocketConnectionBase socket = (SocketConnectionBase) ((SqlConnectionInternal) connection).unwrap();
        socket.socket().channelHandlerContext().pipeline().remove(IdleStateHandler.class);
        return Future.succeededFuture(connection);
      } catch (RuntimeException e) {
        connection.close();
        return Future.failedFuture(new IllegalStateException("postgres connection opened, but its handshake's "
            + "read-idle timeout could not be lifted (Vert.x changed?): closed rather than cut later", e));
      }
    }
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

  /**
   * The JDBC form of a {@code postgresql://} URL, for Flyway and the compatibility check: the pools' host, schema and
   * TLS ({@link PostgresUrl#jdbc}). Without them Flyway migrated in plain text where the URL required TLS, into
   * public where the URL named a schema, and an IPv6 host made no JDBC URL at all.
   */
  public static Jdbc jdbc(PostgresConfig config) {
    return PostgresUrl.parse(config.url()).jdbc();
  }

  public record Jdbc(String url, String user, String password) {
    @Override
    public String toString() {
      return "Jdbc[url=" + url + ", user=" + user + "]";
    }
  }
}
