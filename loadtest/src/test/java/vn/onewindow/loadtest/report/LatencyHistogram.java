package vn.onewindow.loadtest.report;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Lock-free latency histogram. {@link #exact()} has 1 ms buckets up to 60 s (the SLO gate); {@link #coarse()} has
 * log buckets of 6 % up to ~100 s, cheap enough to keep one per second of a one-hour soak (the verdict timeline).
 */
public final class LatencyHistogram {
  private static final double GROWTH = 1.06;
  private static final int COARSE_BUCKETS = 200;
  private static final int EXACT_BUCKETS = 60_001;

  private final AtomicLongArray counts;
  private final boolean exact;

  private LatencyHistogram(boolean exact) {
    this.exact = exact;
    this.counts = new AtomicLongArray(exact ? EXACT_BUCKETS : COARSE_BUCKETS);
  }

  public static LatencyHistogram exact() {
    return new LatencyHistogram(true);
  }

  public static LatencyHistogram coarse() {
    return new LatencyHistogram(false);
  }

  public void record(long millis) {
    counts.incrementAndGet(bucket(Math.max(0, millis)));
  }

  private int bucket(long ms) {
    if (exact) {
      return (int) Math.min(ms, EXACT_BUCKETS - 1);
    }
    if (ms <= 1) {
      return (int) ms;
    }
    return (int) Math.min(COARSE_BUCKETS - 1, 1 + Math.ceil(Math.log(ms) / Math.log(GROWTH)));
  }

  private long upperEdge(int bucket) {
    if (exact) {
      return bucket;
    }
    return bucket <= 1 ? bucket : (long) Math.ceil(Math.pow(GROWTH, bucket - 1));
  }

  public long count() {
    long n = 0;
    for (int i = 0; i < counts.length(); i++) {
      n += counts.get(i);
    }
    return n;
  }

  /** The latency at {@code percentile} (0-100), -1 without samples. */
  public long percentile(double percentile) {
    return percentile(percentile, this);
  }

  /** Percentile over several histograms of the same kind (a verdict window). */
  public static long percentile(double percentile, LatencyHistogram... parts) {
    if (parts.length == 0) {
      return -1;
    }
    int n = parts[0].counts.length();
    long[] merged = new long[n];
    long total = 0;
    for (LatencyHistogram h : parts) {
      for (int i = 0; i < n; i++) {
        long c = h.counts.get(i);
        merged[i] += c;
        total += c;
      }
    }
    if (total == 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
    long seen = 0;
    for (int i = 0; i < n; i++) {
      seen += merged[i];
      if (seen >= rank) {
        return parts[0].upperEdge(i);
      }
    }
    return parts[0].upperEdge(n - 1);
  }

  public long max() {
    for (int i = counts.length() - 1; i >= 0; i--) {
      if (counts.get(i) > 0) {
        return upperEdge(i);
      }
    }
    return -1;
  }
}
