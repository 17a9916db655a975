package vn.onewindow.hub;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.testing.TestRedisCluster;
import vn.onewindow.common.testing.TestServers;

/**
 * One hub deployment on a real Redis Cluster for the process tests: its configuration (cluster mode, partitions, one
 * fresh database and key prefix), the backlog left in Redis, each process's own counters, and the reconciliation of
 * every key's 202 against PostgreSQL.
 */
final class ClusterRun implements AutoCloseable {
  static final int PARTITIONS = 16;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final Map<String, String> settings;
  final HubConfig config;
  final RedisKeys keys;
  private final Vertx vertx = Vertx.vertx();
  private final Redis redis;

  ClusterRun(TestRedisCluster cluster, Map<String, String> more) {
    settings = new HashMap<>(Map.of(
        "redis.mode", "cluster", "redis.url", cluster.seedList(), "stream.partitions", Integer.toString(PARTITIONS),
        "ratelimit.enabled", "false", "intake.claim-idle-ms", "8000", "intake.claim-interval-ms", "1000",
        "intake.block-ms", "500", "intake.heartbeat-ms", "1000", "http.instances", "1", "shed.backlog-poll-ms", "1000"));
    // the load spreads over many receiving units (RetryingLoad.unit), more than the shipped directory lists
    settings.put("dossier.agency-directory", RetryingLoad.UNITS_DIRECTORY.toString());
    settings.putAll(more);
    config = TestServers.get().config(settings);
    keys = RedisKeys.of(config.redis(), config.stream());
    redis = RedisClients.create(vertx, config.redis(), "test");
  }

  /**
   * Entries not yet written over every partition: the workers read with NOACK and delete an entry only once it is
   * written (or dead-lettered), so the streams hold all of them, delivered or not; and the group's pending list, which
   * only reads without NOACK add to, must be empty too.
   */
  long backlog() {
    long sum = 0;
    for (PartitionKeys p : keys.all()) {
      sum += redis.send(Request.cmd(Command.XLEN).arg(p.stream())).await().toLong();
      Response pending = redis.send(Request.cmd(Command.XPENDING).arg(p.stream()).arg(keys.group())).await();
      sum += pending.get(0).toLong();
    }
    return sum;
  }

  /** Partitions read by process {@code pid} (its workers are named host-pid-n) within {@code recent}. */
  /** Partitions whose dossier counters are seeded (their epoch marker is in Redis). */
  int partitionsSeeded() {
    int seeded = 0;
    for (PartitionKeys p : keys.all()) {
      seeded += redis.send(Request.cmd(Command.EXISTS).arg(p.epoch())).await().toInteger();
    }
    return seeded;
  }

  int partitionsReadBy(long pid, java.time.Duration recent) {
    int read = 0;
    long since = System.currentTimeMillis() - recent.toMillis();
    for (PartitionKeys p : keys.all()) {
      Response readers = redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(p.readers()).arg(since).arg("+inf"))
          .await();
      boolean seen = false;
      for (Response name : readers) {
        seen |= name.toString().contains("-" + pid + "-");
      }
      read += seen ? 1 : 0;
    }
    return read;
  }

  /** One counter of a process, summed over its label sets, from its own /metrics. */
  static double counter(int port, String prometheusName) throws Exception {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(prometheusName) + "(\\{[^}]*})? (\\S+)$").matcher(text);
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(2));
    }
    return sum;
  }

  /** What PostgreSQL holds for the load's keys: rows per key, and whether each key's row is the receipt it got. */
  record Reconciliation(int accepted, int persisted, int lost, int duplicated, int mismatched, int extra) {
    boolean exact() {
      return lost == 0 && duplicated == 0 && mismatched == 0 && extra == 0 && persisted == accepted;
    }
  }

  Reconciliation reconcile(RetryingLoad load) throws SQLException {
    Map<String, String[]> rows = new HashMap<>();
    int duplicated = 0;
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(config.postgres());
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT idempotency_key, id::text, code FROM dossier")) {
      while (rs.next()) {
        if (rows.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)}) != null) {
          duplicated++;
        }
      }
    }
    int lost = 0;
    int mismatched = 0;
    for (RetryingLoad.Accepted a : load.accepted.values()) {
      String[] row = rows.get(a.key());
      if (row == null) {
        lost++;
      } else if (!row[0].equals(a.id()) || !row[1].equals(a.code())) {
        mismatched++;
      }
    }
    int extra = (int) rows.keySet().stream().filter(k -> !load.accepted.containsKey(k)).count();
    return new Reconciliation(load.accepted.size(), rows.size(), lost, duplicated, mismatched, extra);
  }

  @Override
  public void close() {
    redis.close();
    vertx.close().await();
  }
}
