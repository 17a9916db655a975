package vn.onewindow.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import vn.onewindow.loadtest.config.LoadConfig;

class VerdictTest {

  /**
   * A hub killed under load: hundreds of submissions get no response, and the ledger keeps only the first 200 for
   * unexpected-responses.txt. The verdict said "first of 200, all in unexpected-responses.txt" after 309 of them.
   */
  @Test
  void theVerdictCountsEveryUnexpectedAnswerAndSaysHowManyTheFileKeeps() {
    LoadConfig config = LoadConfig.fromSystemProperties();
    RunLedger ledger = new RunLedger();
    for (int i = 0; i < 309; i++) {
      ledger.unexpected("CITIZEN SUBMIT no response key=k-" + i + " null");
    }
    try (BacklogWatcher watcher = new BacklogWatcher(config, ledger)) {
      String verdict = Verdict.render(config, ledger, watcher, List.of());
      String line = verdict.lines().filter(l -> l.contains("unexpected answers")).findFirst().orElseThrow();
      assertTrue(line.contains("309 unexpected answers") || line.contains("of 309"), line);
      assertTrue(line.contains("first 200"), line);
      assertFalse(line.contains("all in"), line);
    }
  }
}
