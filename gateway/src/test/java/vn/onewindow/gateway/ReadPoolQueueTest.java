package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.testing.Await;

/**
 * Status look-ups beyond what the read pool can serve soon (README "Reads never slow intake"): with its connections
 * busy and {@code postgres.read-pool-waiting} look-ups already waiting, one more is answered at once 503 overloaded
 * with Retry-After, and the postgres_read breaker does not count it, PostgreSQL being healthy. A results-day polling
 * tryout (1,000-3,000 connections of look-ups) saw 118-784 look-ups queue for a connection of 4 until
 * timeout.postgres-read-ms, each then a 503 the breaker counted as the store's failure, until it opened.
 */
class ReadPoolQueueTest {
  private static final int WAITING = 2;
  private static final int BEYOND = 6;

  @Test
  void shouldShedLookUpsBeyondTheReadPoolsQueueAndServeTheOnesWithinIt() {
    // a long read timeout: the look-ups within the bound wait for the held connection, not for their deadline
    try (GatewayFixture gw = new GatewayFixture(Map.of("postgres.read-pool-size", "1",
        "postgres.read-pool-waiting", Integer.toString(WAITING), "timeout.postgres-read-ms", "8000"))) {
      Pool database = PostgresClients.pool(gw.vertx, gw.config.postgres(), "test");
      // the gateway's own read pool (pools are shared by name), to hold its one connection as a long query would
      Pool reads = PostgresClients.pool(gw.vertx, gw.config.postgres().reads(), "reads");
      try {
        String id = gw.keys.partitions().newDossierId(0);
        String code = gw.recordDossier(database, id, "000.00.53.H48-261207");
        long failedBefore = gw.readBreakerCalls("failed");
        SqlConnection held = reads.getConnection().await();

        Queue<HttpResponse<Buffer>> answered = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < WAITING + BEYOND; i++) {
          String path = i % 2 == 0 ? "/v1/dossiers/" + id : "/v1/dossiers?code=" + code;
          gw.client.get(path).send().onSuccess(answered::add);
        }
        Await.until(Duration.ofSeconds(30), BEYOND + " answers while the read connection is held",
            () -> answered.size() >= BEYOND);

        assertThat(answered).as("answered while every read connection was held (postgres_read failures +%d): %s",
            gw.readBreakerCalls("failed") - failedBefore, describe(answered)).hasSize(BEYOND);
        for (HttpResponse<Buffer> shed : answered) {
          assertThat(shed.statusCode()).as(shed.bodyAsString()).isEqualTo(503);
          assertThat(shed.bodyAsJsonObject().getString("type")).endsWith("/problems/overloaded");
          assertThat(shed.getHeader("Retry-After")).isNotNull();
        }
        assertThat(gw.readBreakerCalls("failed")).as("postgres_read failures while shedding").isEqualTo(failedBefore);

        held.close().await();
        Await.until(Duration.ofSeconds(30), "the look-ups that waited", () -> answered.size() == WAITING + BEYOND);

        assertThat(answered.stream().skip(BEYOND)).as("the look-ups that waited for the connection")
            .allSatisfy(served -> assertThat(served.statusCode()).as(served.bodyAsString()).isEqualTo(200))
            .allSatisfy(served -> assertThat(served.bodyAsJsonObject().getString("code")).isEqualTo(code));
        assertThat(gw.readBreakerCalls("failed")).as("postgres_read failures").isEqualTo(failedBefore);
        assertThat(gw.registry.get("resilience4j.circuitbreaker.state").tag("name", Upstream.POSTGRES_READ.tag())
            .tag("state", "closed").gauge().value()).isEqualTo(1.0);
      } finally {
        reads.close().await();
        database.close().await();
      }
    }
  }

  private static List<String> describe(Queue<HttpResponse<Buffer>> answers) {
    return answers.stream().map(a -> a.statusCode() + " " + a.bodyAsString()).toList();
  }
}
