package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * The dossier counters and PostgreSQL: while Redis holds the partition's epoch marker it numbers alone (PostgreSQL
 * unreachable changes nothing); without it (Redis lost its data) a submission waits for the counters to be seeded
 * from PostgreSQL, and with PostgreSQL unreachable too it is a fast 503 with nothing queued, never a code that may be
 * someone else's. PostgreSQL behind a proxy the test cuts.
 */
class CodeSequencesTest {

  @Test
  void shouldNumberWithoutPostgresWhileTheEpochIsThereAndRefuseFastWithoutIt() throws Exception {
    HubConfig direct = TestServers.get().migratedConfig(Map.of());
    URI pg = URI.create(direct.postgres().url().replace("postgresql://", "http://"));
    try (TcpProxy proxy = new TcpProxy(pg.getHost(), pg.getPort())) {
      proxy.up();
      String viaProxy = direct.postgres().url().replace(pg.getHost() + ":" + pg.getPort(), "127.0.0.1:" + proxy.port());
      try (GatewayFixture gw = new GatewayFixture(direct.withPostgres(direct.postgres().withUrl(viaProxy)))) {
        PartitionKeys partition = gw.keys.partition(0);
        HttpResponse<Buffer> first = gw.post(AdmissionTest.dossierOf(1));
        assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
        assertThat(sequence(first)).as("a fresh install numbers from 1").isEqualTo(1);
        assertThat(gw.redis(Command.EXISTS, partition.epoch()).toInteger()).as("the epoch marker").isEqualTo(1);
        assertThat(gw.redis(Command.TTL, partition.epoch()).toLong()).as("the marker never expires").isEqualTo(-1);

        proxy.down();
        HttpResponse<Buffer> second = gw.post(AdmissionTest.dossierOf(2));
        assertThat(second.statusCode()).as("numbered by Redis alone: " + second.bodyAsString()).isEqualTo(202);
        assertThat(sequence(second)).isEqualTo(2);

        // Redis lost its data as far as the counters' owner can tell; PostgreSQL is still unreachable
        gw.redis(Command.DEL, partition.epoch());
        long queued = gw.queued();
        long started = System.nanoTime();
        HttpResponse<Buffer> refused = gw.post(AdmissionTest.dossierOf(3));
        long refusedMs = Await.millisSince(started);
        assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
        assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
        assertThat(refused.getHeader("Retry-After")).isNotBlank();
        assertThat(refused.bodyAsJsonObject().getString("detail")).contains("nothing was queued");
        assertThat(refusedMs).as("fast: within the enqueue's timeout")
            .isLessThan(gw.config.resilience().breakers().redisEnqueueTimeout().toMillis());
        assertThat(gw.queued()).as("nothing queued").isEqualTo(queued);
        assertThat(gw.redis(Command.EXISTS, partition.epoch()).toInteger()).isZero();
        assertThat(seedings(gw, "failed")).as("the operators' signal (HubCodeSeedingFailing)").isEqualTo(1);

        proxy.up();
        HttpResponse<Buffer> seeded = gw.post(AdmissionTest.dossierOf(4));
        assertThat(seeded.statusCode()).as(seeded.bodyAsString()).isEqualTo(202);
        assertThat(sequence(seeded)).as("a counter that moved on is never lowered by a seeding").isEqualTo(3);
        assertThat(gw.redis(Command.EXISTS, partition.epoch()).toInteger()).isEqualTo(1);
      }
    }
  }

  /**
   * Redis lost its data while the intake was writing a batch: those dossiers are not committed when the seeding reads
   * PostgreSQL, and are a moment later. A seeding that does not wait for them numbers the unit's next dossier with a
   * code of that batch (a 202, then a dead letter on dossier_code_key). The batch: a transaction of the test's own.
   */
  @Test
  void shouldNumberAfterTheDossiersTheIntakeIsWritingWhenRedisLosesItsData() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      PartitionKeys partition = gw.keys.partition(0);
      HttpResponse<Buffer> first = gw.post(AdmissionTest.dossierOf(1));
      assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
      String code = first.bodyAsJsonObject().getString("code");
      String prefix = code.substring(0, code.lastIndexOf('-') + 1);
      PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(gw.config.postgres().url()));
      Future<HttpResponse<Buffer>> during;
      try (Connection intake = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
           Statement batch = intake.createStatement()) {
        intake.setAutoCommit(false);
        batch.execute(insertDossier(prefix + "0060"));
        gw.redis(Command.DEL, partition.epoch(), gw.keys.sequence(unit(code), day(code)));
        during = gw.postAsync(AdmissionTest.dossierOf(2), null);
        Thread.sleep(300);
        intake.commit();
      }
      HttpResponse<Buffer> next = during.toCompletionStage().toCompletableFuture().get();
      assertThat(next.statusCode()).as(next.bodyAsString()).isEqualTo(202);
      assertThat(sequence(next)).as("after the code the intake was writing").isGreaterThan(60);
    }
  }

  /**
   * A code no counter issued ({@code -0000}: imported or written by hand) must not stop the seeding, or every
   * submission of the partition is a 503 for as long as that row exists.
   */
  @Test
  void shouldSeedPastACodeNoCounterIssued() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      HttpResponse<Buffer> first = gw.post(AdmissionTest.dossierOf(1));
      assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
      String code = first.bodyAsJsonObject().getString("code");
      String prefix = code.substring(0, code.lastIndexOf('-') + 1);
      // another unit of the partition whose only code of the day is -0000; this unit's highest is 0005
      TestServers.execute(gw.config.postgres().url(), insertDossier("000.00.21.H48-" + day(code) + "-0000"));
      TestServers.execute(gw.config.postgres().url(), insertDossier(prefix + "0005"));
      gw.redis(Command.DEL, gw.keys.partition(0).epoch(), gw.keys.sequence(unit(code), day(code)));

      HttpResponse<Buffer> next = gw.post(AdmissionTest.dossierOf(2));

      assertThat(next.statusCode()).as(next.bodyAsString()).isEqualTo(202);
      assertThat(sequence(next)).as("after the codes PostgreSQL holds").isGreaterThan(5);
      // the operators' signal that Redis lost its data (HubCodeCountersReseeded)
      assertThat(seedings(gw, "raised")).isGreaterThanOrEqualTo(1);
      assertThat(seedings(gw, "failed")).isZero();
    }
  }

  /**
   * The dead letters are scanned whole (no index on their code): many of them, kept after an incident, must not make
   * the seeding miss its time, or every submission of the partition is a 503 until they are gone.
   */
  @Test
  void shouldSeedInTimeOverManyDeadLetters() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("timeout.postgres-read-ms", "400"))) {
      TestServers.execute(gw.config.postgres().url(), "INSERT INTO dead_letter (stream, stream_entry_id, payload,"
          + " error, deliveries, code) SELECT 'test', g || '-0', '{}', 'rejected', 1, '000.00.01.H' || (g % 90 + 10)"
          + " || '-261206-' || lpad((g % 8999 + 1)::text, 4, '0') FROM generate_series(1, 200000) g");
      TestServers.execute(gw.config.postgres().url(), "ANALYZE dead_letter");
      HttpResponse<Buffer> first = gw.post(AdmissionTest.dossierOf(1));
      assertThat(first.statusCode()).as("seeded within %s: %s", gw.config.resilience().breakers()
          .postgresReadTimeout(), first.bodyAsString()).isEqualTo(202);
    }
  }

  /**
   * PostgreSQL down while Redis lost its data: the 503s are PostgreSQL's failures and counted there, not the queue's.
   * Redis answered every call: its breaker must stay closed, or once PostgreSQL is back the healthy queue is refused
   * (or bypassed by the direct path) for breaker.open-seconds.
   */
  @Test
  void shouldNotOpenTheQueuesBreakerWhenTheSeedingCannotAskPostgres() throws Exception {
    HubConfig direct = TestServers.get().migratedConfig(Map.of("breaker.minimum-calls", "5",
        "breaker.open-seconds", "1", "ratelimit.enabled", "false"));
    URI pg = URI.create(direct.postgres().url().replace("postgresql://", "http://"));
    try (TcpProxy proxy = new TcpProxy(pg.getHost(), pg.getPort())) {
      String viaProxy = direct.postgres().url().replace(pg.getHost() + ":" + pg.getPort(), "127.0.0.1:" + proxy.port());
      proxy.up();
      try (GatewayFixture gw = new GatewayFixture(direct.withPostgres(direct.postgres().withUrl(viaProxy)))) {
        proxy.down();
        for (int i = 1; i <= 8; i++) {
          HttpResponse<Buffer> refused = gw.post(AdmissionTest.dossierOf(i));
          assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
        }
        assertThat(gw.registry.get("resilience4j.circuitbreaker.state").tag("name", Upstream.REDIS_ENQUEUE.tag())
            .tag("state", "closed").gauge().value()).as("the queue's breaker").isEqualTo(1.0);
        proxy.up();
        // PostgreSQL's own breaker did open, and lets a call through after its open period
        Await.until(Duration.ofSeconds(10), "PostgreSQL's breaker to let a call through", () -> gw.registry
            .get("resilience4j.circuitbreaker.state").tag("name", Upstream.POSTGRES_READ.tag())
            .tag("state", "open").gauge().value() == 0.0);
        HttpResponse<Buffer> queued = gw.post(AdmissionTest.dossierOf(9));
        assertThat(queued.statusCode()).as(queued.bodyAsString()).isEqualTo(202);
        assertThat(sequence(queued)).as("numbered by Redis, not the direct path").isEqualTo(1);
      }
    }
  }

  /**
   * Right after Redis lost its data (here: a fresh Redis over a database holding codes of the day), many concurrent
   * submissions for several units in several partitions, through two gateways on one Redis and database, each seeding
   * on its own: every 202 carries a code no other has, after the codes PostgreSQL held.
   */
  @Test
  void shouldGiveEveryConcurrentSubmissionItsOwnCodeWhenTwoGatewaysSeedAtOnce() {
    HubConfig config = TestServers.get().migratedConfig(Map.of("stream.partitions", "4", "ratelimit.enabled", "false"));
    String[] units = {"000.00.53.H48", "000.00.21.H48", "000.00.77.H48", "000.00.18.H48", "000.00.00.H26",
        "000.00.00.H29"};
    try (GatewayFixture one = new GatewayFixture(config); GatewayFixture two = new GatewayFixture(config)) {
      String today = DossierCode.day(LocalDate.now(config.dossier().zone()));
      for (String unit : units) {
        TestServers.execute(config.postgres().url(), insertDossier(unit + "-" + today + "-0050"));
      }
      List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
      for (int i = 0; i < 240; i++) {
        JsonObject dossier = new JsonObject(AdmissionTest.dossierOf(1000 + i));
        dossier.put("receivingUnit", units[i % units.length]);
        posts.add((i % 2 == 0 ? one : two).postAsync(dossier.encode(), null));
      }
      Future.join(posts).await();
      Set<String> codes = new HashSet<>();
      for (Future<HttpResponse<Buffer>> post : posts) {
        HttpResponse<Buffer> receipt = post.result();
        assertThat(receipt.statusCode()).as(receipt.bodyAsString()).isEqualTo(202);
        assertThat(sequence(receipt)).as(receipt.bodyAsString()).isGreaterThan(50);
        codes.add(receipt.bodyAsJsonObject().getString("code"));
      }
      assertThat(codes).as("no code given twice").hasSize(posts.size());
    }
  }

  /**
   * Retries of one Idempotency-Key that meet an unseeded partition, at once and after the seeding, with one partition
   * (the script's own record decides) and with four (the key's claim in its own slot first): one dossier, one receipt.
   */
  @Test
  void shouldAnswerRetriesOfOneKeyDuringAndAfterASeedingWithOneReceipt() {
    for (String partitions : new String[] {"1", "4"}) {
      try (GatewayFixture gw = new GatewayFixture(Map.of("stream.partitions", partitions))) {
        String body = AdmissionTest.dossierOf(7);
        String key = "seeding-retry-" + partitions;
        List<Future<HttpResponse<Buffer>>> retries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          retries.add(gw.postAsync(body, key));
        }
        Future.join(retries).await();
        HttpResponse<Buffer> after = gw.post(body, key);
        Set<String> receipts = new HashSet<>();
        int replayed = 0;
        for (HttpResponse<Buffer> r : retries.stream().map(Future::result).toList()) {
          assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
          receipts.add(r.bodyAsJsonObject().getString("id") + " " + r.bodyAsJsonObject().getString("code"));
          replayed += "true".equals(r.getHeader("Idempotent-Replayed")) ? 1 : 0;
        }
        assertThat(receipts).as(partitions + " partitions").hasSize(1);
        assertThat(replayed).isEqualTo(3);
        assertThat(after.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(after.bodyAsJsonObject().getString("id") + " " + after.bodyAsJsonObject().getString("code"))
            .isIn(receipts);
        assertThat(gw.redis(Command.XLEN, gw.keys.forUnit(GatewayFixture.birthRegistration()
            .getString("receivingUnit")).stream()).toLong()).as("queued").isEqualTo(1);
      }
    }
  }

  private static double seedings(GatewayFixture gw, String outcome) {
    String prefix = "hub_code_seedings_total{outcome=\"" + outcome + "\"} ";
    return gw.get("/metrics").bodyAsString().lines().filter(line -> line.startsWith(prefix))
        .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length()))).sum();
  }

  private static String insertDossier(String code) {
    return "INSERT INTO dossier (id, code, client_id, procedure_code, receiving_unit, handling_agency, channel,"
        + " applicant_type, payload, received_at, stream_entry_id) VALUES (gen_random_uuid(), '" + code + "', 'test',"
        + " 'p', '" + unit(code) + "', '" + unit(code) + "', 'online', 'citizen', '{}', now(), 'test')";
  }

  private static String unit(String code) {
    return code.substring(0, code.indexOf('-'));
  }

  private static String day(String code) {
    return code.split("-")[1];
  }

  private static long sequence(HttpResponse<Buffer> receipt) {
    String code = receipt.bodyAsJsonObject().getString("code");
    return Long.parseLong(code.substring(code.lastIndexOf('-') + 1));
  }
}
