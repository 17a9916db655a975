package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * A PostgreSQL that accepts connections and never answers on them (a hung postmaster, a black-holing proxy or
 * pgbouncer, a load balancer in front of a dead server), then answers again on the same address. Its look-ups and
 * readiness answer 503 meanwhile, and recover once it answers: a connection attempt it never answered used to keep
 * its pool slot until the server side closed the socket, and the look-ups kept failing after PostgreSQL was back.
 */
class PostgresSilentServerTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

  @Test
  void shouldAnswer503WhilePostgresNeverAnswersAndRecoverOnceItDoes() throws Exception {
    String direct = TestServers.get().newMigratedDatabase();
    PgConnectOptions target = PgConnectOptions.fromUri(direct);
    try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort())) {
      proxy.up();
      String proxied = direct.replace(target.getHost() + ":" + target.getPort(), "127.0.0.1:" + proxy.port());
      try (GatewayFixture gw = new GatewayFixture(TestServers.get().config(Map.of("postgres.url", proxied,
          "postgres.read-pool-size", "1", "postgres.connect-timeout-ms", String.valueOf(CONNECT_TIMEOUT.toMillis()))))) {
        String lookUp = "/v1/dossiers/" + UUID.randomUUID();
        assertThat(gw.get(lookUp).statusCode()).isEqualTo(404);

        // every open connection reset, and the new ones accepted and never answered
        proxy.down();
        proxy.silenceNewConnections(true);
        proxy.up();

        HttpResponse<Buffer> during = gw.get(lookUp);
        assertThat(during.statusCode()).isEqualTo(503);
        assertThat(during.bodyAsJsonObject().getString("type")).endsWith("upstream-unavailable");
        assertThat(during.getHeader("Retry-After")).isNotNull();
        assertThat(gw.get("/health/ready").statusCode()).isEqualTo(503);

        proxy.silenceNewConnections(false);
        Duration recovered = Await.until(CONNECT_TIMEOUT.multipliedBy(40), "look-ups answered by PostgreSQL again",
            () -> gw.get(lookUp).statusCode() == 404);
        Await.until(CONNECT_TIMEOUT.multipliedBy(40), "readiness again",
            () -> gw.get("/health/ready").statusCode() == 200);
        System.out.println("look-ups answered again " + recovered.toMillis() + " ms after PostgreSQL answered");
      }
    }
  }
}
