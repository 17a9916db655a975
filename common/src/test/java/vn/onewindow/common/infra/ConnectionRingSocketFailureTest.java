package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.common.infra.OnContext.on;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.common.testing.TestRedisCluster;

/**
 * A master SIGKILLed with a command of a ring member in its socket (unread: the node was stopped, so its kernel
 * resets the connection): the command fails, and the socket's failure is the ring's one WARN line, not
 * vertx-redis-client's ERROR "Unhandled Error" with a stack (its default exception handler, one line per member and
 * node in a failover drill). A private cluster: a node is killed.
 */
class ConnectionRingSocketFailureTest {
  @RegisterExtension
  final LogCapture library = LogCapture.of("io.vertx.redis.client.impl.RedisConnectionManager");
  @RegisterExtension
  final LogCapture ring = LogCapture.of(ConnectionRing.class);

  @Test
  void shouldLogAMembersFailedSocketOnceAsAWarning() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestRedisCluster cluster = TestRedisCluster.startFresh()) {
      RedisConfig config = RedisConfig.from(Settings.of(Map.of("redis.mode", "cluster", "redis.url",
          cluster.seedList())));
      Context context = vertx.getOrCreateContext();
      ConnectionRing members = on(context, () -> new ConnectionRing(vertx, RedisClients.create(vertx, config,
          "ring-test"), "ring-test", 1));
      Await.until(Duration.ofSeconds(30), "the ring's member connected", () -> on(context, members::connected));
      String key = "ring-test:{failing}";
      int port = cluster.masterOf(key).port();

      cluster.freeze(port);
      Future<Response> unread = on(context, () -> members.send(Request.cmd(Command.SET).arg(key).arg("v")));
      // the write went out on the event loop in that task: the bytes wait, unread, in the stopped node's socket
      cluster.killNode(port);

      assertThat(unread.transform(ar -> Future.succeededFuture(ar.succeeded() ? "answered"
          : RedisErrors.connectionLost(ar.cause()) ? "connection lost" : ar.cause().toString())).await())
          .isEqualTo("connection lost");
      on(context, () -> null);
      assertThat(library.lines("Unhandled Error")).isEmpty();
      assertThat(ring.lines("a socket to a node failed")).hasSize(1)
          .allSatisfy(line -> assertThat(line).startsWith("redis connection ring-test: a socket to a node failed ("));
      on(context, members::close).await();
    } finally {
      vertx.close().await();
    }
  }
}
