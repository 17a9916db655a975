package vn.onewindow.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.ResilienceConfig;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * A breaker judges the store, not this process's own event loop. Under a flood a turn of a gateway's loop took seconds
 * (ops/bench/overload.sh), every call whose reply waited for it looked slow or timed out, and the breakers opened on
 * healthy stores. Here the test stalls the loop itself (a handler that holds it, as a turn of thousands of requests
 * does) while a call is out: its reply, however quick, is not a slow call, and its timeout is not the store's failure
 * but this gateway's overload (a 503 to retry shortly). A store that is slow, or silent, on a loop that is not stalled
 * still counts, as before.
 */
class LoopStallBreakersTest {
  private static final Duration SLOW_CALL = Duration.ofMillis(1000);
  private static final ResilienceConfig.Breakers BREAKERS = TestServers.get().config(Map.of(
      "breaker.minimum-calls", "100", "breaker.window-seconds", "60",
      "breaker.slow-call-ms", Long.toString(SLOW_CALL.toMillis()))).resilience().breakers();

  private Vertx vertx;
  private ProbedLoop loop;
  private SimpleMeterRegistry registry;
  private UpstreamBreakers breakers;

  @BeforeEach
  void startLoopWithItsProbe() throws InterruptedException {
    vertx = Vertx.vertx();
    registry = new SimpleMeterRegistry();
    breakers = new UpstreamBreakers(BREAKERS, 1, registry);
    loop = ProbedLoop.start(vertx, registry);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void aQuickReplyThatWaitedForThisStalledLoopIsNoSlowCall() {
    Future<String> outcome = loop.run(() -> {
      Promise<String> store = Promise.promise();
      Future<String> call = breakers.call(Upstream.POSTGRES_READ, Duration.ofSeconds(10), store::future);
      vertx.setTimer(20, id -> store.complete("row"));   // the store answers in 20 ms
      ProbedLoop.hold(SLOW_CALL.plusMillis(500));            // this loop handles the answer 1.5 s later
      return call;
    });

    assertThat(outcome.result()).isEqualTo("row");
    assertThat(calls("successful")).isEqualTo(1);
    assertThat(slowCalls()).as("the store's part of the wait was not slow").isZero();
  }

  @Test
  void aSlowStoreOnALoopThatIsNotStalledIsStillSlow() {
    Future<String> outcome = loop.run(() -> {
      Promise<String> store = Promise.promise();
      Future<String> call = breakers.call(Upstream.POSTGRES_READ, Duration.ofSeconds(10), store::future);
      vertx.setTimer(SLOW_CALL.toMillis() + 500, id -> store.complete("row"));   // a margin for a busy box
      return call;
    });

    assertThat(outcome.result()).isEqualTo("row");
    assertThat(slowCalls()).isEqualTo(1);
  }

  @Test
  void aTimeoutMostlySpentStalledIsThisGatewaysOverloadNotTheStoresFailure() {
    Future<String> outcome = loop.run(() -> {
      Future<String> call = breakers.call(Upstream.POSTGRES_READ, Duration.ofMillis(200),
          () -> Promise.<String>promise().future());
      ProbedLoop.hold(Duration.ofMillis(1000));
      return call;
    });

    assertThat(outcome.cause()).isInstanceOf(UpstreamBreakers.LoopStalled.class)
        .hasCauseInstanceOf(TimeoutException.class);
    assertThat(bufferedFailures()).as("not counted against the store").isZero();
    HttpFailure answer = breakers.failure("status (postgres)", outcome.cause());
    assertThat(answer.type()).isEqualTo("overloaded");
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.retryAfterSeconds()).isEqualTo(1);
    assertThat(answer.getMessage()).contains("too busy");
  }

  @Test
  void aTimeoutOfASilentStoreOnALoopThatIsNotStalledIsStillAFailure() {
    Future<String> outcome = loop.run(() -> breakers.call(Upstream.POSTGRES_READ, Duration.ofMillis(200),
        () -> Promise.<String>promise().future()));

    assertThat(outcome.cause()).isInstanceOf(TimeoutException.class);
    assertThat(bufferedFailures()).isEqualTo(1);
    assertThat(breakers.failure("status (postgres)", outcome.cause()).type()).isEqualTo("upstream-unavailable");
  }

  @Test
  void aStallThatEndedBeforeTheCallStartedDoesNotExcuseASilentStore() {
    // the call starts at the end of a long turn (the request was the last one that turn read), and the loop is free
    // from then on: the store's silence is the whole wait, and must count against it
    Future<String> outcome = loop.run(() -> {
      ProbedLoop.hold(Duration.ofMillis(1500));
      return breakers.call(Upstream.POSTGRES_READ, Duration.ofMillis(400), () -> Promise.<String>promise().future());
    });

    assertThat(outcome.cause()).as("the loop was free during the call").isInstanceOf(TimeoutException.class)
        .isNotInstanceOf(UpstreamBreakers.LoopStalled.class);
    assertThat(bufferedFailures()).isEqualTo(1);
  }

  @Test
  void aSlowStoreIsStillSlowWhenItsCallStartedAtTheEndOfALongTurn() {
    Future<String> outcome = loop.run(() -> {
      ProbedLoop.hold(Duration.ofMillis(1500));
      Promise<String> store = Promise.promise();
      Future<String> call = breakers.call(Upstream.POSTGRES_READ, Duration.ofSeconds(10), store::future);
      vertx.setTimer(SLOW_CALL.toMillis() + 300, id -> store.complete("row"));
      return call;
    });

    assertThat(outcome.result()).isEqualTo("row");
    assertThat(slowCalls()).as("1.3 s of the store's own, on a free loop").isEqualTo(1);
  }

  private double calls(String kind) {
    return registry.get("resilience4j.circuitbreaker.calls").tag("name", Upstream.POSTGRES_READ.tag())
        .tag("kind", kind).timer().count();
  }

  private double slowCalls() {
    return registry.get("resilience4j.circuitbreaker.slow.calls").tag("name", Upstream.POSTGRES_READ.tag())
        .gauges().stream().mapToDouble(g -> g.value()).sum();
  }

  private double bufferedFailures() {
    return registry.get("resilience4j.circuitbreaker.buffered.calls").tag("name", Upstream.POSTGRES_READ.tag())
        .tag("kind", "failed").gauge().value();
  }
}
