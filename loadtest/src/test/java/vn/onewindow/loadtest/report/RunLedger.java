package vn.onewindow.loadtest.report;

import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What happened during the run, beyond what Gatling's report shows: every accepted dossier (id and code, for the
 * reconciliation), outcomes per client and kind of request, the latency of accepted submissions only (the SLO is
 * about those, not about fast refusals), and a per-second timeline for the capacity verdict. Written from Gatling's
 * event loops, so everything is lock-free.
 */
public final class RunLedger {

  /** Who sent the request. */
  public enum Client {
    CITIZEN, ABUSER,
    /** Warm-up traffic before the measured load: reconciled, but not judged and not in the timeline. */
    WARMUP
  }

  /** Which request. */
  public enum Kind {
    SUBMIT, RETRY, STATUS
  }

  /** How a request ended, as the capacity verdict sees it. */
  public enum Outcome {
    /** 202 for a new dossier, 200 for a status look-up. */
    OK,
    /** 202 replaying an earlier receipt (Idempotent-Replayed: true). */
    REPLAYED,
    /** 429: rate limited. */
    LIMITED,
    /** 503: shed, breaker open or upstream unavailable. */
    SHED,
    /** Any other 5xx. */
    SERVER_ERROR,
    /** Any other status (4xx: the load test or the hub is wrong). */
    UNEXPECTED,
    /** No HTTP response at all: connection refused or reset, timeout. */
    NO_RESPONSE
  }

  /** One second of the run (by the time requests were sent). */
  public static final class Second {
    public final LongAdder citizenSent = new LongAdder();
    public final LongAdder citizenAccepted = new LongAdder();
    public final LongAdder citizenLimited = new LongAdder();
    public final LongAdder citizenShed = new LongAdder();
    public final LongAdder citizenErrors = new LongAdder();
    public final LongAdder abuserSent = new LongAdder();
    public final LongAdder abuserAccepted = new LongAdder();
    public final LongAdder abuserLimited = new LongAdder();
    public final LatencyHistogram acceptedLatency = LatencyHistogram.coarse();
    /** Filled by the sampler: accepted dossiers not yet seen in PostgreSQL, -1 when unknown. */
    public volatile long backlog = -1;
    public volatile long confirmed = -1;
    /** Filled by the sampler from the hub's /metrics, -1 when the gauge does not exist. */
    public volatile double streamLength = -1;
    public volatile double streamLag = -1;
    /** Filled by the sampler from the hub's /metrics (JVM meters), -1 when not read this second. */
    public volatile double heapUsed = -1;
    public volatile double heapCommitted = -1;
    public volatile double nonHeapCommitted = -1;
    /** GC pauses that ended since the previous sample and the longest of them (ms); -1 when not known. */
    public volatile long gcPauses = -1;
    public volatile double gcPauseMillis = -1;
    /** Resident set of a hub this run started (from /proc), -1 otherwise. */
    public volatile double rss = -1;
  }

  private volatile long startMillis = System.currentTimeMillis();
  private final Map<Integer, Second> seconds = new ConcurrentHashMap<>();
  private final Map<String, String> accepted = new ConcurrentHashMap<>();
  private final Queue<String> freshlyAccepted = new ConcurrentLinkedQueue<>();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> problemTypes = new ConcurrentHashMap<>();
  private final LatencyHistogram citizenAcceptedLatency = LatencyHistogram.exact();
  private final LatencyHistogram abuserAcceptedLatency = LatencyHistogram.exact();
  private final Map<String, String> notAcceptedKeys = new ConcurrentHashMap<>();
  private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
  private final AtomicLong unexpectedCount = new AtomicLong();
  private final LongAdder duplicateReceipts = new LongAdder();
  private final LongAdder replayMismatches = new LongAdder();
  private final LongAdder statusMismatches = new LongAdder();
  private final AtomicLong inFlightUsers = new AtomicLong();
  private final AtomicLong lastResponseMillis = new AtomicLong();
  private final AtomicLong acceptedResponses = new AtomicLong();

  public long startMillis() {
    return startMillis;
  }

  /** Second 0 of the timeline: call when the load starts (after a local hub is up). */
  public void markStart() {
    startMillis = System.currentTimeMillis();
  }

  public void userStarted() {
    inFlightUsers.incrementAndGet();
  }

  public void userFinished() {
    inFlightUsers.decrementAndGet();
  }

  public long inFlightUsers() {
    return inFlightUsers.get();
  }

  public long lastResponseMillis() {
    return lastResponseMillis.get();
  }

  public Second second(long epochMillis) {
    int index = (int) Math.max(0, (epochMillis - startMillis) / 1000);
    return seconds.computeIfAbsent(index, i -> new Second());
  }

  /** A snapshot of the timeline, by second since the start of the run. */
  public TreeMap<Integer, Second> timeline() {
    return new TreeMap<>(seconds);
  }

  /**
   * Records one answered (or unanswered) request.
   *
   * @param status HTTP status, or null when no response arrived
   * @param sentMillis when the request was sent
   * @param latencyMillis response time, or -1
   * @param replayed the Idempotent-Replayed header
   * @param problemType the tail of a problem+json {@code type} for refusals, or null
   */
  public Outcome record(Client client, Kind kind, Integer status, long sentMillis, long latencyMillis,
                        boolean replayed, String problemType) {
    Outcome outcome = classify(kind, status, replayed);
    outcomes.computeIfAbsent(client + "/" + kind + "/" + outcome + "/" + (status == null ? "-" : status),
        k -> new LongAdder()).increment();
    if (problemType != null && (outcome == Outcome.LIMITED || outcome == Outcome.SHED)) {
      problemTypes.computeIfAbsent(status + " " + problemType, k -> new LongAdder()).increment();
    }
    lastResponseMillis.accumulateAndGet(System.currentTimeMillis(), Math::max);
    if (kind != Kind.SUBMIT || client == Client.WARMUP) {
      return outcome;
    }
    Second s = second(sentMillis);
    if (client == Client.ABUSER) {
      s.abuserSent.increment();
      if (outcome == Outcome.OK) {
        s.abuserAccepted.increment();
        abuserAcceptedLatency.record(latencyMillis);
      } else if (outcome == Outcome.LIMITED) {
        s.abuserLimited.increment();
      }
      return outcome;
    }
    s.citizenSent.increment();
    switch (outcome) {
      case OK -> {
        s.citizenAccepted.increment();
        s.acceptedLatency.record(latencyMillis);
        citizenAcceptedLatency.record(latencyMillis);
      }
      case LIMITED -> s.citizenLimited.increment();
      case SHED -> s.citizenShed.increment();
      case SERVER_ERROR, NO_RESPONSE, UNEXPECTED, REPLAYED -> s.citizenErrors.increment();
      default -> { }
    }
    return outcome;
  }

  private static Outcome classify(Kind kind, Integer status, boolean replayed) {
    if (status == null) {
      return Outcome.NO_RESPONSE;
    }
    int expected = kind == Kind.STATUS ? 200 : 202;
    if (status == expected) {
      // a first submission must never be a replay (every body and key is new); a retry must be one
      return kind == Kind.SUBMIT && !replayed || kind == Kind.STATUS ? Outcome.OK
          : kind == Kind.RETRY && replayed ? Outcome.REPLAYED : Outcome.UNEXPECTED;
    }
    if (status == 429) {
      return Outcome.LIMITED;
    }
    if (status == 503) {
      return Outcome.SHED;
    }
    return status >= 500 ? Outcome.SERVER_ERROR : Outcome.UNEXPECTED;
  }

  /** A new dossier acknowledged with 202; a second receipt with the same id is counted as a duplicate. */
  public void accepted(String id, String code) {
    acceptedResponses.incrementAndGet();
    if (accepted.putIfAbsent(id, code) != null) {
      duplicateReceipts.increment();
    } else {
      freshlyAccepted.add(id);
    }
  }

  /**
   * Remembers how a submission that got no 202 was answered ("503 upstream-unavailable", "no response", ...), so
   * the reconciliation can tell a dossier persisted after an ambiguous answer from one persisted after a refusal.
   */
  public void notAccepted(String idempotencyKey, String answer) {
    if (idempotencyKey != null) {
      notAcceptedKeys.put(idempotencyKey, answer);
    }
  }

  /** The answer a submission without a 202 got, or null if it got a 202 or was never sent. */
  public String answerWithout202(String idempotencyKey) {
    return notAcceptedKeys.get(idempotencyKey);
  }

  /** Keeps the first 200 answers that were neither a success nor a refusal, for unexpected-responses.txt. */
  public void unexpected(String description) {
    if (unexpectedCount.incrementAndGet() <= 200) {
      unexpected.add(description.length() > 2000 ? description.substring(0, 2000) + "…" : description);
    }
  }

  public java.util.List<String> unexpectedResponses() {
    return java.util.List.copyOf(unexpected);
  }

  /** Every unexpected answer, also those beyond the 200 {@link #unexpectedResponses} keeps. */
  public long unexpectedCount() {
    return unexpectedCount.get();
  }

  public void replayMismatch() {
    replayMismatches.increment();
  }

  public void statusMismatch() {
    statusMismatches.increment();
  }

  /** id -> code of every distinct dossier that got a 202. */
  public Map<String, String> acceptedDossiers() {
    return accepted;
  }

  /** Ids accepted since the last call (the reconciliation's work queue). */
  public String pollFresh() {
    return freshlyAccepted.poll();
  }

  public long acceptedResponses() {
    return acceptedResponses.get();
  }

  public long duplicateReceipts() {
    return duplicateReceipts.sum();
  }

  public long replayMismatches() {
    return replayMismatches.sum();
  }

  public long statusMismatches() {
    return statusMismatches.sum();
  }

  public LatencyHistogram citizenAcceptedLatency() {
    return citizenAcceptedLatency;
  }

  public LatencyHistogram abuserAcceptedLatency() {
    return abuserAcceptedLatency;
  }

  /** Count of requests by client, kind and outcome (any status). */
  public long count(Client client, Kind kind, Outcome outcome) {
    String prefix = client + "/" + kind + "/" + outcome + "/";
    return outcomes.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(e -> e.getValue().sum())
        .sum();
  }

  public long count(Client client, Outcome outcome) {
    long n = 0;
    for (Kind k : Kind.values()) {
      n += count(client, k, outcome);
    }
    return n;
  }

  /** Every counter, "CLIENT/KIND/OUTCOME/status" -> count, sorted. */
  public Map<String, Long> outcomeCounts() {
    Map<String, Long> m = new TreeMap<>();
    outcomes.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** Refusals by "status problem-type". */
  public Map<String, Long> refusalTypes() {
    Map<String, Long> m = new TreeMap<>();
    problemTypes.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
