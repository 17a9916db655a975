package vn.onewindow.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link EventLoopProbe#stalledSince} tells a call: how long its loop was stalled after the call started, never
 * more than the call waited, and the same with several probes on one loop (verticles outnumbering event loops: a
 * hub's gateway verticles and intake workers share its 2 x cores loops).
 */
class EventLoopProbeTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private Vertx vertx;
  private Context loop;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    loop = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** The stall and the time since the call started, measured on the loop {@code afterMs} after the hold ended. */
  private record Seen(long stalled, long elapsed) {
  }

  private void probes(int count) throws InterruptedException {
    List<SimpleMeterRegistry> registries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      registries.add(registry);
      loop.runOnContext(v -> EventLoopProbe.start(vertx, registry));
    }
    // each has fired once it has counted a firing: an event, waited for
    for (SimpleMeterRegistry registry : registries) {
      while (registry.find(MeterNames.EVENT_LOOP_LAG).timer() == null
          || registry.find(MeterNames.EVENT_LOOP_LAG).timer().count() == 0) {
        Thread.sleep(10);
      }
    }
  }

  /** On the loop: {@code beforeMs} held, the call starts, {@code afterMs} held, then measured {@code waitMs} later. */
  private Seen measure(long beforeMs, long afterMs, long waitMs) {
    Promise<Seen> seen = Promise.promise();
    loop.runOnContext(v -> {
      hold(beforeMs);
      long started = System.nanoTime();
      hold(afterMs);
      vertx.setTimer(waitMs, id -> seen.complete(
          new Seen(EventLoopProbe.stalledSince(started), System.nanoTime() - started)));
    });
    return seen.future().await();
  }

  private static void hold(long ms) {
    if (ms == 0) {
      return;
    }
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aStallThatEndedBeforeTheCallStartedIsNotTheCallsWait() throws InterruptedException {
    probes(1);
    Seen seen = measure(1000, 0, 100);

    assertThat(seen.stalled()).as("stalled %d ms of a %d ms wait", seen.stalled() / MS, seen.elapsed() / MS)
        .isLessThanOrEqualTo(seen.elapsed());
  }

  @Test
  void twoProbesOnOneLoopSeeItsStallOnce() throws InterruptedException {
    probes(2);
    Seen seen = measure(0, 1000, 1);

    assertThat(seen.stalled()).as("stalled %d ms of a %d ms wait", seen.stalled() / MS, seen.elapsed() / MS)
        .isLessThanOrEqualTo(seen.elapsed())
        .isGreaterThanOrEqualTo(700 * MS);
  }

  @Test
  void aStallEarlyInATwoSecondWaitIsStillSeenAtItsEndWithTwoProbes() throws InterruptedException {
    probes(2);
    Seen seen = measure(0, 1000, 1000);

    assertThat(seen.stalled()).as("stalled %d ms of a %d ms wait", seen.stalled() / MS, seen.elapsed() / MS)
        .isGreaterThanOrEqualTo(700 * MS)
        .isLessThanOrEqualTo(seen.elapsed());
  }
}
