package vn.onewindow.gateway.admission;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;
import vn.onewindow.common.metrics.EventLoopProbe;
import vn.onewindow.common.metrics.MeterNames;

/**
 * An event loop watched by {@link EventLoopProbe}, as a gateway's are, for tests that stall it while a call is out
 * (a handler that holds it, as a turn of thousands of requests does) and see what the breakers and limits make of it.
 */
final class ProbedLoop {
  private final Context loop;

  private ProbedLoop(Context loop) {
    this.loop = loop;
  }

  /** A loop of {@code vertx} with its probe started and fired once (it has a record of the loop then). */
  static ProbedLoop start(Vertx vertx, MeterRegistry registry) throws InterruptedException {
    Context loop = vertx.getOrCreateContext();
    loop.runOnContext(v -> EventLoopProbe.start(vertx, registry));
    // the probe counts its firings: an event, waited for
    while (registry.find(MeterNames.EVENT_LOOP_LAG).timer() == null
        || registry.find(MeterNames.EVENT_LOOP_LAG).timer().count() == 0) {
      Thread.sleep(10);
    }
    return new ProbedLoop(loop);
  }

  /** Runs {@code body} on the loop; its outcome, once complete, as a completed future. */
  <T> Future<T> run(Supplier<Future<T>> body) {
    Promise<Future<T>> done = Promise.promise();
    loop.runOnContext(v -> body.get().onComplete(ar -> done.complete(ar.succeeded()
        ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause()))));
    return done.future().await();
  }

  /** Keeps the calling event loop for {@code duration}, as a turn of thousands of requests does. */
  static void hold(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
