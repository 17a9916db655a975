package vn.onewindow.common.testing;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.infra.EmbeddedServers;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.PostgresClients;

/**
 * Real PostgreSQL and Redis for tests, never mocks: the machine's own servers when they answer on
 * 127.0.0.1:5432 / :6379 (or the URLs in HUB_TEST_POSTGRES_URL / HUB_TEST_REDIS_URL), otherwise embedded ones
 * started once per JVM. Every test class gets its own database and its own Redis key prefix, dropped when the JVM
 * exits, so leftovers of an earlier (or crashed) run never matter.
 */
public final class TestServers {
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * Test servers' ports: above the common service ports (5432, 6379, 8080, 9090) and apart from TestRedisCluster's
   * nodes (20000-22767) and their cluster bus ports (30000-32767), which it frees and binds again at a node's restart.
   */
  private static final int LOWEST_TEST_PORT = 23_000;
  private static final int PAST_TEST_PORTS = 30_000;
  /** Test servers' ports end before this one: the cluster's bus ports, or the kernel's ephemeral range if lower. */
  private static final int TEST_PORTS_END = Math.min(ephemeralRangeStart(), PAST_TEST_PORTS);
  private static TestServers instance;

  private final String postgresAdminUrl;
  private final String redisUrl;
  private final EmbeddedServers embedded = new EmbeddedServers();
  private final List<String> databases = new ArrayList<>();
  private final List<String> prefixes = new ArrayList<>();
  /** This JVM's migrated database that {@link #newMigratedDatabase} copies; created at its first call. */
  private String migratedTemplate;

  private TestServers() {
    String pg = System.getenv("HUB_TEST_POSTGRES_URL");
    String redis = System.getenv("HUB_TEST_REDIS_URL");
    Path dataDir = Path.of(System.getProperty("java.io.tmpdir"), "hub-test-" + randomHex(4));
    if (pg == null || pg.isBlank()) {
      pg = answers(5432) && canLogin("jdbc:postgresql://127.0.0.1:5432/postgres")
          ? "postgresql://postgres@127.0.0.1:5432/postgres"
          : embedded.startPostgres(dataDir, freePort(), false);
    }
    if (redis == null || redis.isBlank()) {
      redis = answers(6379) ? "redis://127.0.0.1:6379" : embedded.startRedis(dataDir, freePort(), false);
    }
    this.postgresAdminUrl = pg;
    this.redisUrl = redis;
    dropStaleDatabases();
    Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp, "test-servers-cleanup"));
  }

  public static synchronized TestServers get() {
    if (instance == null) {
      instance = new TestServers();
    }
    return instance;
  }

  public String redisUrl() {
    return redisUrl;
  }

  /** A fresh, empty database on the test server; returns its postgresql:// URL. */
  public synchronized String newDatabase() {
    String name = newDatabaseName();
    execute(postgresAdminUrl, "CREATE DATABASE " + name);
    databases.add(name);
    return databaseUrl(name);
  }

  /** hub_test_&lt;epoch seconds&gt;_&lt;random&gt;: dropped at exit, or by a later run once older than 6 h. */
  private static String newDatabaseName() {
    return "hub_test_" + (System.currentTimeMillis() / 1000) + "_" + randomHex(4);
  }

  private String databaseUrl(String name) {
    return postgresAdminUrl.substring(0, postgresAdminUrl.lastIndexOf('/') + 1) + name;
  }

  /**
   * A fresh database of its own that already holds the hub's schema: a copy (CREATE DATABASE ... TEMPLATE) of one
   * this JVM migrated with {@link Migrations#apply} at the first call. Copying takes tens of milliseconds where
   * migrating an empty database takes hundreds, and most tests migrate before anything else (a gateway fixture, an
   * intake harness); {@code Migrations.apply} on the copy finds every migration applied. Tests of the migrations
   * themselves, or of a start on an empty database, take {@link #newDatabase}.
   */
  public synchronized String newMigratedDatabase() {
    if (migratedTemplate == null) {
      String template = newDatabase();
      Migrations.apply(PostgresConfig.of(template));
      migratedTemplate = template.substring(template.lastIndexOf('/') + 1);
    }
    String name = newDatabaseName();
    // the template has no session open: Flyway's connections are closed once apply() returns
    execute(postgresAdminUrl, "CREATE DATABASE " + name + " TEMPLATE " + migratedTemplate);
    databases.add(name);
    return databaseUrl(name);
  }

  public synchronized String newKeyPrefix() {
    String prefix = "hubtest:" + randomHex(6) + ":";
    prefixes.add(prefix);
    return prefix;
  }

  /**
   * A complete hub configuration on an isolated database and key prefix, with the given overrides of the
   * defaults (keys as in config/hub.properties).
   */
  public HubConfig config(Map<String, String> overrides) {
    return config(overrides.containsKey("postgres.url") ? null : newDatabase(), overrides);
  }

  /**
   * As {@link #config}, on a database that already holds the hub's schema ({@link #newMigratedDatabase}): for tests
   * that migrate first thing.
   */
  public HubConfig migratedConfig(Map<String, String> overrides) {
    return config(overrides.containsKey("postgres.url") ? null : newMigratedDatabase(), overrides);
  }

  private HubConfig config(String database, Map<String, String> overrides) {
    Map<String, String> values = new HashMap<>();
    if (database != null) {
      values.put("postgres.url", database);
    }
    values.put("redis.url", redisUrl);
    values.put("redis.key-prefix", newKeyPrefix());
    values.put("http.port", "0");
    values.put("http.host", "127.0.0.1");
    values.put("http.instances", "1");
    // the shipped development clients (config/clients.json), which the tests call with
    values.put("security.development-clients", "true");
    // tests start many hubs: no synthetic warm-up unless a test asks for it
    values.put("warmup.duration-ms", "0");
    // a hub started inside a test JVM that has been running for minutes: the readiness budget counts from the JVM's
    // start, so it would leave a test's warm-up no time at all
    values.put("warmup.ready-within-ms", "600000");
    values.putAll(overrides);
    return HubConfig.from(Settings.of(values));
  }

  public static void execute(String postgresUrl, String sql) {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(postgresUrl));
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed on test server: " + sql, e);
    }
  }

  /** Runs a query on the given database and returns the first column of the first row as a long. */
  public static long queryLong(String postgresUrl, String sql) {
    Long value = queryFirst(postgresUrl, sql, rs -> rs.getLong(1));
    if (value == null) {
      throw new IllegalStateException("no row from the test server: " + sql);
    }
    return value;
  }

  /** Runs a query on the given database and returns the first column of the first row as text (null: no row). */
  public static String queryString(String postgresUrl, String sql) {
    return queryFirst(postgresUrl, sql, rs -> rs.getString(1));
  }

  private interface FirstColumn<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private static <T> T queryFirst(String postgresUrl, String sql, FirstColumn<T> column) {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(postgresUrl));
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? column.read(rs) : null;
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed on test server: " + sql, e);
    }
  }

  private void dropStaleDatabases() {
    long cutoff = System.currentTimeMillis() / 1000 - 6 * 3600;
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(postgresAdminUrl));
    List<String> stale = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'hub\\_test\\_%'")) {
      while (rs.next()) {
        String[] parts = rs.getString(1).split("_");
        if (parts.length == 4 && parts[2].matches("\\d+") && Long.parseLong(parts[2]) < cutoff) {
          stale.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      return;
    }
    stale.forEach(db -> {
      try {
        execute(postgresAdminUrl, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      } catch (RuntimeException ignored) {
        // another run may be dropping it at the same time
      }
    });
  }

  private synchronized void cleanUp() {
    for (String db : databases) {
      try {
        execute(postgresAdminUrl, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      } catch (RuntimeException ignored) {
        // best effort: stale databases are dropped by the next run
      }
    }
    for (String prefix : prefixes) {
      deleteRedisKeys(prefix);
    }
    embedded.close();
  }

  /** Deletes every key under a prefix with one server-side script. */
  private void deleteRedisKeys(String prefix) {
    String script = "for _,k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('UNLINK', k) end return 0";
    try {
      command("EVAL", script, "0", prefix + "*");
    } catch (UncheckedIOException ignored) {
      // best effort
    }
  }

  /** Runs a Lua script that answers an integer (EVAL with no keys, {@code args} as ARGV). */
  public long evalLong(String script, String... args) {
    String[] command = new String[3 + args.length];
    command[0] = "EVAL";
    command[1] = script;
    command[2] = "0";
    System.arraycopy(args, 0, command, 3, args.length);
    String reply = command(command);
    if (reply == null || !reply.startsWith(":")) {
      throw new IllegalStateException("Redis answered " + reply);
    }
    return Long.parseLong(reply.substring(1));
  }

  /** One command to this run's Redis over a plain RESP socket; the first line of its reply. */
  private String command(String... parts) {
    URI uri = URI.create(redisUrl);
    return redisCommand(uri.getHost(), uri.getPort(), parts);
  }

  /** Every key under {@code prefix}, by SCAN (not KEYS: the suite's Redis is shared): a test checks or drops its own. */
  public static List<String> keysUnder(Redis redis, String prefix) {
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    do {
      Response page = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(prefix + "*")
          .arg("COUNT").arg(1000)).await();
      cursor = page.get(0).toString();
      page.get(1).forEach(key -> keys.add(key.toString()));
    } while (!cursor.equals("0"));
    return keys;
  }

  /** One command to the Redis at {@code host:port} over a plain RESP socket; the first line of its reply. */
  public static String redisCommand(String host, int port, String... parts) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1000);
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(resp(parts));
      socket.getOutputStream().flush();
      return new BufferedReader(new InputStreamReader(socket.getInputStream(),
          StandardCharsets.UTF_8)).readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] resp(String... parts) {
    StringBuilder sb = new StringBuilder("*").append(parts.length).append("\r\n");
    for (String p : parts) {
      sb.append('$').append(p.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(p).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Whether something accepts TCP connections on {@code port} of 127.0.0.1. */
  public static boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean canLogin(String jdbcUrl) {
    try (Connection ignored = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** A port free on 127.0.0.1 now, below the kernel's ephemeral range ({@link #listenBelowEphemeralRange}). */
  public static int freePort() {
    try (ServerSocket s = listenBelowEphemeralRange()) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A server socket bound on 127.0.0.1 to a random free port below the kernel's ephemeral range
   * ({@code net.ipv4.ip_local_port_range}), which the kernel never hands out by itself. Tests stop servers and start
   * them again on the same port (a TCP proxy's down and up, a redis-server restarted): a port from {@code bind(0)}
   * is an ephemeral one, and while it is free the kernel may give it to any outgoing connection of any process.
   * (The "Address already in use" that led here, in RateLimiterFallbackTest, had another cause: TcpProxy.down.)
   */
  public static ServerSocket listenBelowEphemeralRange() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST_TEST_PORT, TEST_PORTS_END);
      ServerSocket s = new ServerSocket();
      try {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", port));
        return s;
      } catch (IOException taken) {
        s.close();
      }
    }
    throw new IOException("no free port in " + LOWEST_TEST_PORT + ".." + (TEST_PORTS_END - 1) + " after 100 tries");
  }

  /** The first port of the kernel's ephemeral range (32768 when it cannot be read, Linux's default). */
  private static int ephemeralRangeStart() {
    try {
      String range = java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int start = Integer.parseInt(range.split("\\s+")[0]);
      return start > LOWEST_TEST_PORT + 1000 ? start : 32768;
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
