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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

  /**
   * A retry of an event already recorded is answered from the event, before the dossier's lock: an agency system
   * retrying on a bad day, many copies at once, waited in line behind the row lock (each copy in turn, each holding
   * it), and behind any transaction holding it, for an answer that the stored event alone gives. Its eventId reused
   * with other content is the same 409 without the wait; a new event still waits for the lock.
   */
  @Test
  void shouldAnswerARetryOfARecordedEventWithoutWaitingForTheDossiersLock() throws Exception {
    AgencyEvents agency = new AgencyEvents(gw);
    String dossier = agency.dossierReceived("now() - interval '1 hour'");
    JsonObject accepted = new JsonObject().put("eventId", "retried-" + dossier).put("status", 2).put("at", minuteAgo());
    HttpResponse<Buffer> recorded = agency.post(dossier, accepted);
    assertThat(recorded.statusCode()).as(recorded.bodyAsString()).isEqualTo(201);
    PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(gw.config.postgres().url()));
    try (Connection holder = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
         Statement lock = holder.createStatement()) {
      holder.setAutoCommit(false);
      lock.execute("SELECT 1 FROM dossier WHERE id = '" + dossier + "' FOR UPDATE");

      HttpResponse<Buffer> retry = agency.post(dossier, accepted);
      HttpResponse<Buffer> reused = agency.post(dossier, accepted.copy().put("note", "another note"));
      HttpResponse<Buffer> next = agency.post(dossier, new JsonObject().put("eventId", "next-" + dossier)
          .put("status", 4).put("at", minuteAgo()));
      holder.rollback();

      assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(200);
      assertThat(retry.getHeader("Event-Replayed")).isEqualTo("true");
      assertThat(retry.bodyAsJsonObject()).isEqualTo(recorded.bodyAsJsonObject());
      assertProblem(reused, 409, "event-id-reused");
      assertProblem(next, 503, "upstream-unavailable");
    }
    assertThat(agency.events(dossier)).isEqualTo(1);
  }

  /**
   * Two copies of a new event, both past the look-up before the lock (neither recorded yet) and waiting for it: the
   * one let through first records the event, and the other, which the dossier's new state would refuse (an
   * acceptance of an accepted dossier), gets its replay (EventStore#locked looks again after a refusal). A gateway
   * of its own with a long budget: the copies wait while this test sees them waiting.
   */
  @Test
  void shouldReplayTheEventToACopyThatWaitedForTheLockWhileItWasRecorded() throws Exception {
    try (GatewayFixture patient = new GatewayFixture(Map.of("security.request-timeout-ms", "19000",
        "timeout.postgres-write-ms", "15000", "breaker.minimum-calls", "1000"))) {
      AgencyEvents agency = new AgencyEvents(patient);
      String dossier = agency.dossierReceived("now() - interval '1 hour'");
      JsonObject accepted = new JsonObject().put("eventId", "copy-" + dossier).put("status", 2).put("at", minuteAgo());
      PostgresClients.Jdbc jdbc = PostgresClients.jdbc(PostgresConfig.of(patient.config.postgres().url()));
      ExecutorService senders = Executors.newFixedThreadPool(2);
      try (Connection holder = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
           Statement lock = holder.createStatement()) {
        holder.setAutoCommit(false);
        lock.execute("SELECT 1 FROM dossier WHERE id = '" + dossier + "' FOR UPDATE");
        List<CompletableFuture<HttpResponse<Buffer>>> copies = List.of(
            CompletableFuture.supplyAsync(() -> agency.post(dossier, accepted), senders),
            CompletableFuture.supplyAsync(() -> agency.post(dossier, accepted), senders));
        Await.until(Duration.ofSeconds(12), "both copies waiting for the dossier's lock", () -> TestServers.queryLong(
            patient.config.postgres().url(), "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                + "AND wait_event_type = 'Lock'") == 2);
        holder.rollback();

        List<HttpResponse<Buffer>> answers = copies.stream().map(CompletableFuture::join)
            .sorted(Comparator.comparingInt(HttpResponse::statusCode)).toList();
        assertThat(answers.get(0).statusCode()).as(answers.get(0).bodyAsString()).isEqualTo(200);
        assertThat(answers.get(0).getHeader("Event-Replayed")).isEqualTo("true");
        assertThat(answers.get(1).statusCode()).as(answers.get(1).bodyAsString()).isEqualTo(201);
        assertThat(answers.get(0).bodyAsJsonObject()).isEqualTo(answers.get(1).bodyAsJsonObject());
      } finally {
        senders.shutdownNow();
      }
      assertThat(agency.events(dossier)).isEqualTo(1);
    }
  }

  private static String minuteAgo() {
    return Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
