package vn.onewindow.common.infra;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.util.concurrent.Callable;

/** A ring is used on its event loop only: tests build and call it there. */
final class OnContext {
  private OnContext() {
  }

  /** Runs {@code task} on the context's event loop and returns its value once it ran. */
  static <T> T on(Context context, Callable<T> task) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        done.complete(task.call());
      } catch (Exception e) {
        done.fail(e);
      }
    });
    return done.future().await();
  }
}
