package vn.onewindow.common.infra;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A call bounded in time, its timer on the caller's event loop. */
public final class Deadlines {
  private Deadlines() {
  }

  /**
   * The call, failed with a {@link TimeoutException} if it has not completed within {@code timeout}. The timer runs on
   * the caller's event loop: {@code Future.timeout} schedules on the future's own context, and a chain that starts
   * from {@code Future.succeededFuture} has none, so Vert.x would hand every call's timer to Netty's global executor
   * thread (measured: about a tenth of the gateway's CPU per dossier, most of it waking that thread).
   */
  public static <T> Future<T> bounded(Future<T> call, String what, Duration timeout) {
    Context context = Vertx.currentContext();
    if (call.isComplete() || context == null) {
      return call.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    Vertx vertx = context.owner();
    Promise<T> result = Promise.promise();
    // a timer needs at least 1 ms (a drain bounded by zero, of a consumer that never started)
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> result.tryFail(
        new TimeoutException(what + " did not answer within " + timeout.toMillis() + " ms")));
    call.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }
}
