package vn.onewindow.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import vn.onewindow.loadtest.config.LoadConfig;
import vn.onewindow.loadtest.config.Profile;
import vn.onewindow.loadtest.report.RunLedger.Client;
import vn.onewindow.loadtest.report.RunLedger.Kind;
import vn.onewindow.loadtest.report.RunLedger.Outcome;

/**
 * Pass/fail conditions Gatling cannot express on its own (latency of accepted submissions only, who got the 429s,
 * the reconciliation). Each becomes one request in the Gatling run named after the gate, failing with the gate's
 * detail as its error message, so Gatling's assertions, report and exit code carry them like any other check.
 */
public final class Gates {

  public static final String ACCEPTED_P99 = "gate: p99 of accepted submissions under the SLO";
  public static final String NO_ERRORS = "gate: no 5xx, no connection errors, no unexpected status";
  public static final String NO_REFUSALS = "gate: no 429 or 503 for well-behaved clients";
  public static final String ONLY_ABUSER_LIMITED = "gate: only the abusive client sees 429";
  public static final String REPLAYS = "gate: retries replay the same receipt";
  public static final String RECONCILIATION = "gate: every 202 persisted exactly once";
  public static final String AGENCY_FEEDS = "gate: agency feeds delivered every persisted dossier exactly once";
  public static final String AGENCY_EVENTS = "gate: progress events recorded (201), replays answered 200";
  public static final String HEAP_FLOOR = "gate: the hub's post-GC heap floor did not climb over the load";
  public static final String GC_PAUSE = "gate: no GC pause of the hub over the bound";
  public static final String AGENCY_EVENT_P99 = "gate: p99 of recorded progress events under the SLO";

  /** One evaluated gate. */
  public record Gate(String name, boolean passed, String detail) {
    public String line() {
      return (passed ? "  PASS  " : "  FAIL  ") + name.substring("gate: ".length()) + " - " + detail;
    }
  }

  private Gates() {
  }

  /** The gates of this run's profile, in report order. */
  public static List<String> names(LoadConfig c) {
    List<String> names = new ArrayList<>(List.of(ACCEPTED_P99, NO_ERRORS));
    if (!c.allowRefusals) {
      names.add(NO_REFUSALS);
    }
    if (c.profile == Profile.FAIRNESS) {
      names.add(ONLY_ABUSER_LIMITED);
    }
    names.add(REPLAYS);
    names.add(RECONCILIATION);
    if (c.profile == Profile.AGENCIES) {
      names.addAll(List.of(AGENCY_FEEDS, AGENCY_EVENTS, AGENCY_EVENT_P99));
    }
    if (c.memoryGate) {
      names.addAll(List.of(HEAP_FLOOR, GC_PAUSE));
    }
    return names;
  }

  public static List<Gate> evaluate(LoadConfig c, RunLedger l, BacklogWatcher w, AgencyLedger a) {
    List<Gate> out = new ArrayList<>();
    for (String name : names(c)) {
      out.add(switch (name) {
        case AGENCY_FEEDS, AGENCY_EVENTS, AGENCY_EVENT_P99 -> agencyGate(name, c, l, a);
        case HEAP_FLOOR, GC_PAUSE -> w.memory().gate(name, c, l);
        case ACCEPTED_P99 -> {
          LatencyHistogram h = l.citizenAcceptedLatency();
          long p99 = h.percentile(99);
          yield new Gate(name, h.count() > 0 && p99 <= c.sloP99Millis, h.count() == 0
              ? "no submission was accepted"
              : String.format(Locale.ROOT, "p99 %d ms %s %d ms over %d accepted submissions", p99,
                  p99 <= c.sloP99Millis ? "<=" : ">", c.sloP99Millis, h.count()));
        }
        case NO_ERRORS -> {
          long server = 0;
          long none = 0;
          long unexpected = 0;
          for (Client client : Client.values()) {
            server += l.count(client, Outcome.SERVER_ERROR);
            none += l.count(client, Outcome.NO_RESPONSE);
            unexpected += l.count(client, Outcome.UNEXPECTED);
          }
          long abuserShed = l.count(Client.ABUSER, Outcome.SHED);
          yield new Gate(name, server + none + unexpected + abuserShed == 0, String.format(Locale.ROOT,
              "5xx (other than a refusing 503) x%d, no response x%d, unexpected status x%d, 503 to the abuser x%d",
              server, none, unexpected, abuserShed));
        }
        case NO_REFUSALS -> {
          long limited = l.count(Client.CITIZEN, Outcome.LIMITED) + l.count(Client.WARMUP, Outcome.LIMITED);
          long shed = l.count(Client.CITIZEN, Outcome.SHED) + l.count(Client.WARMUP, Outcome.SHED);
          yield new Gate(name, limited + shed == 0, String.format(Locale.ROOT,
              "429 x%d, 503 x%d (use -DallowRefusals=true when refusals are the expected answer)", limited, shed));
        }
        case ONLY_ABUSER_LIMITED -> {
          long citizens = l.count(Client.CITIZEN, Outcome.LIMITED);
          long abuser = l.count(Client.ABUSER, Outcome.LIMITED);
          long abuserSent = 0;
          for (Outcome o : Outcome.values()) {
            abuserSent += l.count(Client.ABUSER, Kind.SUBMIT, o);
          }
          yield new Gate(name, citizens == 0 && abuser > 0, String.format(Locale.ROOT,
              "well-behaved clients got 429 x%d; the abusive client got 429 x%d of %d submissions%s", citizens, abuser,
              abuserSent, abuser == 0 ? " (is rate limiting enabled on the hub?)" : ""));
        }
        case REPLAYS -> {
          long replayed = l.count(Client.CITIZEN, Kind.RETRY, Outcome.REPLAYED);
          long wrongRetry = l.count(Client.CITIZEN, Kind.RETRY, Outcome.UNEXPECTED) + l.replayMismatches();
          yield new Gate(name, wrongRetry == 0 && l.statusMismatches() == 0, String.format(Locale.ROOT,
              "%d retries replayed the original receipt, %d did not; %d status look-ups disagreed with the receipt",
              replayed, wrongRetry, l.statusMismatches()));
        }
        case RECONCILIATION -> {
          Reconciler.Result r = w.result();
          yield new Gate(name, r != null && r.passed(), r == null ? "did not run" : r.summary());
        }
        default -> throw new IllegalStateException(name);
      });
    }
    return out;
  }

  private static Gate agencyGate(String name, LoadConfig c, RunLedger l, AgencyLedger a) {
    return switch (name) {
      case AGENCY_FEEDS -> {
        long missing = l.acceptedDossiers().keySet().stream().filter(id -> !a.wasDelivered(id)).count();
        yield new Gate(name, missing == 0 && a.duplicates() == 0 && !l.acceptedDossiers().isEmpty(),
            String.format(Locale.ROOT, "%d of %d accepted dossiers delivered, %d missing, %d delivered twice, %d pages",
                l.acceptedDossiers().size() - missing, l.acceptedDossiers().size(), missing, a.duplicates(),
                a.pages()));
      }
      case AGENCY_EVENTS -> new Gate(name, a.wrong() == 0 && a.recorded() > 0, String.format(Locale.ROOT,
          "%d recorded, %d replays answered 200 (Event-Replayed: true), %d refused (429/503), %d wrong%s", a.recorded(),
          a.replayed(), a.refused(), a.wrong(), a.wrongAnswers().isEmpty() ? "" : ": " + a.wrongAnswers().get(0)));
      default -> {
        LatencyHistogram h = a.eventLatency();
        long p99 = h.percentile(99);
        yield new Gate(name, h.count() > 0 && p99 <= c.sloP99Millis, h.count() == 0 ? "no event was recorded"
            : String.format(Locale.ROOT, "p99 %d ms %s %d ms over %d events", p99, p99 <= c.sloP99Millis ? "<=" : ">",
                c.sloP99Millis, h.count()));
      }
    };
  }
}
