package vn.onewindow.common.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for an event instead of sleeping for a guessed time: polls a condition until it holds or a deadline, which
 * callers derive from the configuration under test (a poll interval, a breaker's open state, a drain timeout), passes.
 * Returns how long the event took, for the test to print.
 */
public final class Await {
  private static final long POLL_MILLIS = 20;

  private Await() {
  }

  /** The time until {@code condition} held; fails naming {@code what} and the deadline if it did not in time. */
  public static Duration until(Duration timeout, String what, BooleanSupplier condition) {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** Milliseconds since {@code startedNanos} (a {@link System#nanoTime()} reading). */
  public static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }
}
