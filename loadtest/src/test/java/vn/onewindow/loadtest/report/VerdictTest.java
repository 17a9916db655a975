package vn.onewindow.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import vn.onewindow.loadtest.config.LoadConfig;
import vn.onewindow.loadtest.report.RunLedger.Client;
import vn.onewindow.loadtest.report.RunLedger.Kind;

class VerdictTest {

  private static LoadConfig config(String profile) {
    Properties p = new Properties();
    p.setProperty("profile", profile);
    return LoadConfig.fromProperties(p);
  }

  private static String render(LoadConfig config, RunLedger ledger) {
    try (BacklogWatcher watcher = new BacklogWatcher(config, ledger)) {
      return Verdict.render(config, ledger, watcher, List.of("gates:"));
    }
  }

  private static String line(String verdict, String start) {
    return verdict.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError(
        "no line starting with '" + start + "' in\n" + verdict));
  }

  /**
   * A hub killed under load: hundreds of submissions get no response, and the ledger keeps only the first 200 for
   * unexpected-responses.txt. The verdict said "first of 200, all in unexpected-responses.txt" after 309 of them.
   */
  @Test
  void theVerdictCountsEveryUnexpectedAnswerAndSaysHowManyTheFileKeeps() {
    LoadConfig config = config("smoke");
    RunLedger ledger = new RunLedger();
    for (int i = 0; i < 309; i++) {
      ledger.unexpected("CITIZEN SUBMIT no response key=k-" + i + " null");
    }
    String line = render(config, ledger).lines().filter(l -> l.contains("unexpected answers")).findFirst()
        .orElseThrow();
    assertTrue(line.contains("309 unexpected answers") || line.contains("of 309"), line);
    assertTrue(line.contains("first 200"), line);
    assertFalse(line.contains("all in"), line);
  }

  /**
   * A surge allows refusals: its verdict showed "PASS" under 2,639 answers 429 to well-behaved clients without
   * saying that refusals are no gate in that profile.
   */
  @Test
  void refusalsAllowedByTheProfileAreSaidNotToBeAGate() {
    RunLedger ledger = new RunLedger();
    long now = System.currentTimeMillis();
    ledger.record(Client.CITIZEN, Kind.SUBMIT, 429, now, 3, false, "rate-limited");
    String surge = render(config("surge"), ledger);
    assertTrue(line(surge, "well-behaved refusals:").contains("not a gate"), surge);
    assertTrue(surge.contains("no 429 or 503 for well-behaved clients - not a gate"), surge);

    String steady = render(config("steady"), ledger);
    assertFalse(steady.contains("not a gate"), steady);
  }

  /**
   * "24451 distinct dossiers got a 202" in the reconciliation against "accepted submissions: 24196": the warm-up's
   * 255 were in the first and not in the second, and nothing said so.
   */
  @Test
  void theVerdictSplitsTheDossiersThatGotA202ByWhoSentThem() {
    RunLedger ledger = new RunLedger();
    long now = System.currentTimeMillis();
    for (int i = 0; i < 3; i++) {
      ledger.record(Client.CITIZEN, Kind.SUBMIT, 202, now, 3, false, null);
      ledger.accepted("c-" + i, "000.00.53.H48-261207-000" + i);
    }
    ledger.record(Client.WARMUP, Kind.SUBMIT, 202, now, 3, false, null);
    ledger.accepted("w-0", "000.00.53.H48-261207-0009");
    String verdict = render(config("surge"), ledger);
    assertTrue(line(verdict, "accepted submissions").startsWith("accepted submissions (measured load, warm-up "
        + "excluded): 3,"), verdict);
    String split = line(verdict, "dossiers that got a 202:");
    assertTrue(split.contains("4 distinct") && split.contains("3 of the measured load")
        && split.contains("1 of the warm-up"), split);
  }

  /** steady, soak and fairness have no factor: "raise -Dfactor" sent the reader to a knob without effect there. */
  @Test
  void aRunThatDidNotBreakNamesOnlyTheKnobsOfItsProfile() {
    RunLedger ledger = new RunLedger();
    ledger.record(Client.CITIZEN, Kind.SUBMIT, 202, System.currentTimeMillis(), 3, false, null);
    assertFalse(line(render(config("steady"), ledger), "broke at:").contains("-Dfactor"));
    assertTrue(line(render(config("surge"), ledger), "broke at:").contains("-Dfactor"));
  }
}
