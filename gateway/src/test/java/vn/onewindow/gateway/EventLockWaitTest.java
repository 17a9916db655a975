package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;

/**
 * An agency system retrying, as told, an event its 503 may not have recorded, while the dossier's row stays locked
 * (a writer stalled mid-transaction, an operator's session): each retry is answered at the request's timeout, and
 * its transaction must end then too, or the retries of that one dossier pile up on the events pool until it serves
 * nobody: every agency's events of every other dossier were 503s until the lock went (QA of the change feed).
 */
class EventLockWaitTest extends OneGatewayPerClass {
  @BeforeAll
  static void start() {
    // two connections and a short request budget: the pile-up in two retries instead of four; the breaker must not
    // decide the outcome (it would refuse everyone for another reason)
    gw = new GatewayFixture(Map.of("postgres.events-pool-size", "2", "timeout.postgres-write-ms", "500",
        "breaker.minimum-calls", "1000"));
  }

  @Test
  void shouldEndARetriedEventsWaitForALockedDossierWithItsRequestSoOtherDossiersStillRecord() throws Exception {
    AgencyEvents agency = new AgencyEvents(gw);
    String locked = agency.dossierReceived("now() - interval '1 hour'");
    String other = agency.dossierReceived("now() - interval '1 hour'");
    JsonObject accepted = new JsonObject().put("eventId", "lock-" + locked).put("status", 2).put("at", minuteAgo());
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(gw.config.postgres().url()));
    try (Connection holder = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
         Statement lock = holder.createStatement()) {
      holder.setAutoCommit(false);
      lock.execute("SELECT 1 FROM dossier WHERE id = '" + locked + "' FOR UPDATE");

      for (int retry = 0; retry < 2; retry++) {
        assertProblem(agency.post(locked, accepted), 503, "upstream-unavailable");
      }
      HttpResponse<Buffer> elsewhere = agency.post(other, new JsonObject().put("eventId", "free-" + other)
          .put("status", 2).put("at", minuteAgo()));

      assertThat(elsewhere.statusCode()).as(elsewhere.bodyAsString()).isEqualTo(201);
      assertThat(agency.status(other)).isEqualTo(2);
      // the retries answered 503 give up their wait (their own bound ends it, a moment after the answer)
      Await.until(Duration.ofSeconds(10), "no event waiting for the dossier's lock", () -> TestServers.queryLong(
          gw.config.postgres().url(), "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
              + "AND wait_event_type = 'Lock'") == 0);
      holder.rollback();
    }
    // none of them is recorded once the lock is gone
    assertThat(agency.events(locked)).isZero();
    HttpResponse<Buffer> retried = agency.post(locked, accepted);
    assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(201);
    assertThat(retried.getHeader("Event-Replayed")).isEqualTo("false");
    assertThat(agency.events(locked)).isEqualTo(1);
    assertThat(TestServers.queryLong(gw.config.postgres().url(), "SELECT count(*) FROM dossier_status_history "
        + "WHERE dossier_id = '" + locked + "'")).isEqualTo(2);
  }

  private static String minuteAgo() {
    return Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
