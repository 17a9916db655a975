package vn.onewindow.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import vn.onewindow.loadtest.config.LoadConfig;
import vn.onewindow.loadtest.report.Gates.Gate;
import vn.onewindow.loadtest.report.RunLedger.Client;
import vn.onewindow.loadtest.report.RunLedger.Kind;

/**
 * The hub's memory as the watcher samples it from /metrics, and the soak's gates on it, from synthetic samples: a
 * young collection every 15 s, the heap rising 8 MB a second in between from a floor the test chooses.
 */
class HubMemoryTest {

  private static final double MB = 1024 * 1024;
  private static final String YOUNG = "{action=\"end of minor GC\",cause=\"G1 Evacuation Pause\",gc=\"G1 Young Generation\"}";

  private static LoadConfig config(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return LoadConfig.fromProperties(p);
  }

  /** A run of {@code seconds} of load: the hub's heap floor at second s is floorMb(s), one collection per 15 s. */
  private static final class Run {
    final RunLedger ledger = new RunLedger();
    final HubMemory memory = new HubMemory();
    long gcCount = 3; // the hub's start-up collections, before the run
    double gcSum = 0.060;
    double gcMax = 0.041; // a start-up pause, still in the gauge's window when the run starts

    Run(int seconds, IntToDoubleFunction floorMb) {
      this(seconds, floorMb, s -> 0.008);
    }

    Run(int seconds, IntToDoubleFunction floorMb, IntToDoubleFunction pauseSeconds) {
      this(seconds, floorMb, pauseSeconds, 15);
    }

    Run(int seconds, IntToDoubleFunction floorMb, IntToDoubleFunction pauseSeconds, int gcEvery) {
      ledger.markStart();
      long start = ledger.startMillis();
      for (int s = 0; s < seconds; s++) {
        long now = start + s * 1000L + 500;
        ledger.record(Client.CITIZEN, Kind.SUBMIT, 202, now, 3, false, null);
        if (s > 0 && s % gcEvery == 0) {
          double pause = pauseSeconds.applyAsDouble(s);
          gcCount++;
          gcSum += pause;
          gcMax = s < 120 ? Math.max(gcMax, pause) : pause;
        }
        double heap = floorMb.applyAsDouble(s) + 8 * (s % gcEvery);
        memory.sample(ledger, now, metrics(heap), s < 5 ? 240 * MB : 260 * MB);
      }
    }

    Map<String, Double> metrics(double heapMb) {
      Map<String, Double> m = new HashMap<>();
      m.put("jvm_memory_used_bytes{area=\"heap\"}", heapMb * MB);
      m.put("jvm_memory_committed_bytes{area=\"heap\"}", 180 * MB);
      m.put("jvm_memory_committed_bytes{area=\"nonheap\"}", 70 * MB);
      m.put("jvm_gc_pause_seconds_count" + YOUNG, (double) gcCount);
      m.put("jvm_gc_pause_seconds_sum" + YOUNG, gcSum);
      m.put("jvm_gc_pause_seconds_max" + YOUNG, gcMax);
      return m;
    }

    Map<String, Gate> gates(LoadConfig config) {
      Map<String, Gate> out = new HashMap<>();
      for (String name : List.of(Gates.HEAP_FLOOR, Gates.GC_PAUSE)) {
        out.put(name, memory.gate(name, config, ledger));
      }
      return out;
    }
  }

  @Test
  void onlyTheSoakIsGatedOnMemoryUnlessAsked() {
    assertTrue(Gates.names(config("profile", "soak")).containsAll(List.of(Gates.HEAP_FLOOR, Gates.GC_PAUSE)));
    assertFalse(Gates.names(config("profile", "steady")).contains(Gates.HEAP_FLOOR));
    assertFalse(Gates.names(config("profile", "soak", "memoryGate", "false")).contains(Gates.GC_PAUSE));
    assertTrue(Gates.names(config("profile", "steady", "memoryGate", "true")).contains(Gates.HEAP_FLOOR));
  }

  @Test
  void aFlatHeapFloorPasses() {
    Run run = new Run(1200, s -> 30);
    Map<String, Gate> gates = run.gates(config("profile", "soak"));
    assertTrue(gates.get(Gates.HEAP_FLOOR).passed(), gates.get(Gates.HEAP_FLOOR).detail());
    assertTrue(gates.get(Gates.HEAP_FLOOR).detail().contains("first quarter 30.0 MB -> last quarter 30.0 MB (+0.0 MB"), gates.get(Gates.HEAP_FLOOR).detail());
    assertTrue(gates.get(Gates.GC_PAUSE).passed(), gates.get(Gates.GC_PAUSE).detail());
  }

  /** A leak: the floor after each collection climbs 5 MB a minute, 30 -> 130 MB over 20 minutes. */
  @Test
  void aClimbingHeapFloorFails() {
    Run run = new Run(1200, s -> 30 + s / 12.0);
    Gate gate = run.gates(config("profile", "soak")).get(Gates.HEAP_FLOOR);
    assertFalse(gate.passed(), gate.detail());
    assertTrue(gate.detail().contains("+"), gate.detail());
  }

  /** +20 MB on a 30 MB floor is +67 %, but under the 32 MB a sampled floor may wander; -DheapGrowthMinMb tightens it. */
  @Test
  void theBoundIsTheLargerOfItsShareAndItsMinimumAndBothAreSettable() {
    Run run = new Run(1200, s -> 30 + s / 60.0);
    assertTrue(run.gates(config("profile", "soak")).get(Gates.HEAP_FLOOR).passed());
    assertFalse(run.gates(config("profile", "soak", "heapGrowthMinMb", "8")).get(Gates.HEAP_FLOOR).passed());
    // a larger heap: 400 MB -> 437.5 MB between the quarters, over the 32 MB minimum but within 25 % of 400 MB
    Run big = new Run(1200, s -> 400 + s / 24.0);
    assertTrue(big.gates(config("profile", "soak")).get(Gates.HEAP_FLOOR).passed());
    assertFalse(big.gates(config("profile", "soak", "heapGrowthMaxPercent", "5")).get(Gates.HEAP_FLOOR).passed());
  }

  @Test
  void aLongGcPauseFailsAndTheBoundIsSettable() {
    Run run = new Run(600, s -> 30, s -> s == 300 ? 0.350 : 0.008);
    Gate gate = run.gates(config("profile", "soak")).get(Gates.GC_PAUSE);
    assertFalse(gate.passed(), gate.detail());
    assertTrue(gate.detail().contains("350 ms"), gate.detail());
    assertTrue(run.gates(config("profile", "soak", "gcPauseMaxMs", "500")).get(Gates.GC_PAUSE).passed());
  }

  /** The gauge still shows a 41 ms start-up pause when the run begins: no pause of the run was that long. */
  @Test
  void pausesBeforeTheRunAreNotCounted() {
    Run run = new Run(600, s -> 30);
    HubMemory.Summary summary = run.memory.summary(run.ledger);
    assertEquals(8, summary.longestPauseMillis(), 0.5);
  }

  /** /metrics never answered (a remote hub behind a proxy that hides it): "not measured", and the gates fail. */
  @Test
  void withoutMetricsTheMemoryIsNotMeasuredAndTheGatesFail() {
    RunLedger ledger = new RunLedger();
    ledger.markStart();
    HubMemory memory = new HubMemory();
    for (int s = 0; s < 600; s++) {
      long now = ledger.startMillis() + s * 1000L;
      ledger.record(Client.CITIZEN, Kind.SUBMIT, 202, now, 3, false, null);
      memory.unreachable("/metrics answered 404");
    }
    for (String name : List.of(Gates.HEAP_FLOOR, Gates.GC_PAUSE)) {
      Gate gate = memory.gate(name, config("profile", "soak"), ledger);
      assertFalse(gate.passed(), gate.detail());
      assertTrue(gate.detail().startsWith("not measured"), gate.detail());
      assertTrue(gate.detail().contains("404"), gate.detail());
    }
    assertTrue(memory.report(config("profile", "steady"), ledger).contains("not measured"));
  }

  /** A quarter without a collection has no floor: its lowest sample is only wherever the heap happened to be. */
  @Test
  void aQuarterWithoutACollectionIsNotMeasured() {
    Run run = new Run(40, s -> 30); // 10 s quarters, a collection every 15 s
    Gate gate = run.gates(config("profile", "soak")).get(Gates.HEAP_FLOOR);
    assertFalse(gate.passed(), gate.detail());
    assertTrue(gate.detail().startsWith("not measured"), gate.detail());
  }

  @Test
  void everyProfileReportsTheFigures() {
    Run run = new Run(1200, s -> 30 + s / 12.0);
    String report = run.memory.report(config("profile", "steady"), run.ledger);
    assertTrue(report.contains("heap floor"), report);
    assertTrue(report.contains("longest GC pause 8 ms"), report);
    assertTrue(report.contains("RSS 240 MB -> 260 MB"), report);
    assertTrue(report.contains("committed"), report);
  }

  /**
   * A 5-minute soak said "per-minute floors 18.4-86.5 MB": its last minute was one sample with no collection in it,
   * so its lowest sample was no floor at all.
   */
  @Test
  void aMinuteWithoutACollectionHasNoFloor() {
    Run run = new Run(130, s -> 30, s -> 0.008, 50); // collections at +50 s and +100 s, none in the third minute
    String report = run.memory.report(config("profile", "soak"), run.ledger);
    assertTrue(report.contains("per-minute floors 30.0-30.0 MB"), report);
  }

  @Test
  void theScrapeKeepsTheLabelsTheMemoryNeeds() {
    Map<String, Double> m = MetricsText.parse(List.of(
        "# HELP jvm_memory_used_bytes The amount of used memory",
        "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 3.0E7",
        "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 2.0E7",
        "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 4.0E7",
        "jvm_gc_pause_seconds_max" + YOUNG + " 0.041",
        "hub_stream_length{partition=\"0\"} 3",
        "hub_stream_length{partition=\"1\"} 4").stream());
    assertEquals(9.0E7, m.get("jvm_memory_used_bytes"));
    assertEquals(5.0E7, m.get("jvm_memory_used_bytes{area=\"heap\"}"));
    assertEquals(4.0E7, m.get("jvm_memory_used_bytes{area=\"nonheap\"}"));
    assertEquals(0.041, m.get("jvm_gc_pause_seconds_max" + YOUNG));
    assertEquals(7.0, m.get("hub_stream_length"));
  }
}
