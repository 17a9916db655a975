package vn.onewindow.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconcilerTest {

  @Test
  void onlyAnswersThatMayFollowAnEnqueueExplainARowWithoutReceipt() {
    assertTrue(Reconciler.ambiguous("no response"));
    assertTrue(Reconciler.ambiguous("503 upstream-unavailable"));
    assertTrue(Reconciler.ambiguous("500"));
    assertFalse(Reconciler.ambiguous("429 rate-limited"));
    assertFalse(Reconciler.ambiguous("503 circuit-open"));
    assertFalse(Reconciler.ambiguous("409 idempotency-key-reused"));
  }

  @Test
  void aMissingDossierOrASecondRowForOneKeyFails() {
    Reconciler.Result clean = new Reconciler.Result(true, null, 10, 10, 10, 0, 0, 0, 0, 0, 12, 0, List.of(),
        Map.of("503 upstream-unavailable", 2L), 0, null);
    assertTrue(clean.passed(), clean.summary());
    Reconciler.Result missing = new Reconciler.Result(true, null, 10, 10, 9, 1, 0, 0, 0, 0, 9, 0, List.of(), Map.of(),
        0, null);
    assertFalse(missing.passed());
    Reconciler.Result twice = new Reconciler.Result(true, null, 10, 10, 10, 0, 0, 0, 0, 0, 11, 1,
        List.of("k x2"), Map.of("unexplained", 1L), 1, null);
    assertFalse(twice.passed());
    assertTrue(twice.summary().contains("1 Idempotency-Keys stored as more than one dossier"), twice.summary());
  }
}
