package vn.onewindow.common.dossier;

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

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one table of which progress event may follow which status (national status model, README "Progress
 * events"), and what an event of each status must carry. Nothing else decides a transition.
 *
 * <pre>
 *  1 newly registered   -> 2 accepted | 3 not accepted | 7 withdrawn
 *  2 accepted           -> 4 in processing | 7
 *  4 in processing      -> 4 a further step | 5 supplement requested | 6 financial obligation | 8 stopped
 *                          | 9 finished | 7
 *  5 supplement request -> 4 (supplement received: re-dates the dossier) | 7 | 8 (never supplied)
 *  6 financial oblig.   -> 4 | 7 | 8 (never paid)
 *  9 finished           -> 10 result returned
 *  3, 7, 8, 10          terminal
 * </pre>
 * 7, the citizen's withdrawal, is allowed from every status before 9 that is not already terminal. 8 may end a
 * pause itself: agencies stop a dossier exactly when the supplement or the payment never came in the time allowed (a
 * "supplement received" 4 first would re-date the dossier and tell the citizen of an arrival that never happened).
 * 4 may follow itself because agencies' systems report every step of the processing (CapNhatTienDoHoSoMC, one event per step: the
 * dossier passed to another department, signed by a leader), most of them in 4; such a step changes no date. No
 * other status follows itself.
 */
public final class StatusTransitions {
  private static final Map<NationalStatus, Set<NationalStatus>> NEXT = new EnumMap<>(NationalStatus.class);

  static {
    NEXT.put(NEWLY_REGISTERED, EnumSet.of(ACCEPTED, NOT_ACCEPTED, WITHDRAWN));
    NEXT.put(ACCEPTED, EnumSet.of(IN_PROCESSING, WITHDRAWN));
    NEXT.put(IN_PROCESSING, EnumSet.of(IN_PROCESSING, ADDITIONAL_DOCUMENTS_REQUESTED, FINANCIAL_OBLIGATION_REQUESTED,
        PROCESSING_STOPPED, PROCESSING_FINISHED, WITHDRAWN));
    NEXT.put(ADDITIONAL_DOCUMENTS_REQUESTED, EnumSet.of(IN_PROCESSING, WITHDRAWN, PROCESSING_STOPPED));
    NEXT.put(FINANCIAL_OBLIGATION_REQUESTED, EnumSet.of(IN_PROCESSING, WITHDRAWN, PROCESSING_STOPPED));
    NEXT.put(PROCESSING_FINISHED, EnumSet.of(RESULT_RETURNED));
    for (NationalStatus terminal : EnumSet.of(NOT_ACCEPTED, WITHDRAWN, PROCESSING_STOPPED, RESULT_RETURNED)) {
      NEXT.put(terminal, EnumSet.noneOf(NationalStatus.class));
    }
  }

  private StatusTransitions() {
  }

  /** The statuses an event may move a dossier in {@code current} to, in code order; empty when terminal. */
  public static Set<NationalStatus> allowedAfter(NationalStatus current) {
    return Collections.unmodifiableSet(NEXT.get(current));
  }

  public static boolean allowed(NationalStatus from, NationalStatus to) {
    return NEXT.get(from).contains(to);
  }

  public static boolean isTerminal(NationalStatus status) {
    return NEXT.get(status).isEmpty();
  }

  /**
   * The statuses whose events may carry an appointment date, in one transition or another: an acceptance (2; the hub
   * computes it when absent), a supplement request (5; by the agency's choice, re-dating at the request) and the
   * supplement's arrival (4, only after 5: {@link #takesDueDate(NationalStatus, NationalStatus)}). None requires one.
   */
  public static boolean takesDueDate(NationalStatus status) {
    return status == ACCEPTED || status == IN_PROCESSING || status == ADDITIONAL_DOCUMENTS_REQUESTED;
  }

  /**
   * Whether an event moving a dossier from {@code from} to {@code to} may carry an appointment date: 2 and 5 always,
   * 4 only when it ends a supplement request (the supplement arrived: the dossier is re-dated), never 4 after 2 or 6.
   */
  public static boolean takesDueDate(NationalStatus from, NationalStatus to) {
    return to == IN_PROCESSING ? from == ADDITIONAL_DOCUMENTS_REQUESTED : takesDueDate(to);
  }

  /**
   * The step of a dossier's life an appointment date comes with, by the status its event sets ({@link #takesDueDate}:
   * 2, 5, and 4 after 5): the reason a due-date change is listed under in the citizen's view, and how the hub names
   * the step in a refusal.
   */
  public enum DueDateStep {
    ACCEPTANCE("acceptance", "an acceptance"),
    SUPPLEMENT_REQUESTED("supplement-requested", "a supplement request"),
    SUPPLEMENT_RECEIVED("supplement-received", "a supplement's arrival");

    private final String reason;
    private final String words;

    DueDateStep(String reason, String words) {
      this.reason = reason;
      this.words = words;
    }

    /** The step an event setting {@code status} takes; 4 is only ever dated when it ends a supplement request. */
    public static DueDateStep of(NationalStatus status) {
      return status == ACCEPTED ? ACCEPTANCE
          : status == ADDITIONAL_DOCUMENTS_REQUESTED ? SUPPLEMENT_REQUESTED : SUPPLEMENT_RECEIVED;
    }

    /** Its tag in the citizen's view ({@code dueDateChanges[].reason}). */
    public String reason() {
      return reason;
    }

    /** Its name in a sentence ("no due date can be computed for an acceptance"). */
    public String words() {
      return words;
    }
  }

  /** The decision (9) names its result documents; the hand-over (10) may add or correct them. */
  public static boolean requiresResult(NationalStatus status) {
    return status == PROCESSING_FINISHED;
  }

  public static boolean takesResult(NationalStatus status) {
    return status == PROCESSING_FINISHED || status == RESULT_RETURNED;
  }
}
