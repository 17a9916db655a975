import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/**
 * The floor under the gateway's CPU per dossier on this box, for ops/bench/capacity.sh: the same Vert.x 5, Netty
 * (native epoll), Jackson and vertx-redis-client as the hub jar (run as a single-file program on its classpath:
 * {@code java -cp hub.jar ops/bench/StackFloor.java MODE PORT [REDIS_PORT]}), one server verticle per core as the
 * gateway deploys, and none of the hub's work. Each mode adds one step of what every accepted dossier needs:
 * <ul>
 *   <li>{@code http}: read the whole body, answer 202 with a Location header (the HTTP stack alone);
 *   <li>{@code parse}: and parse the body into a Jackson tree (what schema validation starts from);
 *   <li>{@code enqueue}: and XADD the body to a Redis stream (trimmed to about 10,000 entries) on one pipelined
 *       connection per event loop, answering once Redis has (the durable enqueue's bare minimum; redis-server's CPU
 *       per XADD is its floor too).
 * </ul>
 * Whatever the gateway costs above {@code enqueue} is its own work: authentication, limits, the payload guard,
 * schema and catalogue validation, idempotency, the dossier code, the receipt, metrics.
 */
public final class StackFloor extends AbstractVerticle {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The hub's stream stays short too: its workers delete every batch they persisted. */
  private static final int STREAM_LENGTH = 10_000;
  private final String mode;
  private final int port;
  private final int redisPort;
  private RedisConnection redis;
  private long sequence;

  StackFloor(String mode, int port, int redisPort) {
    this.mode = mode;
    this.port = port;
    this.redisPort = redisPort;
  }

  public static void main(String[] args) {
    String mode = args[0];
    if (!mode.equals("http") && !mode.equals("parse") && !mode.equals("enqueue")) {
      throw new IllegalArgumentException("mode is http, parse or enqueue, not " + mode);
    }
    int port = Integer.parseInt(args[1]);
    int redisPort = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    int instances = Runtime.getRuntime().availableProcessors();
    vertx.deployVerticle(() -> new StackFloor(mode, port, redisPort), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("stack floor (" + mode + ") listening on " + port + ", " + instances
            + " event loops, native transport " + vertx.isNativeTransportEnabled()))
        .onFailure(err -> {
          err.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public void start(Promise<Void> started) {
    (mode.equals("enqueue")
        ? Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:" + redisPort)
            .setMaxWaitingHandlers(4096)).connect().map(connection -> redis = connection).mapEmpty()
        : io.vertx.core.Future.<Void>succeededFuture())
        .compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
            .setCompressionSupported(false)).requestHandler(this::handle).listen())
        .<Void>mapEmpty()
        .onComplete(started);
  }

  private void handle(HttpServerRequest request) {
    request.body().onComplete(ar -> {
      if (ar.failed()) {
        request.response().setStatusCode(400).end();
        return;
      }
      Buffer body = ar.result();
      if (!mode.equals("http")) {
        try {
          JsonNode tree = JSON.readTree(body.getBytes());
          if (!tree.isObject()) {
            request.response().setStatusCode(422).end();
            return;
          }
        } catch (java.io.IOException e) {
          request.response().setStatusCode(400).end();
          return;
        }
      }
      String location = "/v1/dossiers/floor-" + (++sequence);
      if (!mode.equals("enqueue")) {
        request.response().setStatusCode(202).putHeader("Location", location).end();
        return;
      }
      // trimmed as the hub's workers delete what they persisted: a stream that only grew would make Redis rewrite
      // its AOF (forked children, CPU outside redis-server's own figure) and finally refuse writes at maxmemory
      redis.send(Request.cmd(Command.XADD).arg("bench:floor").arg("MAXLEN").arg("~").arg(STREAM_LENGTH).arg("*")
              .arg("payload").arg(body))
          .onComplete(sent -> request.response().setStatusCode(sent.succeeded() ? 202 : 503)
              .putHeader("Location", location).end());
    });
  }
}
