package vn.onewindow.intake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.metrics.Observability;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;

/**
 * A fresh database and key prefix on the real test servers, a Vert.x instance, intake workers deployed on demand, and
 * the Redis/SQL probes the tests assert with.
 */
final class IntakeHarness implements AutoCloseable {
  static final Map<String, String> FAST = Map.of(
      "intake.claim-idle-ms", "500",
      "intake.claim-interval-ms", "200",
      "intake.block-ms", "200",
      "intake.retry-backoff-ms", "200");

  final HubConfig config;
  final RedisKeys keys;
  final Vertx vertx;
  /** Vert.x's own meters (pools, connections) when created {@link #withVertxMeters}; otherwise null. */
  final PrometheusMeterRegistry vertxMeters;
  final Redis redis;
  /** One registry per deployed worker, to tell their shares apart. */
  final List<SimpleMeterRegistry> registries = new ArrayList<>();
  private final List<String> deployments = new ArrayList<>();
  private final List<Pool> pools = new ArrayList<>();

  private IntakeHarness(HubConfig config, PrometheusMeterRegistry vertxMeters) {
    this.config = config;
    this.vertxMeters = vertxMeters;
    this.vertx = vertxMeters == null ? Vertx.vertx() : Observability.vertx(vertxMeters);
    this.keys = RedisKeys.of(config.redis(), config.stream());
    this.redis = RedisClients.create(vertx, config.redis(), "test");
  }

  static IntakeHarness create(Map<String, String> overrides) {
    return create(overrides, null);
  }

  /** As {@link #create}, its Vert.x reporting its own meters (as in production) to {@link #vertxMeters}. */
  static IntakeHarness withVertxMeters(Map<String, String> overrides) {
    return create(overrides, Observability.registry());
  }

  private static IntakeHarness create(Map<String, String> overrides, PrometheusMeterRegistry vertxMeters) {
    Map<String, String> values = new HashMap<>(FAST);
    values.putAll(overrides);
    HubConfig config = TestServers.get().migratedConfig(values);
    Migrations.apply(config.postgres());
    return new IntakeHarness(config, vertxMeters);
  }

  String pgUrl() {
    return config.postgres().url();
  }

  /** Deploys one intake worker with its own meter registry; returns the registry. */
  SimpleMeterRegistry deployWorker(HubConfig workerConfig, String consumer) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registries.add(registry);
    // the worker's own pool (a worker may be given another PostgreSQL), closed by the harness after the workers
    Pool pool = PostgresClients.pool(vertx, workerConfig.postgres(), "intake-" + consumer);
    pools.add(pool);
    deployments.add(vertx.deployVerticle(new IntakeVerticle(workerConfig, consumer, pool, registry)).await());
    return registry;
  }

  SimpleMeterRegistry deployWorker(String consumer) {
    return deployWorker(config, consumer);
  }

  void undeployAll() {
    for (String id : deployments) {
      vertx.undeploy(id).await();
    }
    deployments.clear();
    pools.forEach(p -> p.close().await());
    pools.clear();
  }

  // ---- Redis ----------------------------------------------------------------------------------------------------

  Response send(Request request) {
    return redis.send(request).await();
  }

  /** The consumer group, created before any worker reads (as an earlier worker, or a crashed one, would have). */
  void createGroup() {
    send(Request.cmd(Command.XGROUP).arg("CREATE").arg(keys.stream()).arg(keys.group()).arg("0").arg("MKSTREAM"));
  }

  /** XADDs the entries in pipelined chunks; returns their stream entry ids in order. */
  List<String> xadd(List<StreamEntry> entries) {
    List<String> ids = new ArrayList<>();
    for (int from = 0; from < entries.size(); from += 250) {
      List<Request> chunk = new ArrayList<>();
      for (StreamEntry e : entries.subList(from, Math.min(entries.size(), from + 250))) {
        chunk.add(xaddRequest(e.toFields()));
      }
      redis.batch(chunk).await().forEach(r -> ids.add(r.toString()));
    }
    return ids;
  }

  Request xaddRequest(Map<String, String> fields) {
    return xaddRequest(keys.stream(), fields);
  }

  static Request xaddRequest(String stream, Map<String, String> fields) {
    Request r = Request.cmd(Command.XADD).arg(stream).arg("*");
    fields.forEach((k, v) -> r.arg(k).arg(v));
    return r;
  }

  /**
   * XADDs one entry from inside a script, as the gateway's enqueue does: Redis then serves a reader blocked on the
   * stream within the script's call, not as a command of the reader's own.
   */
  String redisScriptXadd(StreamEntry entry) {
    Request r = Request.cmd(Command.EVAL).arg("return redis.call('XADD', KEYS[1], '*', unpack(ARGV))").arg(1)
        .arg(keys.stream());
    entry.toFields().forEach((k, v) -> r.arg(k).arg(v));
    return send(r).toString();
  }

  long xlen(String key) {
    return send(Request.cmd(Command.XLEN).arg(key)).toLong();
  }

  /**
   * Entries delivered and not yet written: still in the stream, up to the group's last-delivered-id (reads are
   * NOACK, so the group keeps no pending list of its own; {@link #pelCount}).
   */
  long pendingCount() {
    return pendingCount(keys.stream());
  }

  long pendingCount(String stream) {
    String last = lastDelivered(stream);
    return last == null ? 0 : send(Request.cmd(Command.XRANGE).arg(stream).arg("-").arg(last)).size();
  }

  /** The group's last-delivered-id on {@code stream}; null without the group. */
  String lastDelivered(String stream) {
    for (Response g : send(Request.cmd(Command.XINFO).arg("GROUPS").arg(stream))) {
      Map<String, String> info = vn.onewindow.common.infra.RedisReplies.pairs(g);
      if (keys.group().equals(info.get("name"))) {
        return info.get("last-delivered-id");
      }
    }
    return null;
  }

  /** The group's pending list (XPENDING summary form): only reads without NOACK (an earlier release) add to it. */
  long pelCount() {
    return send(Request.cmd(Command.XPENDING).arg(keys.stream()).arg(keys.group())).get(0).toLong();
  }

  /** Deliveries of every delivered entry still in the stream: 1, plus the sweeps counted in the attempts hash. */
  Map<String, Integer> pendingDeliveries() {
    Map<String, Integer> out = new LinkedHashMap<>();
    String last = lastDelivered(keys.stream());
    if (last == null) {
      return out;
    }
    Map<String, String> attempts = attempts();
    for (Response e : send(Request.cmd(Command.XRANGE).arg(keys.stream()).arg("-").arg(last))) {
      String id = e.get(0).toString();
      out.put(id, 1 + Integer.parseInt(attempts.getOrDefault(id, "0")));
    }
    return out;
  }

  /** The partition's attempts hash: entry id -> sweeps that took it. */
  Map<String, String> attempts() {
    return vn.onewindow.common.infra.RedisReplies.pairs(send(Request.cmd(Command.HGETALL).arg(keys.partition(0).attempts())));
  }

  /** The dead-letter stream as a list of field maps. */
  List<Map<String, String>> deadLetterStream() {
    List<Map<String, String>> out = new ArrayList<>();
    for (Response e : send(Request.cmd(Command.XRANGE).arg(keys.deadLetterStream()).arg("-").arg("+"))) {
      Map<String, String> fields = new LinkedHashMap<>();
      Response kv = e.get(1);
      for (int i = 0; i + 1 < kv.size(); i += 2) {
        fields.put(kv.get(i).toString(), kv.get(i + 1).toString());
      }
      out.add(fields);
    }
    return out;
  }

  // ---- PostgreSQL -------------------------------------------------------------------------------------------------

  long sql(String query) {
    return TestServers.queryLong(pgUrl(), query);
  }

  void execute(String statement) {
    TestServers.execute(pgUrl(), statement);
  }

  /**
   * A stalled PostgreSQL for the intake: a connection of its own holding {@code LOCK TABLE dossier IN SHARE ROW
   * EXCLUSIVE MODE}, which every INSERT waits on, until the caller commits (the INSERTs then go on) or closes it.
   */
  Connection lockDossierInserts() throws SQLException {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(config.postgres());
    Connection c = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("LOCK TABLE dossier IN SHARE ROW EXCLUSIVE MODE");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** All rows of a query, each as column-name -> string value. */
  List<Map<String, String>> rows(String query, Object... params) {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(config.postgres());
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
         PreparedStatement s = c.prepareStatement(query)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      List<Map<String, String>> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          Map<String, String> row = new LinkedHashMap<>();
          for (int i = 1; i <= n; i++) {
            row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
          }
          out.add(row);
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + query, e);
    }
  }

  // ---- meters and waiting ---------------------------------------------------------------------------------------

  /** Vert.x's pool meter of the read loops' clients: their connections in use (needs {@link #withVertxMeters}). */
  double readConnectionsInUse() {
    return vertxMeters.get("vertx.pool.in.use").tag("pool_name", "redis-intake-read").gauge().value();
  }

  double counter(String name, String... tags) {
    double sum = 0;
    for (SimpleMeterRegistry r : registries) {
      Counter c = r.find(name).tags(tags).counter();
      sum += c == null ? 0 : c.count();
    }
    return sum;
  }

  static void await(Duration timeout, String what, BooleanSupplier condition) {
    Await.until(timeout, what, condition);
  }

  @Override
  public void close() {
    try {
      undeployAll();
    } finally {
      Future.join(redis.close(), Future.succeededFuture()).eventually(vertx::close).await();
    }
  }
}
