package vn.onewindow.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.metrics.Observability;
import vn.onewindow.common.testing.TestServers;

/** A real gateway on a free port, over the test run's own database and key prefix, with a client to call it. */
final class GatewayFixture implements AutoCloseable {
  final HubConfig config;
  final Vertx vertx;
  final PrometheusMeterRegistry registry = Observability.registry();
  final GatewayShared shared;
  final WebClient client;
  final Redis redis;
  final RedisKeys keys;
  final int port;

  GatewayFixture(Map<String, String> overrides) {
    this(TestServers.get().config(overrides));
  }

  /** A gateway on an explicit configuration: several fixtures on one config share its database and Redis keys. */
  GatewayFixture(HubConfig hubConfig) {
    config = hubConfig;
    Migrations.apply(config.postgres());
    vertx = Observability.vertx(registry);
    shared = GatewayShared.start(vertx, config, registry).await();
    GatewayVerticle gateway = new GatewayVerticle(shared);
    vertx.deployVerticle(gateway).await();
    port = gateway.actualPort();
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(64));
    redis = RedisClients.create(vertx, config.redis());
    keys = RedisKeys.of(config.redis(), config.stream());
  }

  static String example(String name) {
    try (InputStream in = GatewayFixture.class.getClassLoader().getResourceAsStream("config/examples/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonObject birthRegistration() {
    return new JsonObject(example("birth-registration.json"));
  }

  HttpResponse<Buffer> post(String body) {
    return post(body, null);
  }

  HttpResponse<Buffer> post(String body, String idempotencyKey) {
    HttpRequest<Buffer> request = client.post("/v1/dossiers").putHeader("Content-Type", "application/json");
    if (idempotencyKey != null) {
      request.putHeader("Idempotency-Key", idempotencyKey);
    }
    return request.sendBuffer(Buffer.buffer(body)).await();
  }

  HttpResponse<Buffer> get(String path) {
    return client.get(path).send().await();
  }

  Response redis(Command command, String... args) {
    Request request = Request.cmd(command);
    for (String arg : args) {
      request.arg(arg);
    }
    return redis.send(request).await();
  }

  long queued() {
    return redis(Command.XLEN, keys.stream()).toLong();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
