package vn.onewindow.loadtest.report;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the agency systems of the {@code agencies} profile saw: every dossier id their feeds delivered (and how often),
 * pages read, progress events by answer, and the latency of recorded events. Written from Gatling's event loops,
 * so everything is lock-free.
 */
public final class AgencyLedger {
  private final Map<String, LongAdder> delivered = new ConcurrentHashMap<>();
  private final LongAdder pages = new LongAdder();
  private final LongAdder recorded = new LongAdder();
  private final LongAdder replayed = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder wrong = new LongAdder();
  private final Queue<String> wrongAnswers = new ConcurrentLinkedQueue<>();
  private final LatencyHistogram eventLatency = LatencyHistogram.exact();
  private final AtomicInteger activeSystems = new AtomicInteger();

  public void systemStarted() {
    activeSystems.incrementAndGet();
  }

  public void systemFinished() {
    activeSystems.decrementAndGet();
  }

  /** Agency systems still polling (the gates wait for them to catch up after the drain). */
  public int activeSystems() {
    return activeSystems.get();
  }

  /** One feed page with the ids it delivered, in order. */
  public void page(List<String> ids) {
    pages.increment();
    ids.forEach(id -> delivered.computeIfAbsent(id, k -> new LongAdder()).increment());
  }

  /**
   * One progress event's answer: 201 for a new one, 200 with Event-Replayed: true for a replay; 429/503 are graceful
   * refusals (counted, retried by nobody: the dossier keeps its status); anything else is wrong.
   */
  public void event(boolean replay, Integer status, boolean replayedHeader, long millis, String body) {
    if (!replay && status != null && status == 201 && !replayedHeader) {
      recorded.increment();
      eventLatency.record(millis);
    } else if (replay && status != null && status == 200 && replayedHeader) {
      replayed.increment();
    } else if (status != null && (status == 429 || status == 503)) {
      refused.increment();
    } else {
      wrong.increment();
      if (wrongAnswers.size() < 100) {
        wrongAnswers.add((replay ? "replay " : "event ") + (status == null ? "no response" : status) + " " + body);
      }
    }
  }

  /** Ids delivered more than once (by any feed page). */
  public long duplicates() {
    return delivered.values().stream().filter(n -> n.sum() > 1).count();
  }

  public boolean wasDelivered(String id) {
    return delivered.containsKey(id);
  }

  public long deliveredDistinct() {
    return delivered.size();
  }

  public long pages() {
    return pages.sum();
  }

  public long recorded() {
    return recorded.sum();
  }

  public long replayed() {
    return replayed.sum();
  }

  public long refused() {
    return refused.sum();
  }

  public long wrong() {
    return wrong.sum();
  }

  public List<String> wrongAnswers() {
    return List.copyOf(wrongAnswers);
  }

  public LatencyHistogram eventLatency() {
    return eventLatency;
  }
}
