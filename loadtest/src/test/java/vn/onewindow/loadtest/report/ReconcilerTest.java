package vn.onewindow.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.loadtest.config.LoadConfig;

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

  /**
   * A JDBC URL the driver does not take (jdbc:postgres: for jdbc:postgresql:, a port out of range) is refused by
   * DriverManager with "No suitable driver found for " and the whole URL, its password= included.
   */
  @Test
  void aUrlTheDriverRefusesIsNotQuotedWithItsPassword() throws Exception {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("baseUrl", "http://127.0.0.1:1");
    p.setProperty("pgUrl", "jdbc:postgres://127.0.0.1:1/hub?user=hub&password=s3cret");
    LoadConfig config = LoadConfig.fromProperties(p);
    RunLedger ledger = new RunLedger();
    ledger.accepted("3f2b8c1e-7a4d-4e0b-9c61-2d5e8f0a1b23", "000.00.53.H48-261207-0001");
    try (Reconciler reconciler = new Reconciler(config, ledger)) {
      String message = assertThrows(IllegalStateException.class, reconciler::checkReachable).getMessage();
      assertFalse(message.contains("s3cret"), message);
      assertFalse(reconciler.poll(), "nothing reachable");
      assertFalse(reconciler.lastError().contains("s3cret"), reconciler.lastError());
      String summary = reconciler.finish().summary();
      assertFalse(summary.contains("s3cret"), summary);
    }
  }
}
