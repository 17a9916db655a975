package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.EmbeddedServers;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TestServers;

/**
 * Redis back without its data (restarted without its append-only file, a failover to an empty node, FLUSHALL) while
 * PostgreSQL holds the dossiers of the day: the unit's next dossier must get a code after every code issued before,
 * the dossiers and dead letters included, and reach PostgreSQL once, not a 202 with someone else's code followed by a
 * dead letter on dossier_code_key (QA). On a redis-server of the test's own.
 */
class RedisDataLossTest {
  private static final int BEFORE = 12;
  private static final int AFTER = 12;
  /** A dead-lettered dossier's number, above those issued before: its code was given to a citizen all the same. */
  private static final int DEAD_LETTERED = 40;

  @Test
  void shouldNumberAfterEveryCodePostgresHoldsWhenRedisComesBackEmpty(@TempDir Path data) {
    onHub(data, (config, client, port) -> {
      List<JsonObject> before = submit(client, 0, BEFORE);
      awaitWritten(config, BEFORE);
      String prefix = prefixOf(before.get(0).getString("code"));
      assertThat(before).allSatisfy(receipt -> assertThat(receipt.getString("code")).startsWith(prefix));
      TestServers.execute(config.postgres().url(), "INSERT INTO dead_letter (stream, stream_entry_id, payload, error,"
          + " deliveries, code) VALUES ('test', '1-1', '{}', 'rejected', 1, '" + prefix + "00" + DEAD_LETTERED + "')");

      assertThat(TestServers.redisCommand("127.0.0.1", port, "FLUSHALL")).isEqualTo("+OK");
      List<JsonObject> after = submit(client, BEFORE, AFTER);
      awaitWritten(config, BEFORE + AFTER);

      Set<String> codes = new HashSet<>();
      List<String> ids = new ArrayList<>();
      for (JsonObject receipt : before) {
        codes.add(receipt.getString("code"));
        ids.add(receipt.getString("id"));
      }
      for (JsonObject receipt : after) {
        assertThat(receipt.getString("code")).startsWith(prefix);
        assertThat(sequence(receipt.getString("code"))).as(receipt.getString("code"))
            .isGreaterThan(DEAD_LETTERED);
        codes.add(receipt.getString("code"));
        ids.add(receipt.getString("id"));
      }
      // the frontends' retries of dossiers written before the loss, with the same Idempotency-Key and body: their
      // idempotency records went with Redis, PostgreSQL still knows each key; a new dossier would be a second one
      List<Future<HttpResponse<Buffer>>> retries = new ArrayList<>();
      for (int i = 0; i < BEFORE; i++) {
        retries.add(HubEndToEndTest.submit(client, HubEndToEndTest.withApplicant(
            HubEndToEndTest.example("birth-registration.json"), i), "data-loss-" + i));
      }
      Future.all(retries).await();
      for (int i = 0; i < BEFORE; i++) {
        HttpResponse<Buffer> retry = retries.get(i).result();
        assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(202);
        assertThat(retry.getHeader("Idempotent-Replayed")).as("retry %s", i).isEqualTo("true");
        assertThat(retry.bodyAsJsonObject().getString("id")).isEqualTo(before.get(i).getString("id"));
        assertThat(retry.bodyAsJsonObject().getString("code")).isEqualTo(before.get(i).getString("code"));
      }
      String url = config.postgres().url();
      assertThat(TestServers.queryLong(url, "SELECT count(*) FROM dossier WHERE idempotency_key LIKE 'data-loss-%'"))
          .as("one dossier a key").isEqualTo(BEFORE + AFTER);
      assertThat(codes).as("no code given twice").hasSize(BEFORE + AFTER);
      assertThat(TestServers.queryLong(url, "SELECT count(*) FROM dossier WHERE id IN ('"
          + String.join("','", ids) + "')")).as("every dossier given a 202 persisted once").isEqualTo(BEFORE + AFTER);
      assertThat(TestServers.queryLong(url, "SELECT count(*) FROM dead_letter WHERE stream <> 'test'"))
          .as("dead letters").isZero();
    });
  }

  /**
   * The first submission to reach the partition after the loss is a frontend's retry of a dossier written before it:
   * that very submission seeds the counters and finds codes, so its own key must be looked up in PostgreSQL before it
   * is numbered, not only the keys of the submissions after it (a second dossier under a new code).
   */
  @Test
  void shouldGiveTheReceiptBackWhenTheSeedingSubmissionIsARetry(@TempDir Path data) {
    onHub(data, (config, client, port) -> {
      JsonObject before = writtenThenLost(config, client, port, 500);

      HttpResponse<Buffer> retry = HubEndToEndTest.submit(client, HubEndToEndTest.withApplicant(
          HubEndToEndTest.example("birth-registration.json"), 500), "data-loss-500").await();

      assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(202);
      assertThat(retry.bodyAsJsonObject().getString("code")).isEqualTo(before.getString("code"));
      assertThat(retry.bodyAsJsonObject().getString("id")).isEqualTo(before.getString("id"));
      assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    });
  }

  /**
   * Two gateways after the loss: another one has seeded the partition already (its marker and counters are back),
   * while this one's own seeding still runs (it waits here for a writer's lock). A frontend's retry of a dossier
   * written before the loss reaches this gateway: its idempotency record went with Redis, and this gateway has not yet
   * learnt of the loss from its own seeding nor from code_seeding, so the partition would number it again, a second
   * dossier under a new code (cluster drill: FLUSHALL of every master under load). A gateway that has a seeding under
   * way looks keyed submissions up in PostgreSQL first.
   */
  @Test
  void shouldGiveTheReceiptBackWhileThisGatewaysSeedingRunsAndAnotherSeededThePartition(@TempDir Path data) {
    onHub(data, (config, client, port) -> heldBackSeeding(config, client, port, 600, "ROW EXCLUSIVE", lost -> {
      lost.seededByAnotherGateway();
      lost.assertReplayed(lost.retry());
    }));
  }

  /**
   * The same when PostgreSQL cannot answer the retry's look-up (a migration's lock here): a 503 to retry, nothing
   * queued, not a carry-on to Redis, whose partition would number it again. Once PostgreSQL answers, the receipt.
   */
  @Test
  void shouldRefuseARetryWhosePostgresLookUpFailsWhileALossIsSuspected(@TempDir Path data) {
    onHub(data, (config, client, port) -> heldBackSeeding(config, client, port, 700, "ACCESS EXCLUSIVE", lost -> {
      lost.seededByAnotherGateway();
      HttpResponse<Buffer> refused = lost.retry();
      assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
      assertThat(refused.getHeader("Retry-After")).isNotBlank();
      lost.release();
      lost.assertReplayed(lost.retry());
    }));
  }

  /**
   * A seeding of this gateway's that failed (its bound passed while a writer held the table) leaves the loss suspected
   * for a few seconds: the partition another gateway seeded meanwhile gives a retry its receipt back, not a new code.
   */
  @Test
  void shouldStillLookKeysUpRightAfterAFailedSeeding(@TempDir Path data) {
    onHub(data, (config, client, port) -> heldBackSeeding(config, client, port, 800, "ROW EXCLUSIVE", lost -> {
      Await.until(Duration.ofSeconds(10), "the seeding to give up its lock at its bound",
          () -> waitingSeedingLocks(config) == 0);
      lost.seededByAnotherGateway();
      lost.assertReplayed(lost.retry());
    }));
  }

  /** Dossier {@code n}'s partition after the loss, while this gateway's seeding of it waits for a writer's lock. */
  private interface HeldBack {
    /** Another gateway's seeding, done: the unit's counter raised to the code PostgreSQL holds, the marker set. */
    void seededByAnotherGateway();

    /** The frontend's retry of dossier n: the same Idempotency-Key and body. */
    HttpResponse<Buffer> retry();

    /** The writer commits: the seeding goes on. */
    void release();

    void assertReplayed(HttpResponse<Buffer> retry);
  }

  /**
   * Dossier {@code n} written, then Redis's data lost; a writer holds the dossier table in {@code lockMode}; an unkeyed
   * submission of the same unit meets the emptied partition and starts this gateway's seeding, which waits for the
   * writer; then {@code during}.
   */
  private static void heldBackSeeding(HubConfig config, WebClient client, int port, int n, String lockMode,
                                      java.util.function.Consumer<HeldBack> during) {
    JsonObject before = writtenThenLost(config, client, port, n);
    String code = before.getString("code");
    String unit = code.substring(0, code.length() - "-YYMMDD-0001".length());
    PartitionKeys partition = RedisKeys.of(config.redis(), config.stream())
        .partition(new Partitions(config.stream().partitions()).ofUnit(unit));
    try (Connection writer = connection(config.postgres().url()); Statement batch = writer.createStatement()) {
      writer.setAutoCommit(false);
      batch.execute("LOCK TABLE dossier IN " + lockMode + " MODE");
      // unkeyed, so it goes to Redis without a look-up whatever the writer holds
      Future<HttpResponse<Buffer>> seeding = HubEndToEndTest.submit(client, HubEndToEndTest.withApplicant(
          HubEndToEndTest.example("birth-registration.json"), n + 1), null);
      Await.until(Duration.ofSeconds(10), "this gateway's seeding, waiting for the writer",
          () -> waitingSeedingLocks(config) == 1);
      during.accept(new HeldBack() {
        @Override
        public void seededByAnotherGateway() {
          TestServers.redisCommand("127.0.0.1", port, "SET", partition.sequence(unit, code.substring(
              unit.length() + 1, unit.length() + 7)), Long.toString(DossierCode.queueIndex(1)));
          TestServers.redisCommand("127.0.0.1", port, "SET", partition.epoch(), "seeded by another gateway");
        }

        @Override
        public HttpResponse<Buffer> retry() {
          return HubEndToEndTest.submit(client, HubEndToEndTest.withApplicant(
              HubEndToEndTest.example("birth-registration.json"), n), "data-loss-" + n).await();
        }

        @Override
        public void release() {
          try {
            writer.commit();
          } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
          }
        }

        @Override
        public void assertReplayed(HttpResponse<Buffer> retry) {
          assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(202);
          assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
          assertThat(retry.bodyAsJsonObject().getString("id")).isEqualTo(before.getString("id"));
          assertThat(retry.bodyAsJsonObject().getString("code")).isEqualTo(code);
        }
      });
      writer.commit();
      seeding.await();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHARE lock requests on the dossier table not granted yet: a seeding waiting for a writer. */
  private static long waitingSeedingLocks(HubConfig config) {
    return TestServers.queryLong(config.postgres().url(), "SELECT count(*) FROM pg_locks WHERE mode = 'ShareLock'"
        + " AND relation = 'dossier'::regclass AND NOT granted");
  }

  /** Dossier {@code n}, submitted and written to PostgreSQL; then Redis loses its data (FLUSHALL). Its receipt. */
  private static JsonObject writtenThenLost(HubConfig config, WebClient client, int redisPort, int n) {
    JsonObject receipt = submit(client, n, 1).get(0);
    awaitWritten(config, 1);
    assertThat(TestServers.redisCommand("127.0.0.1", redisPort, "FLUSHALL")).isEqualTo("+OK");
    return receipt;
  }

  private static Connection connection(String url) throws java.sql.SQLException {
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(url));
    return DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
  }

  private interface OnHub {
    void run(HubConfig config, WebClient client, int redisPort);
  }

  /** A hub on a redis-server of the test's own (for FLUSHALL), with a client that checks the API contract. */
  private static void onHub(Path data, OnHub test) {
    int port = TestServers.freePort();
    Vertx vertx = Vertx.vertx();
    try (EmbeddedServers redis = new EmbeddedServers()) {
      HubConfig config = configOn(redis.startRedis(data, port, false));
      Hub hub = Hub.start(config);
      try {
        test.run(config, clientOf(vertx, hub), port);
      } finally {
        hub.close();
        vertx.close().await();
      }
    }
  }

  private static HubConfig configOn(String redisUrl) {
    return TestServers.get().config(Map.of("redis.url", redisUrl, "intake.block-ms", "200",
        "intake.claim-interval-ms", "500", "ratelimit.client-classes", "standard:100000/100000",
        "ratelimit.applicant-per-minute", "100000"));
  }

  private static WebClient clientOf(Vertx vertx, Hub hub) {
    return ContractCheck.get().validating(WebClient.create(vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(hub.httpPort())));
  }

  /** {@code count} dossiers of one unit (birth-registration.json's), each from its own applicant, all 202. */
  private static List<JsonObject> submit(WebClient client, int first, int count) {
    List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      posts.add(HubEndToEndTest.submit(client,
          HubEndToEndTest.withApplicant(HubEndToEndTest.example("birth-registration.json"), i), "data-loss-" + i));
    }
    Future.all(posts).await();
    List<JsonObject> receipts = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> post : posts) {
      assertThat(post.result().statusCode()).as(post.result().bodyAsString()).isEqualTo(202);
      receipts.add(post.result().bodyAsJsonObject());
    }
    return receipts;
  }

  /** Until the intake has written (or dead-lettered) that many of the test's dossiers. */
  private static void awaitWritten(HubConfig config, int count) {
    Await.until(Duration.ofSeconds(30), count + " dossiers written or dead-lettered",
        () -> TestServers.queryLong(config.postgres().url(), "SELECT (SELECT count(*) FROM dossier)"
            + " + (SELECT count(*) FROM dead_letter WHERE stream <> 'test')") >= count);
  }

  /** {@code <unit>-YYMMDD-} of a code. */
  private static String prefixOf(String code) {
    return code.substring(0, code.lastIndexOf('-') + 1);
  }

  private static long sequence(String code) {
    return Long.parseLong(code.substring(code.lastIndexOf('-') + 1));
  }
}
