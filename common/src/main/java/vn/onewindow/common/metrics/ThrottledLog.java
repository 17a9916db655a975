package vn.onewindow.common.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per class of event per interval, saying how many were suppressed since the last one: a surge
 * of refusals must show up in the logs without flooding them. Counts live in metrics; this is for humans.
 */
public final class ThrottledLog {
  private final long intervalNanos;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  private static final class Window {
    final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong suppressed = new AtomicLong();
  }

  public ThrottledLog(long intervalMillis, LongSupplier nanoClock) {
    this.intervalNanos = intervalMillis * 1_000_000;
    this.clock = nanoClock;
  }

  public static ThrottledLog everyTenSeconds() {
    return new ThrottledLog(10_000, System::nanoTime);
  }

  /**
   * Returns -1 when this event must not be logged, otherwise the number of events of its class suppressed since
   * the previous line (0 for the first).
   */
  public long tryAcquire(String eventClass) {
    Window window = windows.computeIfAbsent(eventClass, k -> new Window());
    long now = clock.getAsLong();
    long next = window.nextAllowed.get();
    if ((next == Long.MIN_VALUE || now - next >= 0) && window.nextAllowed.compareAndSet(next, now + intervalNanos)) {
      return window.suppressed.getAndSet(0);
    }
    window.suppressed.incrementAndGet();
    return -1;
  }
}
