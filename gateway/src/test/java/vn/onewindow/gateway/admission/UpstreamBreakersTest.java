package vn.onewindow.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * The postgres_read breaker against a real PostgreSQL: calls that fail on the request's own values (a value PostgreSQL
 * refuses as out of range, a date java.time cannot hold, an answer already decided as the client's) are answered 400
 * and never counted, however many, nor are calls this process's own pool had no room to queue (answered 503
 * overloaded); calls failing because the store cannot be reached still open it.
 */
class UpstreamBreakersTest {
  private static final int MINIMUM_CALLS = 5;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static HubConfig config;
  private static Vertx vertx;
  private static Pool pool;
  private SimpleMeterRegistry registry;
  private UpstreamBreakers breakers;

  @BeforeAll
  static void start() {
    config = TestServers.get().config(Map.of("breaker.minimum-calls", Integer.toString(MINIMUM_CALLS),
        "breaker.window-seconds", "60"));
    vertx = Vertx.vertx();
    pool = PostgresClients.pool(vertx, config.postgres(), "test");
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    vertx.close().await();
  }

  @BeforeEach
  void freshBreakers() {
    registry = new SimpleMeterRegistry();
    breakers = new UpstreamBreakers(config.resilience().breakers(), 1, registry);
  }

  @Test
  void shouldAnswer400AndStayClosedWhenPostgresRefusesTheRequestsValue() {
    for (int i = 0; i < 4 * MINIMUM_CALLS; i++) {
      // a value past its type's range, as a forged cursor's xid past 2^64 - 1 is on PostgreSQL 16+ (the hub's embedded
      // 17 answers 22003 "out of range for type xid8"; the tests' 15 saturates it to the largest xid8 instead)
      Throwable cause = failureOf(() -> pool.preparedQuery("SELECT $1::text::bigint")
          .execute(Tuple.of("9223372036854775808")));

      assertThat(cause).isInstanceOf(DatabaseException.class);
      assertThat(((DatabaseException) cause).getSqlState()).as("a data exception").startsWith("22");
      HttpFailure answer = breakers.failure("feed (postgres)", cause);
      assertThat(answer.status()).isEqualTo(400);
      assertThat(answer.type()).isEqualTo("malformed-request");
    }

    assertClosedWithNoFailures(4 * MINIMUM_CALLS);
    assertThat(call(() -> pool.query("SELECT 1").execute()).succeeded()).isTrue();
  }

  @Test
  void shouldNotCountADateOurOwnCodeCannotComputeWith() {
    for (int i = 0; i < 4 * MINIMUM_CALLS; i++) {
      Throwable cause = failureOf(() -> pool.preparedQuery("SELECT $1::date")
          .execute(Tuple.of(LocalDate.MAX.plusYears(1))));

      assertThat(breakers.failure("statistics (postgres)", cause).status()).as(cause.toString()).isEqualTo(400);
    }

    assertClosedWithNoFailures(4 * MINIMUM_CALLS);
  }

  @Test
  void shouldNotCountAnAnswerAlreadyDecidedAsTheClients() {
    HttpFailure notFound = HttpFailure.notFound("no dossier with this id");
    for (int i = 0; i < 4 * MINIMUM_CALLS; i++) {
      Throwable cause = failureOf(() -> pool.query("SELECT 1").execute().compose(rows -> Future.failedFuture(notFound)));

      assertThat(breakers.failure("status (postgres)", cause)).isSameAs(notFound);
    }

    assertClosedWithNoFailures(4 * MINIMUM_CALLS);
  }

  @Test
  void shouldStillOpenWhenTheStoreCannotBeReached() {
    Pool nowhere = PostgresClients.pool(vertx, PostgresConfig.of("postgresql://127.0.0.1:" + TestServers.freePort()
        + "/nothing"), "test");
    try {
      for (int i = 0; i < MINIMUM_CALLS; i++) {
        Throwable cause = failureOf(() -> nowhere.query("SELECT 1").execute());
        assertThat(breakers.failure("status (postgres)", cause).type()).isEqualTo("upstream-unavailable");
      }

      Throwable refused = failureOf(() -> pool.query("SELECT 1").execute());
      assertThat(refused).isInstanceOf(CallNotPermittedException.class);
      HttpFailure answer = breakers.failure("status (postgres)", refused);
      assertThat(answer.type()).isEqualTo("circuit-open");
      // a look-up queues nothing either way: its client is told of the store, not of a submission it did not make
      assertThat(answer.getMessage()).contains("status (postgres)").doesNotContain("queued");
      assertThat(state("open")).isEqualTo(1.0);
    } finally {
      nowhere.close().await();
    }
  }

  @Test
  void shouldAnswerOverloadedAndNotCountACallItsOwnPoolHadNoRoomToQueue() {
    PostgresConfig oneWaiting = TestServers.get().config(Map.of("postgres.read-pool-size", "1",
        "postgres.read-pool-waiting", "1")).postgres().reads();
    Pool tight = PostgresClients.pool(vertx, oneWaiting, "tight");
    try {
      SqlConnection held = tight.getConnection().await();
      Future<RowSet<Row>> waiting = breakers.call(Upstream.POSTGRES_READ, TIMEOUT, () -> tight.query("SELECT 1")
          .execute());
      for (int i = 0; i < 4 * MINIMUM_CALLS; i++) {
        Throwable cause = failureOf(() -> tight.query("SELECT 1").execute());

        HttpFailure answer = breakers.failure("status (postgres)", cause);
        assertThat(answer.status()).as(cause.toString()).isEqualTo(503);
        assertThat(answer.type()).isEqualTo("overloaded");
        assertThat(answer.retryAfterSeconds()).isPositive();
      }

      assertClosedWithNoFailures(4 * MINIMUM_CALLS);
      assertThat(waiting.isComplete()).as("the call within the queue still waits").isFalse();
      held.close().await();
      assertThat(waiting.await().size()).isEqualTo(1);
    } finally {
      tight.close().await();
    }
  }

  private <T> Future<T> call(Supplier<Future<T>> action) {
    return breakers.call(Upstream.POSTGRES_READ, TIMEOUT, action)
        .transform(ar -> Future.succeededFuture(ar.failed() ? Future.<T>failedFuture(ar.cause())
            : Future.succeededFuture(ar.result())))
        .await();
  }

  private <T> Throwable failureOf(Supplier<Future<T>> action) {
    Future<T> outcome = call(action);
    assertThat(outcome.failed()).as("the call failed").isTrue();
    return outcome.cause();
  }

  private void assertClosedWithNoFailures(int ignored) {
    assertThat(state("closed")).isEqualTo(1.0);
    assertThat(registry.get("resilience4j.circuitbreaker.buffered.calls").tag("name", Upstream.POSTGRES_READ.tag())
        .tag("kind", "failed").gauge().value()).isZero();
    assertThat(registry.get("resilience4j.circuitbreaker.calls").tag("name", Upstream.POSTGRES_READ.tag())
        .tag("kind", "ignored").timer().count()).isEqualTo(ignored);
  }

  private double state(String state) {
    return registry.get("resilience4j.circuitbreaker.state").tag("name", Upstream.POSTGRES_READ.tag())
        .tag("state", state).gauge().value();
  }
}
