package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import java.util.ArrayList;
import java.nio.file.Path;
import io.vertx.core.json.JsonArray;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.PartitionTags;
import vn.onewindow.common.infra.Digests;
import vn.onewindow.common.config.TrustedProxies;
import vn.onewindow.common.testing.TestAgencies;
import vn.onewindow.common.testing.TestRedisCluster;
import vn.onewindow.common.testing.TestRedisCluster.Node;
import vn.onewindow.gateway.security.CallerAddress;

/**
 * The gateway in cluster mode against a real Redis Cluster of 3 masters and 3 replicas (the JVM's shared one), with
 * 16 partitions: every key of a submission in one slot, partitions on every master, codes unique under concurrent
 * load over many units, idempotency and the applicant limit across partitions.
 */
class ClusterGatewayTest {
  static final int PARTITIONS = 16;
  private static TestRedisCluster cluster;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() {
    cluster = TestRedisCluster.shared();
    gw = new GatewayFixture(clusterConfig(cluster, Map.of("ratelimit.applicant-per-minute", "6000",
        "ratelimit.applicant-burst", "1000", "ratelimit.publishable-per-address", "0.01/100",
        "security.trusted-proxies", "127.0.0.1")));
    // what a hub does before its gateway turns ready (HubDeployment.seedMissingCounters): the partitions' counters seeded one
    // after the other, not by the first concurrent submissions all at once (sixteen seedings together went past a
    // request's wait on a loaded box: 503s in a CI run)
    gw.shared.sequences().seedMissing(gw.redis, System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30))
        .await();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Map<String, String> clusterConfig(TestRedisCluster cluster, Map<String, String> more) {
    Map<String, String> values = new HashMap<>(Map.of("redis.mode", "cluster", "redis.url", cluster.seedList(),
        "stream.partitions", Integer.toString(PARTITIONS), "http.instances", "1",
        "dossier.agency-directory", UNITS_DIRECTORY.toString()));
    values.putAll(more);
    return values;
  }

  /**
   * These tests spread dossiers over many receiving units ({@link #unit}), more than the shipped directory lists:
   * a directory of the shipped agencies plus every unit code below 20,000, written once per JVM.
   */
  static final Path UNITS_DIRECTORY = TestAgencies.withUnits(ClusterGatewayTest::unit, 20_000);

  /** A receiving unit code in another partition for each {@code n}: 000.00.<n>.H48 style codes. */
  static String unit(int n) {
    return String.format("000.%02d.%02d.H%02d", n / 100 % 100, n % 100, 10 + n / 10_000 % 90);
  }

  static String dossier(String unit, int applicant) {
    JsonObject d = GatewayFixture.birthRegistration().put("receivingUnit", unit);
    d.getJsonObject("applicant").put("citizenId", String.format("0011%08d", applicant));
    return d.encode();
  }

  /** Entries queued over every partition. */
  static long queued(GatewayFixture gw) {
    long sum = 0;
    for (PartitionKeys p : gw.keys.all()) {
      sum += gw.redis(Command.XLEN, p.stream()).toLong();
    }
    return sum;
  }

  @Test
  void shouldKeepEveryKeyOfASubmissionInOneSlotOnItsMaster() {
    String unit = unit(4711);
    String key = "slot-" + UUID.randomUUID();
    HttpResponse<Buffer> response = gw.post(dossier(unit, 1), key);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
    JsonObject receipt = response.bodyAsJsonObject();

    PartitionKeys p = gw.keys.forUnit(unit);
    // the receipt is not written (the id names the stream entry), but its slot is declared to the script
    List<String> keys = List.of(p.idempotency(GatewayFixture.CLIENT_ID, key),
        p.sequence(unit, receipt.getString("code").substring(14, 20)), p.stream(),
        p.receipt(receipt.getString("id")));
    Set<Integer> slots = keys.stream().map(PartitionTags::slot).collect(Collectors.toSet());
    Node master = cluster.masterOf(keys.get(0));
    // asked without redirects (no -c): the keys really are on that one master
    String exists = cluster.cli(master.port(), "EXISTS", keys.get(0), keys.get(1), keys.get(2)).trim();

    System.out.printf("cluster: one submission's keys %s all in slot %s on master %d (EXISTS = %s)%n", keys, slots,
        master.port(), exists);
    assertThat(slots).hasSize(1);
    assertThat(exists).isEqualTo("3");
    assertThat(gw.keys.partitions().ofDossier(receipt.getString("id"))).isEqualTo(p.index());
    HttpResponse<Buffer> status = gw.get("/v1/dossiers/" + receipt.getString("id"));
    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(status.bodyAsJsonObject().getString("code")).isEqualTo(receipt.getString("code"));
  }

  /**
   * A publishable key's two limits, its caller's address's and its client's, are decided by one script: both keys in
   * the client's slot, on its master (a CROSSSLOT refusal would have left the decision to the local fallback). The
   * caller is one a trusted proxy names: the loopback peer itself has no address to count.
   */
  @Test
  void shouldDecideAPublishableCallersAddressAndClientLimitsInOneSlot() {
    HttpResponse<Buffer> answer = WebClient.create(gw.vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(gw.port)).get("/v1/procedures").putHeader("X-Api-Key", "dev-mobile-app-key")
        .putHeader("X-Forwarded-For", "203.0.113.7").send().await();

    // a read: the client's reads key, in the slot of its writes key, as the address's
    String client = gw.keys.clientReadLimit("mobile-app");
    String address = gw.keys.addressLimit("mobile-app",
        CallerAddress.limitKey(TrustedProxies.address("203.0.113.7")));
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.getHeader("RateLimit-Limit")).as("the address's burst, the nearer to refusing").isEqualTo("100");
    assertThat(PartitionTags.slot(address)).isEqualTo(PartitionTags.slot(client))
        .isEqualTo(PartitionTags.slot(gw.keys.clientLimit("mobile-app")));
    assertThat(cluster.cli(cluster.masterOf(address).port(), "EXISTS", address).trim()).as("decided by Redis")
        .isEqualTo("1");
  }

  @Test
  void shouldSpreadThePartitionsOverEveryMaster() {
    Map<Integer, Integer> streamsByMaster = new TreeMap<>();
    for (PartitionKeys p : gw.keys.all()) {
      Node master = cluster.masterOf(p.stream());
      assertThat(cluster.cli(master.port(), "EXISTS", p.stream()).trim()).as(p.stream()).isEqualTo("1");
      streamsByMaster.merge(master.port(), 1, Integer::sum);
    }
    System.out.printf("cluster: %d partition streams per master %s%n", PARTITIONS, streamsByMaster);
    assertThat(streamsByMaster).hasSize(cluster.masters().size());
    assertThat(streamsByMaster.values()).allSatisfy(n -> assertThat(n).isBetween(PARTITIONS / 3 - 1, PARTITIONS / 3 + 1));
  }

  @Test
  void shouldIssueUniqueCodesPerUnitUnderConcurrentLoadOverManyUnits() {
    int units = 30;
    int perUnit = 20;
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    List<String> sentTo = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < perUnit; i++) {
      for (int u = 0; u < units; u++) {
        String unit = unit(100 + u);
        sentTo.add(unit);
        inFlight.add(gw.postAsync(dossier(unit, 1000 + i * units + u), null));
      }
      if (inFlight.size() % 200 == 0) {
        Future.all(inFlight.subList(inFlight.size() - 200, inFlight.size())).await();
      }
    }
    Future.all(inFlight).await();
    double seconds = (System.nanoTime() - started) / 1e9;

    Map<String, Set<Long>> sequences = new HashMap<>();
    Set<String> codes = new HashSet<>();
    Set<Integer> partitions = new HashSet<>();
    for (int i = 0; i < inFlight.size(); i++) {
      HttpResponse<Buffer> r = inFlight.get(i).result();
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
      String code = r.bodyAsJsonObject().getString("code");
      assertThat(code).startsWith(sentTo.get(i) + "-");
      codes.add(code);
      sequences.computeIfAbsent(sentTo.get(i), k -> new HashSet<>())
          .add(Long.parseLong(code.substring(code.lastIndexOf('-') + 1)));
      partitions.add(gw.keys.partitions().ofUnit(sentTo.get(i)));
    }
    System.out.printf("cluster: %d submissions over %d units (%d partitions) in %.1f s, %d distinct codes%n",
        inFlight.size(), units, partitions.size(), seconds, codes.size());
    assertThat(codes).hasSize(units * perUnit);
    Set<Long> expected = new HashSet<>();
    for (long n = 1; n <= perUnit; n++) {
      expected.add(DossierCode.queueSequence(n));
    }
    assertThat(sequences).hasSize(units).allSatisfy((unit, seqs) -> assertThat(seqs).isEqualTo(expected));
    assertThat(partitions.size()).isGreaterThan(PARTITIONS / 2);
  }

  @Test
  void shouldMakeOneDossierOf50ConcurrentRetriesAndRefuseTheKeyForAnotherUnit() {
    String key = "burst-" + UUID.randomUUID();
    String unitA = unit(7001);
    String unitB = otherPartitionThan(unitA);
    String body = dossier(unitA, 77);
    long before = queued(gw);
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      inFlight.add(gw.postAsync(body, key));
    }
    Future.all(inFlight).await();
    List<HttpResponse<Buffer>> responses = inFlight.stream().map(Future::result).toList();
    HttpResponse<Buffer> otherUnit = gw.post(dossier(unitB, 77), key);

    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(202));
    assertThat(responses.stream().map(r -> r.bodyAsJsonObject().getString("id")).distinct()).hasSize(1);
    assertThat(responses.stream().filter(r -> "false".equals(r.getHeader("Idempotent-Replayed")))).hasSize(1);
    assertProblem(otherUnit, 409, "idempotency-key-reused");
    assertThat(queued(gw)).isEqualTo(before + 1);
  }

  @Test
  void shouldRefuseTheKeyForAnotherUnitWhicheverCameFirstAndRecoverFromAClaimWithoutDossier() throws Exception {
    String key = "crash-" + UUID.randomUUID();
    String unitA = unit(7101);
    String body = dossier(unitA, 78);
    // a gateway that claimed the key and died before the partition script: the claim alone, no dossier
    gw.redis(Command.SET, gw.keys.keyClaim(GatewayFixture.CLIENT_ID, key), Digests.sha256Hex(body), "PX", "60000");
    long before = queued(gw);

    HttpResponse<Buffer> retry = gw.post(body, key);
    HttpResponse<Buffer> otherUnit = gw.post(dossier(otherPartitionThan(unitA), 78), key);
    HttpResponse<Buffer> again = gw.post(body, key);

    assertThat(retry.statusCode()).isEqualTo(202);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("false");
    assertProblem(otherUnit, 409, "idempotency-key-reused");
    assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.bodyAsJsonObject().getString("id")).isEqualTo(retry.bodyAsJsonObject().getString("id"));
    assertThat(queued(gw)).isEqualTo(before + 1);
  }

  @Test
  void shouldCountAnApplicantsDossiersInEveryPartition() {
    try (GatewayFixture limited = new GatewayFixture(clusterConfig(cluster, Map.of(
        "ratelimit.applicant-per-minute", "5", "ratelimit.applicant-burst", "5")))) {
      Set<Integer> partitions = new HashSet<>();
      List<Integer> statuses = new ArrayList<>();
      String replayKey = "applicant-" + UUID.randomUUID();
      String first = dossier(unit(300), 4242);
      statuses.add(limited.post(first, replayKey).statusCode());
      for (int u = 1; u < 8; u++) {
        partitions.add(limited.keys.partitions().ofUnit(unit(300 + u)));
        statuses.add(limited.post(dossier(unit(300 + u), 4242)).statusCode());
      }
      HttpResponse<Buffer> replay = limited.post(first, replayKey);

      System.out.printf("cluster: one applicant over %d partitions: %s, then a replay %d%n", partitions.size(),
          statuses, replay.statusCode());
      assertThat(partitions.size()).isGreaterThan(3);
      assertThat(statuses.stream().filter(s -> s == 202)).hasSize(5);
      assertThat(statuses.stream().filter(s -> s == 429)).hasSize(3);
      assertThat(replay.statusCode()).isEqualTo(202);
      assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
    }
  }

  private static String otherPartitionThan(String unit) {
    int p = gw.keys.partitions().ofUnit(unit);
    for (int n = 8000; ; n++) {
      if (gw.keys.partitions().ofUnit(unit(n)) != p && cluster.masterOf(gw.keys.partition(
          gw.keys.partitions().ofUnit(unit(n))).stream()).port() != cluster.masterOf(gw.keys.partition(p).stream())
          .port()) {
        return unit(n);
      }
    }
  }
}
