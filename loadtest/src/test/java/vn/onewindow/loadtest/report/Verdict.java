package vn.onewindow.loadtest.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import vn.onewindow.loadtest.config.LoadConfig;
import vn.onewindow.loadtest.report.RunLedger.Client;
import vn.onewindow.loadtest.report.RunLedger.Kind;
import vn.onewindow.loadtest.report.RunLedger.Outcome;
import vn.onewindow.loadtest.report.RunLedger.Second;

/**
 * The capacity verdict of a run, for people: the highest offered rate at which the hub held the SLO over a whole
 * window (p99 of accepted submissions under the SLO, no refusal and no error for well-behaved clients), where it
 * broke first and why (limit = 429, shed/breaker = 503, latency, errors), how long the backlog took to drain, and
 * the reconciliation. Also writes the timeline and the accepted ids next to it.
 */
public final class Verdict {

  /** One verdict window. */
  record Window(int fromSecond, int seconds, long sent, long accepted, long limited, long shed, long errors,
                long p99, long backlogEnd) {
    double offeredRate() {
      return (double) sent / seconds;
    }

    double acceptedRate() {
      return (double) accepted / seconds;
    }

    boolean held(long slo) {
      return sent > 0 && limited == 0 && shed == 0 && errors == 0 && (accepted == 0 || p99 <= slo);
    }

    String reasons(long slo) {
      List<String> r = new ArrayList<>();
      if (limited > 0) {
        r.add("limit=429 x" + limited);
      }
      if (shed > 0) {
        r.add("shed/breaker=503 x" + shed);
      }
      if (p99 > slo) {
        r.add("latency p99 " + p99 + " ms > " + slo + " ms");
      }
      if (errors > 0) {
        r.add("errors x" + errors + " (5xx, unexpected status or no response)");
      }
      return String.join(", ", r);
    }
  }

  /** Said next to the refusals of a run that allows them (surge, spike and agencies by default). */
  static final String REFUSALS_NOT_GATED = "not a gate in this run: -DallowRefusals=true, the default for surge, spike"
      + " and agencies";

  private Verdict() {
  }

  static List<Window> windows(TreeMap<Integer, Second> timeline, int width) {
    List<Window> out = new ArrayList<>();
    int last = -1;
    for (Map.Entry<Integer, Second> e : timeline.entrySet()) {
      if (e.getValue().citizenSent.sum() > 0) {
        last = e.getKey();
      }
    }
    int first = timeline.entrySet().stream().filter(e -> e.getValue().citizenSent.sum() > 0).map(Map.Entry::getKey)
        .findFirst().orElse(0);
    for (int from = first; from + width - 1 <= last; from += width) {
      long sent = 0;
      long accepted = 0;
      long limited = 0;
      long shed = 0;
      long errors = 0;
      long backlog = -1;
      List<LatencyHistogram> hs = new ArrayList<>();
      for (int i = from; i < from + width; i++) {
        Second s = timeline.get(i);
        if (s == null) {
          continue;
        }
        sent += s.citizenSent.sum();
        accepted += s.citizenAccepted.sum();
        limited += s.citizenLimited.sum();
        shed += s.citizenShed.sum();
        errors += s.citizenErrors.sum();
        hs.add(s.acceptedLatency);
        if (s.backlog >= 0) {
          backlog = s.backlog;
        }
      }
      long p99 = LatencyHistogram.percentile(99, hs.toArray(LatencyHistogram[]::new));
      out.add(new Window(from, width, sent, accepted, limited, shed, errors, p99, backlog));
    }
    return out;
  }

  /** Builds the verdict text (also printed by ops/rehearse.sh). */
  public static String render(LoadConfig config, RunLedger ledger, BacklogWatcher watcher, List<String> gateLines) {
    TreeMap<Integer, Second> timeline = ledger.timeline();
    List<Window> windows = windows(timeline, config.verdictWindowSeconds);
    long slo = config.sloP99Millis;
    StringBuilder sb = new StringBuilder();
    String rule = "=".repeat(100) + "\n";
    sb.append(rule);
    sb.append(String.format(Locale.ROOT, "CAPACITY VERDICT  profile=%s  run=%s  target=%s  at %s%n", config.profile.id(),
        config.runId, config.baseUrl, Instant.now()));
    sb.append("shape: ").append(config.profile.shape(config)).append('\n');
    sb.append(String.format(Locale.ROOT, "SLO: p99 of accepted submissions < %d ms, judged per %d s window "
        + "(a window holds when well-behaved clients got no 429, no 503, no error and p99 < SLO)%n", slo,
        config.verdictWindowSeconds));

    Window best = null;
    Window broke = null;
    int failing = 0;
    double maxOffered = 0;
    for (Window w : windows) {
      maxOffered = Math.max(maxOffered, w.offeredRate());
      if (w.held(slo)) {
        if (best == null || w.offeredRate() > best.offeredRate()) {
          best = w;
        }
      } else {
        failing++;
        if (broke == null) {
          broke = w;
        }
      }
    }
    if (best != null) {
      sb.append(String.format(Locale.ROOT, "highest rate that held the SLO: %.1f submissions/s offered, %.1f/s accepted,"
          + " p99 %d ms (window +%d s)%n", best.offeredRate(), best.acceptedRate(), best.p99(), best.fromSecond()));
    } else {
      sb.append("highest rate that held the SLO: none (no window held)\n");
    }
    if (broke == null) {
      boolean hasFactor = switch (config.profile) {
        case SURGE, SPIKE, AGENCIES -> true;
        default -> false;
      };
      sb.append(String.format(Locale.ROOT, "broke at: did not break up to %.1f submissions/s offered "
          + "(raise %s to find the limit)%n", maxOffered, hasFactor ? "-Dfactor or -Drate" : "-Drate"));
    } else {
      sb.append(String.format(Locale.ROOT, "broke at: %.1f submissions/s offered (first failing window, +%d s, %.1f/s"
          + " accepted): %s; %d of %d windows failed%n", broke.offeredRate(), broke.fromSecond(), broke.acceptedRate(),
          broke.reasons(slo), failing, windows.size()));
      sb.append("  failing windows by reason:");
      String[] names = {"limit=429", "shed/breaker=503", "latency > SLO", "errors"};
      for (int r = 0; r < names.length; r++) {
        int n = 0;
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Window w : windows) {
          boolean hit = switch (r) {
            case 0 -> w.limited() > 0;
            case 1 -> w.shed() > 0;
            case 2 -> w.p99() > slo;
            default -> w.errors() > 0;
          };
          if (hit) {
            n++;
            lo = Math.min(lo, w.offeredRate());
            hi = Math.max(hi, w.offeredRate());
          }
        }
        if (n > 0) {
          sb.append(String.format(Locale.ROOT, " %s in %d window(s) at %.0f-%.0f/s;", names[r], n, lo, hi));
        }
      }
      sb.setLength(sb.length() - 1);
      sb.append('\n');
    }

    LatencyHistogram all = ledger.citizenAcceptedLatency();
    sb.append(String.format(Locale.ROOT, "accepted submissions (measured load, warm-up excluded): %d, p50 %d ms,"
        + " p95 %d ms, p99 %d ms, max %d ms%n",
        all.count(), all.percentile(50), all.percentile(95), all.percentile(99), all.max()));
    sb.append(String.format(Locale.ROOT, "well-behaved refusals: 429 x%d, 503 x%d%s; errors: 5xx x%d, no response x%d,"
            + " unexpected status x%d%n",
        ledger.count(Client.CITIZEN, Outcome.LIMITED), ledger.count(Client.CITIZEN, Outcome.SHED),
        config.allowRefusals ? " (" + REFUSALS_NOT_GATED + "; they count against the SLO windows above)" : "",
        ledger.count(Client.CITIZEN, Outcome.SERVER_ERROR), ledger.count(Client.CITIZEN, Outcome.NO_RESPONSE),
        ledger.count(Client.CITIZEN, Outcome.UNEXPECTED)));
    long warmUpSent = 0;
    for (Outcome o : Outcome.values()) {
      warmUpSent += ledger.count(Client.WARMUP, Kind.SUBMIT, o);
    }
    if (warmUpSent > 0) {
      sb.append(String.format(Locale.ROOT, "warm-up (not timed): %d submissions, %d accepted, 429 x%d, 503 x%d,"
              + " other x%d%n", warmUpSent, ledger.count(Client.WARMUP, Outcome.OK),
          ledger.count(Client.WARMUP, Outcome.LIMITED), ledger.count(Client.WARMUP, Outcome.SHED),
          warmUpSent - ledger.count(Client.WARMUP, Outcome.OK) - ledger.count(Client.WARMUP, Outcome.LIMITED)
              - ledger.count(Client.WARMUP, Outcome.SHED)));
    }
    if (config.profile == vn.onewindow.loadtest.config.Profile.FAIRNESS) {
      long abuserSent = 0;
      for (Outcome o : Outcome.values()) {
        abuserSent += ledger.count(Client.ABUSER, Kind.SUBMIT, o);
      }
      sb.append(String.format(Locale.ROOT, "abusive client: %d submissions, %d accepted, 429 x%d, 503 x%d%n",
          abuserSent, ledger.count(Client.ABUSER, Kind.SUBMIT, Outcome.OK),
          ledger.count(Client.ABUSER, Outcome.LIMITED), ledger.count(Client.ABUSER, Outcome.SHED)));
    }
    if (!ledger.refusalTypes().isEmpty()) {
      sb.append("refusals by problem type: ").append(ledger.refusalTypes()).append('\n');
    }
    sb.append(String.format(Locale.ROOT, "status look-ups: %d ok; retries with the same Idempotency-Key: %d replayed "
            + "the receipt, %d mismatched%n", ledger.count(Client.CITIZEN, Kind.STATUS, Outcome.OK),
        ledger.count(Client.CITIZEN, Kind.RETRY, Outcome.REPLAYED), ledger.replayMismatches()));

    long drain = watcher.drainMillis();
    String drainSource = config.reconcile ? "every accepted dossier seen in PostgreSQL" : "hub_stream_length = 0";
    sb.append("drain after the load: ").append(drain < 0 ? "NOT drained within " + config.drainTimeout.toSeconds()
        + " s" : String.format(Locale.ROOT, "%.1f s (%s)", drain / 1000.0, drainSource));
    sb.append("; peak backlog ").append(watcher.peakBacklog()).append(" dossiers");
    if (watcher.gaugesSeen()) {
      long g = watcher.gaugeDrainMillis();
      sb.append(String.format(Locale.ROOT, "; hub_stream_length peak %.0f, 0 after %s", watcher.peakStreamLength(),
          g < 0 ? "(not seen)" : String.format(Locale.ROOT, "%.1f s", g / 1000.0)));
    } else {
      sb.append("; hub_stream_length gauge not exposed (measured by PostgreSQL counts)");
    }
    sb.append('\n');
    sb.append("persisted rate: ").append(persistedRate(timeline)).append('\n');
    sb.append(watcher.memory().report(config, ledger));
    // the reconciliation checks every 202, the warm-up's and the abusive client's too: say what its count is made of
    long measured = ledger.count(Client.CITIZEN, Kind.SUBMIT, Outcome.OK);
    long warmUpAccepted = ledger.count(Client.WARMUP, Kind.SUBMIT, Outcome.OK);
    long abuserAccepted = ledger.count(Client.ABUSER, Kind.SUBMIT, Outcome.OK);
    sb.append(String.format(Locale.ROOT, "dossiers that got a 202: %d distinct: %d of the measured load, %d of the"
            + " warm-up%s (the reconciliation checks all of them)%n", ledger.acceptedDossiers().size(), measured,
        warmUpAccepted, abuserAccepted > 0 || config.profile == vn.onewindow.loadtest.config.Profile.FAIRNESS
            ? ", " + abuserAccepted + " of the abusive client" : ""));
    Reconciler.Result r = watcher.result();
    sb.append("reconciliation: ").append(r == null ? "NOT RUN" : r.summary()).append('\n');
    if (r != null && r.missing() > 0) {
      sb.append("  missing ids (sample): ").append(watcher.reconciler().missingSample(10)).append('\n');
    }
    List<String> odd = ledger.unexpectedResponses();
    if (!odd.isEmpty()) {
      // the ledger keeps the first 200 only: a killed hub gives hundreds of "no response", and the count must be all
      long oddCount = ledger.unexpectedCount();
      String kept = odd.size() < oddCount ? "the first " + odd.size() : "all";
      sb.append(oddCount).append(" unexpected answers (").append(kept)
          .append(" in unexpected-responses.txt), the first: ")
          .append(odd.get(0).length() > 300 ? odd.get(0).substring(0, 300) + "…" : odd.get(0)).append('\n');
    }
    for (String g : gateLines) {
      sb.append(g).append('\n');
    }
    if (config.allowRefusals) {
      sb.append(String.format(Locale.ROOT, "  ----  no 429 or 503 for well-behaved clients - %s: 429 x%d, 503 x%d%n",
          REFUSALS_NOT_GATED, ledger.count(Client.CITIZEN, Outcome.LIMITED), ledger.count(Client.CITIZEN, Outcome.SHED)));
    }
    sb.append(rule);
    return sb.toString();
  }

  private static String persistedRate(TreeMap<Integer, Second> timeline) {
    long firstConfirmed = -1;
    int firstSecond = -1;
    long lastConfirmed = -1;
    int lastSecond = -1;
    double peak = 0;
    long previous = -1;
    int previousSecond = -1;
    for (Map.Entry<Integer, Second> e : timeline.entrySet()) {
      long c = e.getValue().confirmed;
      if (c < 0) {
        continue;
      }
      if (firstSecond < 0 && c > 0) {
        firstSecond = e.getKey();
        firstConfirmed = c;
      }
      if (previous >= 0 && e.getKey() > previousSecond) {
        peak = Math.max(peak, (double) (c - previous) / (e.getKey() - previousSecond));
      }
      if (c > lastConfirmed) {
        lastConfirmed = c;
        lastSecond = e.getKey();
      }
      previous = c;
      previousSecond = e.getKey();
    }
    if (firstSecond < 0 || lastSecond <= firstSecond) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.1f dossiers/s on average while persisting, peak %.0f/s (PostgreSQL)",
        (double) (lastConfirmed - firstConfirmed) / (lastSecond - firstSecond), peak);
  }

  /** Megabytes with one decimal, -1 when not sampled. */
  private static String mb(double bytes) {
    return bytes < 0 ? "-1" : String.format(Locale.ROOT, "%.1f", bytes / (1024 * 1024));
  }

  /** accepted-ids.txt ("id code" per line), timeline.csv and verdict.txt in the run's output directory. */
  public static void write(Path dir, RunLedger ledger, String verdict) {
    try {
      Files.createDirectories(dir);
      try (Writer w = Files.newBufferedWriter(dir.resolve("accepted-ids.txt"), StandardCharsets.UTF_8)) {
        for (Map.Entry<String, String> e : new TreeMap<>(ledger.acceptedDossiers()).entrySet()) {
          w.write(e.getKey() + ' ' + e.getValue() + '\n');
        }
      }
      try (Writer w = Files.newBufferedWriter(dir.resolve("timeline.csv"), StandardCharsets.UTF_8)) {
        w.write("second,offered,accepted,limited_429,shed_503,errors,p50_ms,p99_ms,abuser_sent,abuser_429,"
            + "backlog,persisted,stream_length,stream_lag,heap_used_mb,heap_committed_mb,nonheap_committed_mb,gc_pauses,"
            + "gc_pause_max_ms,rss_mb\n");
        for (Map.Entry<Integer, Second> e : ledger.timeline().entrySet()) {
          Second s = e.getValue();
          w.write(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%.0f,%.0f,%s,%s,%s,%d,%s,%s%n",
              e.getKey(), s.citizenSent.sum(), s.citizenAccepted.sum(), s.citizenLimited.sum(), s.citizenShed.sum(),
              s.citizenErrors.sum(), s.acceptedLatency.percentile(50), s.acceptedLatency.percentile(99),
              s.abuserSent.sum(), s.abuserLimited.sum(), s.backlog, s.confirmed, s.streamLength, s.streamLag,
              mb(s.heapUsed), mb(s.heapCommitted), mb(s.nonHeapCommitted), s.gcPauses,
              s.gcPauseMillis < 0 ? "-1" : String.format(Locale.ROOT, "%.1f", s.gcPauseMillis), mb(s.rss)));
        }
      }
      try (Writer w = Files.newBufferedWriter(dir.resolve("outcomes.txt"), StandardCharsets.UTF_8)) {
        for (Map.Entry<String, Long> e : ledger.outcomeCounts().entrySet()) {
          w.write(e.getKey() + ' ' + e.getValue() + '\n');
        }
      }
      Files.write(dir.resolve("unexpected-responses.txt"), ledger.unexpectedResponses(), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("verdict.txt"), verdict, StandardCharsets.UTF_8);
      Path parent = dir.getParent();
      Files.writeString(parent.resolve("last-run"), dir + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
