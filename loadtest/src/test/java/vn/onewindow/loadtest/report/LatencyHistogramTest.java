package vn.onewindow.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void exactPercentiles() {
    LatencyHistogram h = LatencyHistogram.exact();
    for (int i = 1; i <= 1000; i++) {
      h.record(i);
    }
    assertEquals(990, h.percentile(99));
    assertEquals(500, h.percentile(50));
    assertEquals(1000, h.max());
    assertEquals(-1, LatencyHistogram.exact().percentile(99));
  }

  @Test
  void coarsePercentilesAreWithinSixPercent() {
    LatencyHistogram a = LatencyHistogram.coarse();
    LatencyHistogram b = LatencyHistogram.coarse();
    for (int i = 1; i <= 500; i++) {
      a.record(i);
      b.record(i + 500);
    }
    long p99 = LatencyHistogram.percentile(99, a, b);
    assertTrue(p99 >= 990 && p99 <= 990 * 1.06 + 1, "p99 " + p99);
  }
}
