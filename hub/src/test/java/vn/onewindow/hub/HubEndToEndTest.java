package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.HubConfig.Role;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TestServers;

/** The whole path, HTTP -> gateway -> Redis stream -> intake -> PostgreSQL, on real servers. */
@Order(1)
class HubEndToEndTest {
  /** A development client of config/clients.json. */
  static final String API_KEY = "dev-portal-web-key";
  private static final String[] EXAMPLES = {
      "birth-registration.json", "driving-licence-renewal.json", "business-registration.json"};

  private final List<Hub> hubs = new ArrayList<>();
  private Vertx clientVertx;
  private HubConfig config;

  @BeforeEach
  void setUp() {
    // limits are not what this test is about: keep them out of the way of its bursts
    config = TestServers.get().config(Map.of(
        "intake.workers", "2", "intake.block-ms", "200", "intake.claim-interval-ms", "500",
        "ratelimit.client-classes", "standard:100000/100000", "ratelimit.applicant-per-minute", "100000",
        "ratelimit.redis-timeout-ms", "2000"));
    clientVertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    hubs.forEach(Hub::close);
    clientVertx.close().await();
  }

  @Test
  void shouldPersistEveryAcceptedDossierExactlyOnce() {
    Hub hub = start(config);
    WebClient client = client(hub);
    int dossiers = 300;
    long started = System.nanoTime();
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    for (int i = 0; i < dossiers; i++) {
      // every tenth dossier is sent twice with the same Idempotency-Key, as a frontend retrying after a timeout
      String key = "e2e-" + i + "-" + UUID.randomUUID();
      String body = withApplicant(example(EXAMPLES[i % EXAMPLES.length]), i);
      inFlight.add(submit(client, body, key));
      if (i % 10 == 0) {
        inFlight.add(submit(client, body, key));
      }
    }
    Future.all(inFlight).await();
    Set<String> accepted = new HashSet<>();
    for (Future<HttpResponse<Buffer>> f : inFlight) {
      assertThat(f.result().statusCode()).isEqualTo(202);
      accepted.add(f.result().bodyAsJsonObject().getString("id"));
    }
    assertThat(accepted).hasSize(dossiers);

    awaitTrue(Duration.ofSeconds(20), () -> count("SELECT count(*) FROM dossier") == dossiers);
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(count("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(dossiers);
    assertThat(count("SELECT count(DISTINCT code) FROM dossier")).isEqualTo(dossiers);
    assertThat(count("SELECT count(*) FROM dossier_status_history WHERE status = 1")).isEqualTo(dossiers);
    assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
    // the id in each 202 is the id PostgreSQL stores (the id the stream entry names, as the intake derives it)
    assertThat(count("SELECT count(*) FROM dossier WHERE id::text IN ('" + String.join("','", accepted) + "')"))
        .isEqualTo(dossiers);
    awaitTrue(Duration.ofSeconds(10), () -> accepted.stream().noneMatch(this::queued));
    System.out.printf("e2e: %d accepted, %d persisted, 0 duplicated, %d ms from first POST to last row%n",
        accepted.size(), count("SELECT count(*) FROM dossier"), elapsedMs);
  }

  @Test
  void shouldServeStatusBeforeAndAfterPersistence() {
    Hub gatewayOnly = start(config.withRole(Role.GATEWAY));
    WebClient client = client(gatewayOnly);
    JsonObject receipt = submit(client, example("birth-registration.json"), null).await().bodyAsJsonObject();
    String statusUrl = receipt.getString("statusUrl");

    JsonObject queued = client.get(statusUrl).putHeader("X-Api-Key", API_KEY).send().await().bodyAsJsonObject();
    assertThat(queued.getBoolean("persisted")).isFalse();
    assertThat(queued.getString("code")).isEqualTo(receipt.getString("code"));
    assertThat(count("SELECT count(*) FROM dossier")).isZero();
    assertThat(queued(receipt.getString("id"))).as("the entry the id names, while queued").isTrue();
    // the code on the receipt says only "received" while queued (the id gives the whole receipt, above), and an
    // agency finds nothing by it yet
    String byCode = "/v1/dossiers?code=" + receipt.getString("code");
    HttpResponse<Buffer> notYet = client.get(byCode).putHeader("X-Api-Key", API_KEY).send().await();
    assertThat(notYet.statusCode()).isEqualTo(200);
    assertThat(notYet.bodyAsJsonObject()).isEqualTo(new JsonObject().put("code", receipt.getString("code"))
        .put("status", queued.getJsonObject("status")).put("persisted", false));
    HttpResponse<Buffer> notYetForAgency = client.get(byCode).putHeader("X-Api-Key", AgencyHub.AGENCY_KEY).send()
        .await();
    assertThat(notYetForAgency.statusCode()).isEqualTo(404);
    assertThat(notYetForAgency.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(notYetForAgency.bodyAsJsonObject().getString("detail")).startsWith("no dossier with this code");

    start(config.withRole(Role.INTAKE));
    awaitTrue(Duration.ofSeconds(10), () -> count("SELECT count(*) FROM dossier") == 1);
    // deleted in the acknowledgement that follows the commit
    awaitTrue(Duration.ofSeconds(10), () -> !queued(receipt.getString("id")));

    HttpResponse<Buffer> persisted = client.get(statusUrl).putHeader("X-Api-Key", API_KEY).send().await();
    assertThat(persisted.statusCode()).isEqualTo(200);
    JsonObject body = persisted.bodyAsJsonObject();
    assertThat(body.getBoolean("persisted")).isTrue();
    assertThat(body.getString("id")).isEqualTo(receipt.getString("id"));
    assertThat(body.getString("code")).isEqualTo(receipt.getString("code"));
    assertThat(body.getString("receivedAt")).isEqualTo(receipt.getString("receivedAt"));
    assertThat(body.getJsonObject("status").getInteger("code")).isEqualTo(1);
    assertThat(body.getJsonArray("history")).hasSize(1);
    assertThat(body.getJsonArray("history").getJsonObject(0).getString("at")).isEqualTo(receipt.getString("receivedAt"));

    // a code is sequential and a frontend's key public: by code, without a citizen token, only the public progress
    // view, to the submitting frontend too (README "Security")
    HttpResponse<Buffer> found = client.get(byCode).putHeader("X-Api-Key", API_KEY).send().await();
    assertThat(found.statusCode()).isEqualTo(200);
    JsonObject progress = new JsonObject();
    for (String member : List.of("code", "procedureCode", "handlingAgency", "status", "receivedAt", "persisted",
        "statusChangedAt", "dueDate", "expectedResultBy")) {
      progress.put(member, body.getValue(member));
    }
    assertThat(found.bodyAsJsonObject()).isEqualTo(progress);
    // typed from the paper receipt at a kiosk or on a phone: the province letter in lower case, a space either side
    String typed = " " + receipt.getString("code").toLowerCase(Locale.ROOT) + " ";
    HttpResponse<Buffer> foundTyped = client.get("/v1/dossiers?code=" + URLEncoder.encode(typed, StandardCharsets.UTF_8))
        .putHeader("X-Api-Key", API_KEY).send().await();
    assertThat(foundTyped.statusCode()).as(foundTyped.bodyAsString()).isEqualTo(200);
    assertThat(foundTyped.bodyAsJsonObject()).isEqualTo(progress);
    // an agency not covering the dossier's handling agency, or no such code, is a 404
    assertThat(client.get(byCode).putHeader("X-Api-Key", AgencyHub.HANOI_KEY).send().await().statusCode())
        .isEqualTo(404);
    assertThat(client.get("/v1/dossiers?code=000.00.53.H48-991231-0001").putHeader("X-Api-Key", API_KEY).send()
        .await().statusCode()).isEqualTo(404);
    assertThat(client.get("/v1/dossiers?code=not-a-code").putHeader("X-Api-Key", API_KEY).send().await()
        .statusCode()).isEqualTo(404);
    // requests the contract itself refuses: the answers are still checked against it
    WebClient outsideContract = ContractCheck.get().answersOnly(WebClient.create(clientVertx, new WebClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(gatewayOnly.httpPort())));
    HttpResponse<Buffer> noCode = outsideContract.get("/v1/dossiers").putHeader("X-Api-Key", API_KEY).send().await();
    assertThat(noCode.statusCode()).isEqualTo(400);
    assertThat(noCode.bodyAsJsonObject().getString("detail")).isEqualTo("give the dossier's code: ?code=<code on the receipt>");
    // spaces only: no code given either, as without one (not the 404 of a code never issued)
    HttpResponse<Buffer> blankCode = outsideContract.get("/v1/dossiers?code=%20%20").putHeader("X-Api-Key", API_KEY).send()
        .await();
    assertThat(blankCode.statusCode()).isEqualTo(400);
    assertThat(blankCode.bodyAsJsonObject().getString("detail")).isEqualTo(noCode.bodyAsJsonObject()
        .getString("detail"));
    assertThat(outsideContract.get(byCode + "&code=" + receipt.getString("code")).putHeader("X-Api-Key", API_KEY)
        .send().await().statusCode()).isEqualTo(400);
  }

  /**
   * An upgrade: an entry that carries its id and the receipt that names it, as an earlier release queued them (the
   * intake is upgraded first and the gateways after it, README), are found while queued and persisted under that id.
   */
  @Test
  void shouldFindWhileQueuedAndPersistAnEntryAndReceiptOfAnEarlierRelease() {
    Hub gatewayOnly = start(config.withRole(Role.GATEWAY));
    WebClient client = client(gatewayOnly);
    JsonObject dossier = new JsonObject(example("birth-registration.json"));
    RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
    PartitionKeys partition = keys.forUnit(dossier.getString("receivingUnit"));
    String id = keys.partitions().newDossierId(partition.index());
    StreamEntry old = new StreamEntry(id, dossier.getString("receivingUnit") + "-261101-0042", "portal-web",
        Instant.now().toString(), null, dossier.encode());
    String entryId = (System.currentTimeMillis() - 1000) + "-0";
    List<String> xadd = new ArrayList<>(List.of("XADD", partition.stream(), entryId));
    old.toFields().forEach((field, value) -> xadd.addAll(List.of(field, value)));
    redis(xadd.toArray(String[]::new));
    redis("SET", partition.receipt(id), entryId, "EX", "3600");

    JsonObject queued = client.get("/v1/dossiers/" + id).putHeader("X-Api-Key", API_KEY).send().await()
        .bodyAsJsonObject();
    start(config.withRole(Role.INTAKE));
    awaitTrue(Duration.ofSeconds(10), () -> count("SELECT count(*) FROM dossier WHERE id = '" + id + "'") == 1);
    awaitTrue(Duration.ofSeconds(10), () -> !queued(id));
    JsonObject persisted = client.get("/v1/dossiers/" + id).putHeader("X-Api-Key", API_KEY).send().await()
        .bodyAsJsonObject();

    assertThat(queued.getBoolean("persisted")).isFalse();
    assertThat(queued.getString("code")).isEqualTo(old.code());
    assertThat(redis("EXISTS", partition.receipt(id))).as("the receipt, deleted with the entry").isEqualTo(":0");
    assertThat(persisted.getBoolean("persisted")).isTrue();
    assertThat(persisted.getString("id")).isEqualTo(id);
    assertThat(persisted.getString("code")).isEqualTo(old.code());
  }

  private String redis(String... command) {
    URI redis = URI.create(config.redis().url());
    return TestServers.redisCommand(redis.getHost(), redis.getPort(), command);
  }

  private boolean queued(String dossierId) {
    return queued(config, dossierId);
  }

  /**
   * Whether Redis still holds the dossier's stream entry, found as a status look-up finds it: the entry its id names,
   * or a queued receipt (an earlier release's entry, or the enqueue script's fallback). Over a plain socket.
   */
  static boolean queued(HubConfig config, String dossierId) {
    URI redis = URI.create(config.redis().url());
    PartitionKeys partition = RedisKeys.of(config.redis(), config.stream()).forDossier(dossierId);
    String named = Partitions.entryIdOf(UUID.fromString(dossierId));
    return TestServers.redisCommand(redis.getHost(), redis.getPort(), "XRANGE", partition.stream(), named, named)
        .equals("*1") || TestServers.redisCommand(redis.getHost(), redis.getPort(), "EXISTS",
        partition.receipt(dossierId)).equals(":1");
  }

  /** Each dossier from a different applicant, as on a real deadline day (one applicant is rate limited). */
  static String withApplicant(String example, int n) {
    JsonObject dossier = new JsonObject(example);
    JsonObject applicant = dossier.getJsonObject("applicant");
    if (applicant.containsKey("citizenId")) {
      applicant.put("citizenId", String.format("0790%08d", n));
    } else {
      applicant.put("taxCode", String.format("03%08d", n));
    }
    return dossier.encode();
  }

  private Hub start(HubConfig hubConfig) {
    Hub hub = Hub.start(hubConfig);
    hubs.add(hub);
    return hub;
  }

  /** Every request and answer of the end-to-end runs is checked against the API contract (config/openapi.yaml). */
  private WebClient client(Hub hub) {
    return ContractCheck.get().validating(WebClient.create(clientVertx, new WebClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(hub.httpPort()), new PoolOptions().setHttp1MaxSize(32)));
  }

  static Future<HttpResponse<Buffer>> submit(WebClient client, String body, String idempotencyKey) {
    var request = client.post("/v1/dossiers").putHeader("Content-Type", "application/json")
        .putHeader("X-Api-Key", API_KEY);
    if (idempotencyKey != null) {
      request.putHeader("Idempotency-Key", idempotencyKey);
    }
    return request.sendBuffer(Buffer.buffer(body));
  }

  private long count(String sql) {
    return TestServers.queryLong(config.postgres().url(), sql);
  }

  static String example(String name) {
    try (InputStream in = HubEndToEndTest.class.getClassLoader().getResourceAsStream("config/examples/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void awaitTrue(Duration timeout, BooleanSupplier condition) {
    Await.until(timeout, "the condition", condition);
  }
}
