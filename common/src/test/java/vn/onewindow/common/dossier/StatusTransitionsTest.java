package vn.onewindow.common.dossier;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.common.dossier.NationalStatus.ACCEPTED;
import static vn.onewindow.common.dossier.NationalStatus.ADDITIONAL_DOCUMENTS_REQUESTED;
import static vn.onewindow.common.dossier.NationalStatus.FINANCIAL_OBLIGATION_REQUESTED;
import static vn.onewindow.common.dossier.NationalStatus.IN_PROCESSING;
import static vn.onewindow.common.dossier.NationalStatus.NEWLY_REGISTERED;
import static vn.onewindow.common.dossier.NationalStatus.NOT_ACCEPTED;
import static vn.onewindow.common.dossier.NationalStatus.PROCESSING_FINISHED;
import static vn.onewindow.common.dossier.NationalStatus.PROCESSING_STOPPED;
import static vn.onewindow.common.dossier.NationalStatus.RESULT_RETURNED;
import static vn.onewindow.common.dossier.NationalStatus.WITHDRAWN;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The national status model's transition table, without servers. */
class StatusTransitionsTest {

  @Test
  void shouldFollowTheTableOfTheReadme() {
    assertThat(next(NEWLY_REGISTERED)).containsExactly(2, 3, 7);
    assertThat(next(ACCEPTED)).containsExactly(4, 7);
    assertThat(next(IN_PROCESSING)).containsExactly(4, 5, 6, 7, 8, 9);
    // a dossier waiting for a supplement or a payment may be stopped when the citizen never brings or pays it
    assertThat(next(ADDITIONAL_DOCUMENTS_REQUESTED)).containsExactly(4, 7, 8);
    assertThat(next(FINANCIAL_OBLIGATION_REQUESTED)).containsExactly(4, 7, 8);
    assertThat(next(PROCESSING_FINISHED)).containsExactly(10);
  }

  @Test
  void shouldMakeRefusalWithdrawalStopAndHandOverFinal() {
    Set<NationalStatus> terminal = Arrays.stream(NationalStatus.values()).filter(StatusTransitions::isTerminal)
        .collect(Collectors.toSet());

    assertThat(terminal).containsExactlyInAnyOrder(NOT_ACCEPTED, WITHDRAWN, PROCESSING_STOPPED, RESULT_RETURNED);
    terminal.forEach(s -> assertThat(StatusTransitions.allowedAfter(s)).isEmpty());
  }

  @Test
  void shouldAllowWithdrawalFromEveryOpenStatusBeforeTheDecisionOnly() {
    for (NationalStatus s : NationalStatus.values()) {
      boolean beforeDecision = s.code() < 9 && !StatusTransitions.isTerminal(s);
      assertThat(StatusTransitions.allowed(s, WITHDRAWN)).as("%s -> 7", s).isEqualTo(beforeDecision);
    }
  }

  @Test
  void shouldNeverLeadBackToRegistrationNorStayInPlaceButForAProcessingStep() {
    for (NationalStatus s : NationalStatus.values()) {
      assertThat(StatusTransitions.allowed(s, NEWLY_REGISTERED)).isFalse();
      assertThat(StatusTransitions.allowed(s, s)).as("%s -> itself", s).isEqualTo(s == IN_PROCESSING);
    }
    assertThat(StatusTransitions.takesDueDate(IN_PROCESSING, IN_PROCESSING)).as("a step changes no date").isFalse();
  }

  @Test
  void shouldTakeADueDateWhereTheAppointmentIsSetOrRedatedAndResultsWithTheDecision() {
    // none requires one: an acceptance without a date gets the official calendar's, a supplement's arrival is
    // re-dated by the hub (EventStore), a supplement request without one leaves the date until the arrival
    assertThat(EnumSet.allOf(NationalStatus.class).stream().filter(StatusTransitions::takesDueDate))
        .containsExactly(ACCEPTED, IN_PROCESSING, ADDITIONAL_DOCUMENTS_REQUESTED);
    for (NationalStatus from : NationalStatus.values()) {
      for (NationalStatus to : StatusTransitions.allowedAfter(from)) {
        assertThat(StatusTransitions.takesDueDate(from, to)).as("%s -> %s", from, to)
            .isEqualTo(to == ACCEPTED || to == ADDITIONAL_DOCUMENTS_REQUESTED
                || to == IN_PROCESSING && from == ADDITIONAL_DOCUMENTS_REQUESTED);
      }
    }
    assertThat(EnumSet.allOf(NationalStatus.class).stream().filter(StatusTransitions::requiresResult))
        .containsExactly(PROCESSING_FINISHED);
    assertThat(EnumSet.allOf(NationalStatus.class).stream().filter(StatusTransitions::takesResult))
        .containsExactly(PROCESSING_FINISHED, RESULT_RETURNED);
  }

  private static List<Integer> next(NationalStatus s) {
    return StatusTransitions.allowedAfter(s).stream().map(NationalStatus::code).toList();
  }
}
