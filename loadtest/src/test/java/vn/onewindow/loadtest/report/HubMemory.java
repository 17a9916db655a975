package vn.onewindow.loadtest.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import vn.onewindow.loadtest.config.LoadConfig;
import vn.onewindow.loadtest.report.Gates.Gate;
import vn.onewindow.loadtest.report.RunLedger.Second;

/**
 * The hub's memory during a run, from the JVM meters its {@code /metrics} already has (Micrometer's
 * {@code JvmMemoryMetrics} and {@code JvmGcMetrics}, bound in {@code Observability}), sampled by the
 * {@link BacklogWatcher} with the backlog, and the soak's gates on it.
 *
 * <p><b>Heap floor.</b> {@code jvm_memory_used_bytes{area="heap"}} is a saw-tooth: it climbs with every allocation and
 * drops at each collection to what survived it. Its lowest sample over a stretch of the run is therefore that
 * stretch's post-GC heap (plus at most what was allocated in the second between the collection and the next sample):
 * the live set, with the old garbage no concurrent cycle has reclaimed yet. A leak shows as that floor climbing. The
 * verdict gives the floor of each quarter of the load and the gate compares the last quarter's with the first's; a
 * quarter in which no collection happened has no floor (its lowest sample is wherever the heap happened to be), and
 * then the gate says "not measured" and fails.
 *
 * <p><b>GC pauses.</b> {@code jvm_gc_pause_seconds_max} is a decaying maximum: when the run starts it still shows the
 * hub's start-up collections. A pause counts only when its series' count grew since the previous sample, and is taken
 * as the smaller of the growth of its sum and the series' max: exactly the pause when one ended in that interval, at
 * most their total otherwise.
 *
 * <p><b>RSS</b> is no meter of the hub's; it is read from {@code /proc} for a hub this run started, and reported only
 * (the committed heap and non-heap, from the meters, stand for it with a remote hub).
 */
public final class HubMemory {
  static final String HEAP_USED = "jvm_memory_used_bytes{area=\"heap\"}";
  static final String HEAP_COMMITTED = "jvm_memory_committed_bytes{area=\"heap\"}";
  static final String NON_HEAP_COMMITTED = "jvm_memory_committed_bytes{area=\"nonheap\"}";
  private static final String PAUSE_COUNT = MetricsText.GC_PAUSE + "_count";
  private static final double MB = 1024 * 1024;

  private final Map<String, Double> previousCount = new HashMap<>();
  private final Map<String, Double> previousSum = new HashMap<>();
  private boolean gcBaseline;
  private int samples;
  private int read;
  private String problem;

  /** The figures of a run, from the ledger's timeline; -1 (or NaN for a floor) where not measured. */
  public record Summary(int loadFrom, int loadTo, int samples, int read, double[] quarterFloors, long[] quarterPauses,
                        double minuteFloorLow, double minuteFloorHigh, long pauses, double longestPauseMillis,
                        int longestPauseSecond, double endHeapUsed, double endHeapCommitted,
                        double endNonHeapCommitted, double rssAtLoadStart, double rssEnd, double rssPeak) {

    boolean heapMeasured() {
      return !Double.isNaN(quarterFloors[0]);
    }

    boolean pausesMeasured() {
      return longestPauseMillis >= 0;
    }

    int quarterSeconds() {
      return (loadTo - loadFrom + 1) / 4;
    }

    /** Null when both the first and the last quarter have a floor (a collection and a sample), else why not. */
    String floorNotMeasured() {
      for (int q : new int[] {0, 3}) {
        if (Double.isNaN(quarterFloors[q]) || quarterPauses[q] <= 0) {
          return String.format(Locale.ROOT, "no %s in the %s quarter of the load (%d s)",
              Double.isNaN(quarterFloors[q]) ? "heap sample" : quarterPauses[q] < 0 ? "GC meter" : "collection",
              q == 0 ? "first" : "last", quarterSeconds());
        }
      }
      return null;
    }

    double growth() {
      return quarterFloors[3] - quarterFloors[0];
    }
  }

  /** One read of /metrics at {@code now}; {@code rss} in bytes, or -1 when unknown. */
  public synchronized void sample(RunLedger ledger, long now, Map<String, Double> metrics, double rss) {
    samples++;
    Second s = ledger.second(now);
    if (rss >= 0) {
      s.rss = rss;
    }
    Double heap = metrics.get(HEAP_USED);
    if (heap == null) {
      problem = "/metrics has no " + HEAP_USED;
    } else {
      read++;
      s.heapUsed = s.heapUsed < 0 ? heap : Math.min(s.heapUsed, heap);
      s.heapCommitted = metrics.getOrDefault(HEAP_COMMITTED, -1.0);
      s.nonHeapCommitted = metrics.getOrDefault(NON_HEAP_COMMITTED, -1.0);
    }
    long pauses = 0;
    double longest = 0;
    boolean seen = false;
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      if (!e.getKey().startsWith(PAUSE_COUNT + "{")) {
        continue;
      }
      seen = true;
      String labels = e.getKey().substring(PAUSE_COUNT.length());
      double count = e.getValue();
      double sum = metrics.getOrDefault(MetricsText.GC_PAUSE + "_sum" + labels, 0.0);
      Double max = metrics.get(MetricsText.GC_PAUSE + "_max" + labels);
      // a series first seen after the baseline (the first Full GC's, say) ended its pauses since the previous sample
      double before = previousCount.getOrDefault(labels, gcBaseline ? 0.0 : count);
      double sumBefore = previousSum.getOrDefault(labels, gcBaseline ? 0.0 : sum);
      previousCount.put(labels, count);
      previousSum.put(labels, sum);
      if (count > before) {
        pauses += Math.round(count - before);
        double pause = sum - sumBefore;
        if (max != null) {
          pause = Math.min(pause, max);
        }
        longest = Math.max(longest, pause * 1000);
      }
    }
    if (seen) {
      gcBaseline = true;
      s.gcPauses = Math.max(0, s.gcPauses) + pauses;
      s.gcPauseMillis = Math.max(s.gcPauseMillis, longest);
    } else if (heap != null) {
      problem = "/metrics has no " + PAUSE_COUNT;
    }
  }

  /** A sample with no /metrics: {@code why} is said in the verdict. */
  public synchronized void unreachable(String why) {
    samples++;
    problem = why;
  }

  public synchronized Summary summary(RunLedger ledger) {
    TreeMap<Integer, Second> timeline = ledger.timeline();
    int from = -1;
    int to = -1;
    for (Map.Entry<Integer, Second> e : timeline.entrySet()) {
      if (e.getValue().citizenSent.sum() > 0) {
        from = from < 0 ? e.getKey() : from;
        to = e.getKey();
      }
    }
    double[] floors = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    long[] quarterPauses = {-1, -1, -1, -1};
    Map<Integer, Double> minuteFloors = new TreeMap<>();
    Map<Integer, Long> minutePauses = new HashMap<>();
    long pauses = 0;
    double longest = -1;
    int longestAt = -1;
    Second last = null;
    double rssStart = -1;
    double rssEnd = -1;
    double rssPeak = -1;
    int length = to - from + 1;
    for (Map.Entry<Integer, Second> e : timeline.entrySet()) {
      int t = e.getKey();
      Second s = e.getValue();
      if (s.gcPauses >= 0) {
        pauses += s.gcPauses;
        if (s.gcPauseMillis > longest) {
          longest = s.gcPauseMillis;
          longestAt = t;
        }
      }
      if (s.heapUsed >= 0) {
        last = s;
      }
      if (s.rss >= 0) {
        rssEnd = s.rss;
        rssPeak = Math.max(rssPeak, s.rss);
        if (rssStart < 0 && from >= 0 && t >= from) {
          rssStart = s.rss;
        }
      }
      if (from < 0 || t < from || t > to) {
        continue;
      }
      int q = Math.min(3, (int) ((t - from) * 4L / length));
      if (s.heapUsed >= 0) {
        floors[q] = Double.isNaN(floors[q]) ? s.heapUsed : Math.min(floors[q], s.heapUsed);
        minuteFloors.merge((t - from) / 60, s.heapUsed, Math::min);
      }
      if (s.gcPauses >= 0) {
        quarterPauses[q] = Math.max(0, quarterPauses[q]) + s.gcPauses;
        minutePauses.merge((t - from) / 60, s.gcPauses, Long::sum);
      }
    }
    // a minute without a collection has no floor: its lowest sample is wherever the heap happened to be
    minuteFloors.keySet().removeIf(minute -> minutePauses.getOrDefault(minute, 0L) == 0);
    double low = minuteFloors.values().stream().mapToDouble(d -> d).min().orElse(-1);
    double high = minuteFloors.values().stream().mapToDouble(d -> d).max().orElse(-1);
    return new Summary(from, to, samples, read, floors, quarterPauses, low, high, longest < 0 ? -1 : pauses, longest,
        longestAt, last == null ? -1 : last.heapUsed, last == null ? -1 : last.heapCommitted,
        last == null ? -1 : last.nonHeapCommitted, rssStart, rssEnd, rssPeak);
  }

  /** The gate {@code name} ({@link Gates#HEAP_FLOOR} or {@link Gates#GC_PAUSE}); "not measured" fails it. */
  public Gate gate(String name, LoadConfig c, RunLedger ledger) {
    Summary m = summary(ledger);
    String off = "; -DmemoryGate=false runs without this gate";
    if (name.equals(Gates.GC_PAUSE)) {
      if (!m.pausesMeasured()) {
        return new Gate(name, false, "not measured: " + why(m) + off);
      }
      boolean passed = m.longestPauseMillis() <= c.gcPauseMaxMillis;
      return new Gate(name, passed, m.pauses() == 0
          ? "no GC pause during the run (" + m.read() + " samples of /metrics)"
          : String.format(Locale.ROOT, "longest %.0f ms %s %d ms (+%d s) over %d pauses during the run",
              m.longestPauseMillis(), passed ? "<=" : ">", c.gcPauseMaxMillis, m.longestPauseSecond(), m.pauses()));
    }
    if (!m.heapMeasured() && m.read() == 0) {
      return new Gate(name, false, "not measured: " + why(m) + off);
    }
    String missing = m.floorNotMeasured();
    if (missing != null) {
      return new Gate(name, false, "not measured: " + missing + "; lengthen -Dduration" + off);
    }
    double bound = Math.max(m.quarterFloors()[0] * c.heapGrowthMaxPercent / 100, c.heapGrowthMinBytes);
    boolean passed = m.growth() <= bound;
    return new Gate(name, passed, String.format(Locale.ROOT, "first quarter %.1f MB -> last quarter %.1f MB (%s) %s"
            + " +%.1f MB (the larger of %s %% and %d MB)", m.quarterFloors()[0] / MB, m.quarterFloors()[3] / MB,
        growth(m), passed ? "<=" : ">", bound / MB, LoadConfig.fmt(c.heapGrowthMaxPercent),
        c.heapGrowthMinBytes / (1024 * 1024)));
  }

  /** The verdict's lines on the hub's memory, for every profile. */
  public String report(LoadConfig c, RunLedger ledger) {
    Summary m = summary(ledger);
    String source = (c.baseUrl == null ? "" : c.baseUrl) + "/metrics";
    if (m.read() == 0) {
      return "hub memory: not measured (" + why(m) + "; " + m.samples() + " samples of " + source + ")\n";
    }
    StringBuilder sb = new StringBuilder();
    List<String> floors = new ArrayList<>();
    for (double f : m.quarterFloors()) {
      floors.add(Double.isNaN(f) ? "-" : String.format(Locale.ROOT, "%.1f", f / MB));
    }
    sb.append(String.format(Locale.ROOT, "hub memory (JVM meters of %s, %d of %d samples read): heap floor (lowest heap"
        + " used, i.e. after a collection) by quarter of the load %s MB", source, m.read(), m.samples(),
        String.join(", ", floors)));
    if (m.floorNotMeasured() == null) {
      sb.append(" (last vs first quarter ").append(growth(m)).append(')');
    } else {
      sb.append(" (").append(m.floorNotMeasured()).append(')');
    }
    if (m.minuteFloorLow() >= 0) {
      sb.append(String.format(Locale.ROOT, "; per-minute floors %.1f-%.1f MB (minutes with a collection)",
          m.minuteFloorLow() / MB, m.minuteFloorHigh() / MB));
    }
    sb.append('\n');
    sb.append("  ").append(m.pausesMeasured() ? m.pauses() == 0 ? "no GC pause during the run"
        : String.format(Locale.ROOT, "longest GC pause %.0f ms (+%d s; %d pauses during the run)",
            m.longestPauseMillis(), m.longestPauseSecond(), m.pauses()) : "GC pauses not measured (" + why(m) + ")");
    sb.append(String.format(Locale.ROOT, "; at the end: heap %.0f MB used of %.0f MB committed, non-heap %.0f MB"
        + " committed; ", m.endHeapUsed() / MB, m.endHeapCommitted() / MB, m.endNonHeapCommitted() / MB));
    if (m.rssEnd() >= 0) {
      sb.append(String.format(Locale.ROOT, "RSS %.0f MB -> %.0f MB (start of the load -> end, peak %.0f MB)",
          m.rssAtLoadStart() / MB, m.rssEnd() / MB, m.rssPeak() / MB));
    } else {
      sb.append("RSS not measured (a hub this run did not start: /metrics has no resident-memory meter)");
    }
    sb.append('\n');
    return sb.toString();
  }

  private synchronized String why(Summary m) {
    return problem != null ? problem : m.samples() == 0 ? "/metrics was never read" : "no heap sample during the load";
  }

  private static String growth(Summary m) {
    return String.format(Locale.ROOT, "%+.1f MB, %+.0f %%", m.growth() / MB, 100 * m.growth() / m.quarterFloors()[0]);
  }
}
