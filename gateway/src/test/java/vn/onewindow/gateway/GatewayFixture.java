package vn.onewindow.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.metrics.Observability;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TestServers;

/** A real gateway on a free port, over the test run's own database and key prefix, with a client to call it. */
public final class GatewayFixture implements AutoCloseable {
  /** Every call of {@link #client} authenticates as this development client (config/clients.json). */
  public static final String API_KEY = "dev-portal-web-key";
  public static final String CLIENT_ID = "portal-web";

  public final HubConfig config;
  public final Vertx vertx;
  public final PrometheusMeterRegistry registry = Observability.registry();
  public final GatewayShared shared;
  /** Checks every request and answer against config/openapi.yaml ({@link ContractCheck}). */
  public final WebClient client;
  /** Same key, but for deliberately malformed requests: only the answers are checked against the contract. */
  public final WebClient rawClient;
  public final Redis redis;
  public final RedisKeys keys;
  public final int port;

  public GatewayFixture(Map<String, String> overrides) {
    this(TestServers.get().migratedConfig(overrides));
  }

  /** A gateway on an explicit configuration: several fixtures on one config share its database and Redis keys. */
  public GatewayFixture(HubConfig hubConfig) {
    config = hubConfig;
    Migrations.apply(config.postgres());
    vertx = Observability.vertx(registry, config.security());
    shared = GatewayShared.start(vertx, config, registry).await();
    GatewayVerticle gateway = new GatewayVerticle(shared);
    vertx.deployVerticle(gateway).await();
    port = gateway.actualPort();
    client = ContractCheck.get().validating(session());
    rawClient = ContractCheck.get().answersOnly(session());
    redis = RedisClients.create(vertx, config.redis(), "test");
    keys = RedisKeys.of(config.redis(), config.stream());
  }

  private WebClientSession session() {
    return WebClientSession.create(WebClient.create(vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port), new PoolOptions().setHttp1MaxSize(64)))
        .addHeader("X-Api-Key", API_KEY);
  }

  public static String example(String name) {
    try (InputStream in = GatewayFixture.class.getClassLoader().getResourceAsStream("config/examples/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonObject birthRegistration() {
    return new JsonObject(example("birth-registration.json"));
  }

  public HttpResponse<Buffer> post(String body) {
    return post(body, null);
  }

  public HttpResponse<Buffer> post(String body, String idempotencyKey) {
    return post(client, body, idempotencyKey).await();
  }

  /**
   * {@code body} under {@code idempotencyKey}, again until it is a 202: one dossier however many tries. For a test's
   * set-up on a fresh gateway, not for what it asserts: the first submission to a partition (a connection to Redis and
   * to PostgreSQL, the script, the counters' seeding) can outlast a short timeout.redis-enqueue-ms on a loaded box, a
   * 503 whose seeding goes on and which a retry joins (ClusterFailoverTest in CI; GatewayRedisLivenessTest beside two
   * busy loops).
   */
  public HttpResponse<Buffer> postUntilAccepted(String body, String idempotencyKey) {
    AtomicReference<HttpResponse<Buffer>> answer = new AtomicReference<>();
    Await.until(Duration.ofSeconds(20), "a 202 for the submission under key " + idempotencyKey, () -> {
      answer.set(post(body, idempotencyKey));
      return answer.get().statusCode() == 202;
    });
    return answer.get();
  }

  /** POST /v1/dossiers without waiting for the answer; {@code idempotencyKey} may be null. */
  public Future<HttpResponse<Buffer>> postAsync(String body, String idempotencyKey) {
    return post(client, body, idempotencyKey);
  }

  /** A submission that breaks the contract on purpose (invalid dossier, bad JSON...): only the answer is checked. */
  public HttpResponse<Buffer> postRaw(String body) {
    return postRaw(body, null);
  }

  public HttpResponse<Buffer> postRaw(String body, String idempotencyKey) {
    return post(rawClient, body, idempotencyKey).await();
  }

  private static Future<HttpResponse<Buffer>> post(WebClient via, String body, String idempotencyKey) {
    HttpRequest<Buffer> request = via.post("/v1/dossiers").putHeader("Content-Type", "application/json");
    if (idempotencyKey != null) {
      request.putHeader("Idempotency-Key", idempotencyKey);
    }
    return request.sendBuffer(Buffer.buffer(body));
  }

  public HttpResponse<Buffer> get(String path) {
    return client.get(path).send().await();
  }

  /** A GET that breaks the contract on purpose (an id that is not a UUID...): only the answer is checked. */
  public HttpResponse<Buffer> getRaw(String path) {
    return rawClient.get(path).send().await();
  }

  public Response redis(Command command, String... args) {
    Request request = Request.cmd(command);
    for (String arg : args) {
      request.arg(arg);
    }
    return redis.send(request).await();
  }

  public long queued() {
    return redis(Command.XLEN, keys.stream()).toLong();
  }

  /**
   * A birth registration of this fixture's client, recorded in PostgreSQL through {@code database} as the intake
   * writes it, under a random code of {@code unitDay} ({@code <unit>-YYMMDD}); its code.
   */
  public String recordDossier(Pool database, String id, String unitDay) {
    String code = unitDay + "-" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    database.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(DossierTable.NewDossier.of(id,
        code, CLIENT_ID, Instant.now().toString(), null, birthRegistration().encode(), "1-0", null)))).await();
    return code;
  }

  /** Calls of the postgres_read breaker of {@code kind} (successful, failed, slow_...). */
  public long readBreakerCalls(String kind) {
    return registry.get("resilience4j.circuitbreaker.calls").tag("name", Upstream.POSTGRES_READ.tag())
        .tag("kind", kind).timer().count();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
