package vn.onewindow.gateway.stats;

import io.vertx.core.json.JsonObject;
import java.time.LocalDate;

/**
 * The timeliness of an agency's dossiers over a period, as national reporting splits it (AGENCY.md section 4):
 * dossiers processed (9, 10) in the period by the calendar date processing ended against the appointment date;
 * dossiers still open at the period's end (or "as of" today for a running period) in time or overdue; paused
 * (supplement 5, payment 6, stopped 8), each with its overdue part; withdrawn (7), also split like the processed
 * dossiers by the date of the withdrawal against the appointment (PASETO's TraLaiTruocHan / TraLaiDungHan /
 * TraLaiQuaHan); and the applicants' satisfaction. Each dossier is judged by where it stood at the period's end
 * ({@link TimelinessQuery}).
 */
record Timeliness(String agency, LocalDate from, LocalDate to, LocalDate asOf, Processed processed, Open open,
                  Paused paused, long withdrawn, Withdrawn withdrawnByDeadline, Satisfaction satisfaction) {

  /** The figures of a period in which nothing was counted: one that has not begun by {@code asOf}. */
  static Timeliness nothing(String agency, LocalDate from, LocalDate to, LocalDate asOf) {
    return new Timeliness(agency, from, to, asOf, new Processed(0, 0, 0), new Open(0, 0, 0),
        new Paused(0, 0, 0, 0, 0, 0), 0, new Withdrawn(0, 0, 0), new Satisfaction(0, 0, 0));
  }

  /** These processed figures alone, every other figure 0 (the province gauges read no other). */
  Timeliness processedOnly() {
    Timeliness none = nothing(agency, from, to, asOf);
    return new Timeliness(agency, from, to, asOf, processed, none.open, none.paused, 0, none.withdrawnByDeadline,
        none.satisfaction);
  }

  /**
   * These figures and {@code other}'s, under {@code name}: every figure is a count, so a province's are the sums of its
   * agencies' (the ranking by province adds up the per-agency rows of its one statement).
   */
  Timeliness plus(Timeliness o, String name) {
    return new Timeliness(name, from, to, asOf,
        new Processed(processed.beforeDeadline + o.processed.beforeDeadline, processed.onTime + o.processed.onTime,
            processed.overdue + o.processed.overdue),
        new Open(open.inTime + o.open.inTime, open.overdue + o.open.overdue, open.dueSoon + o.open.dueSoon),
        new Paused(paused.supplement + o.paused.supplement, paused.supplementOverdue + o.paused.supplementOverdue,
            paused.payment + o.paused.payment, paused.paymentOverdue + o.paused.paymentOverdue,
            paused.stopped + o.paused.stopped, paused.stoppedOverdue + o.paused.stoppedOverdue),
        withdrawn + o.withdrawn,
        new Withdrawn(withdrawnByDeadline.beforeDeadline + o.withdrawnByDeadline.beforeDeadline,
            withdrawnByDeadline.onTime + o.withdrawnByDeadline.onTime,
            withdrawnByDeadline.overdue + o.withdrawnByDeadline.overdue),
        new Satisfaction(satisfaction.ratings + o.satisfaction.ratings, satisfaction.answers + o.satisfaction.answers,
            satisfaction.satisfied + o.satisfaction.satisfied));
  }

  record Processed(long beforeDeadline, long onTime, long overdue) {
    long total() {
      return beforeDeadline + onTime + overdue;
    }

    /** The national "on time" figure (AGENCY.md section 4): before the deadline or on it. */
    long inTime() {
      return beforeDeadline + onTime;
    }

    /** {@code processed.shares.beforeDeadlineOrOnTime}, the gauge hub_timeliness_on_time_share; null: none processed. */
    Double inTimeShare() {
      return share(inTime(), total());
    }

    /** {@code processed.shares.overdue}, the gauge hub_timeliness_overdue_share; null: none processed. */
    Double overdueShare() {
      return share(overdue, total());
    }
  }

  record Open(long inTime, long overdue, long dueSoon) {
  }

  /**
   * Each group of paused dossiers with the part of it that is overdue (AGENCY.md section 4: "{5}, {6, 8} count apart,
   * in time or overdue"). A supplement (5) or a payment (6) pending at the period's end is overdue when its
   * appointment is before {@code asOf}, as an open dossier is; a stop (8) ends a dossier and is judged as a withdrawal
   * is, overdue when it came on a calendar date after the appointment the dossier had then (none: not overdue); a stop
   * that directly follows a supplement request (5 -> 8) by the date of that request instead, since the agency's clock
   * stands while it waits for the citizen's documents.
   */
  record Paused(long supplement, long supplementOverdue, long payment, long paymentOverdue, long stopped,
                long stoppedOverdue) {
  }

  /**
   * The withdrawals of the period by the calendar date of the withdrawal against the appointment the dossier had:
   * before, on it, after. A dossier withdrawn before acceptance has no appointment and counts as on time, as a
   * processed dossier without one does, so the three add up to {@code withdrawn}.
   */
  record Withdrawn(long beforeDeadline, long onTime, long overdue) {
  }

  record Satisfaction(long ratings, long answers, long satisfied) {
  }

  JsonObject toJson() {
    long total = processed.total();
    return new JsonObject()
        .put("agency", agency)
        .put("from", from.toString())
        .put("to", to.toString())
        .put("asOf", asOf.toString())
        .put("processed", new JsonObject()
            .put("total", total)
            .put("beforeDeadline", processed.beforeDeadline())
            .put("onTime", processed.onTime())
            .put("overdue", processed.overdue())
            .put("shares", new JsonObject()
                .put("beforeDeadline", share(processed.beforeDeadline(), total))
                .put("onTime", share(processed.onTime(), total))
                .put("overdue", processed.overdueShare())
                .put("beforeDeadlineOrOnTime", processed.inTimeShare())))
        .put("open", new JsonObject()
            .put("total", open.inTime() + open.overdue())
            .put("inTime", open.inTime())
            .put("overdue", open.overdue())
            .put("dueWithin24Hours", open.dueSoon()))
        .put("paused", new JsonObject()
            .put("supplement", paused.supplement())
            .put("supplementOverdue", paused.supplementOverdue())
            .put("payment", paused.payment())
            .put("paymentOverdue", paused.paymentOverdue())
            .put("stopped", paused.stopped())
            .put("stoppedOverdue", paused.stoppedOverdue()))
        .put("withdrawn", withdrawn)
        .put("withdrawnByDeadline", new JsonObject()
            .put("beforeDeadline", withdrawnByDeadline.beforeDeadline())
            .put("onTime", withdrawnByDeadline.onTime())
            .put("overdue", withdrawnByDeadline.overdue()))
        .put("satisfaction", new JsonObject()
            .put("ratings", satisfaction.ratings())
            .put("answers", satisfaction.answers())
            .put("satisfied", satisfaction.satisfied())
            .put("share", share(satisfaction.satisfied(), satisfaction.answers())));
  }

  /** Rounded to 4 decimals (99.63% is 0.9963); null when there is nothing to share. */
  static Double share(long part, long whole) {
    return whole == 0 ? null : Math.round(part * 10_000.0 / whole) / 10_000.0;
  }
}
