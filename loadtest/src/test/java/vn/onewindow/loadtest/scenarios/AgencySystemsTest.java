package vn.onewindow.loadtest.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgencySystemsTest {

  /**
   * Against a hub that already holds dossiers (any --base-url environment, or a second run), the agency feeds start
   * at their first dossier: the simulated systems posted "accepted" and "processing" to every one of them, dossiers
   * of earlier runs or of real applicants included (21,548 events for 1,505 dossiers of the run, and a 409 for one
   * already processed). Only the run's own dossiers, those that got a 202 in this run, may be moved.
   */
  @Test
  void onlyTheRunsOwnDossiersGetProgressEvents() {
    Map<String, String> acceptedThisRun = Map.of("id-mine-1", "code-1", "id-mine-2", "code-2");
    List<String> page = List.of("id-earlier-run", "id-mine-1", "id-of-a-citizen", "id-mine-2");
    assertEquals(List.of("id-mine-1", "id-mine-2"), AgencySystems.ownDossiers(page, acceptedThisRun));
  }
}
