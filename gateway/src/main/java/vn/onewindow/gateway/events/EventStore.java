package vn.onewindow.gateway.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiFunction;
import vn.onewindow.common.calendar.CalendarNotCoveredException;
import vn.onewindow.common.calendar.DueDates;
import vn.onewindow.common.dossier.NationalStatus;
import vn.onewindow.common.dossier.StatusTransitions;
import vn.onewindow.common.dossier.StatusTransitions.DueDateStep;
import vn.onewindow.gateway.http.ApiTimes;
import vn.onewindow.gateway.security.Caller;
import vn.onewindow.gateway.validation.Violation;

/**
 * Records one progress event in one transaction on the primary: recognise a replayed eventId (before the lock: a
 * retry waits for no one), lock the dossier row (FOR UPDATE: concurrent events of one dossier queue here), check the
 * transition and the time order, then append
 * the event, update the dossier's current state and append the status-history row in one statement. Every refusal
 * is a result, not a failure, so the {@code postgres_events} breaker counts only the store's own failures.
 *
 * <p>No statement of the transaction (lock waits included), nor its idle time between two, outlasts its request's
 * budget: the request is answered 503 then, and an agency retries it as told. Unbounded, a transaction waiting on a
 * dossier whose row stays locked (a writer stalled mid-transaction, an operator's session) keeps its pooled connection
 * until the lock goes, so a few retries of that one dossier take the whole events pool and every other dossier's
 * event is a 503 too (EventLockWaitTest); and one stalled mid-transaction holds the dossier and the feeds' horizon
 * until the server notices.
 */
final class EventStore {
  /**
   * $1 the request's budget: the longest a statement of this transaction runs, lock waits included, or the transaction
   * stays idle between two. A statement's bound, not lock_timeout's, which bounds each wait apart: several events of
   * one dossier wait in line, and the one next in line when the first gives up starts a new wait with a new budget.
   */
  private static final String BOUND = """
      SELECT set_config('statement_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $1, true)""";

  private static final String LOCK = """
      SELECT d.code, d.handling_agency, d.procedure_code, d.status, d.due_date,
             COALESCE(d.status_changed_at, d.received_at) AS last_at
      FROM dossier d WHERE d.id = $1 FOR UPDATE""";

  private static final String FIND = """
      SELECT e.seq, e.dossier_id, d.code, d.handling_agency, e.fingerprint, e.officer, e.note, e.status, e.at, e.due_date,
             e.previous_due_date, e.recorded_at
      FROM dossier_event e JOIN dossier d ON d.id = e.dossier_id
      WHERE e.client_id = $1 AND e.event_id = $2""";

  /**
   * $1 dossier, $2 client, $3 eventId, $4 status, $5 at, $6 officer, $7 note, $8 due, $9 previous due, $10 result,
   * $11 fingerprint, $12 the calendar version behind $8 (null with it).
   */
  private static final String RECORD = """
      WITH ev AS (
        INSERT INTO dossier_event (dossier_id, client_id, event_id, status, at, officer, note, due_date,
                                   previous_due_date, result, fingerprint, calendar_version)
        VALUES ($1::uuid, $2, $3, $4::int, $5::timestamptz, $6, $7, $8::date, $9::date, $10::text::jsonb, $11, $12)
        RETURNING seq, recorded_at
      ), upd AS (
        UPDATE dossier SET status = $4::int, status_changed_at = $5::timestamptz,
               due_date = COALESCE($8::date, due_date),
               accepted_at = CASE WHEN $4::int = 2 THEN $5::timestamptz ELSE accepted_at END,
               processed_at = CASE WHEN $4::int = 9 THEN $5::timestamptz ELSE processed_at END,
               returned_at = CASE WHEN $4::int = 10 THEN $5::timestamptz ELSE returned_at END
        WHERE id = $1::uuid
        RETURNING id, client_id, due_date
      ), hist AS (
        INSERT INTO dossier_status_history (dossier_id, status, changed_at, note, due_date, event_seq, client_id)
        SELECT upd.id, $4::int, $5::timestamptz, $7, upd.due_date, ev.seq, upd.client_id FROM upd, ev
      )
      SELECT seq, recorded_at FROM ev""";

  /** The supplement request (5) a dossier in status 5 waits on: its last event. */
  private static final String REQUEST = """
      SELECT e.at, e.due_date FROM dossier_event e WHERE e.dossier_id = $1 ORDER BY e.seq DESC LIMIT 1""";

  private static final String UNIQUE_VIOLATION = "23505";

  /** What became of an event. */
  sealed interface Recording {
  }

  /** Recorded now, or earlier under the same eventId with the same content ({@code replayed}). */
  record Recorded(JsonObject state, boolean replayed) implements Recording {
  }

  /** No such dossier, or one this agency client does not cover. */
  record NotFound() implements Recording {
  }

  record Illegal(NationalStatus current, NationalStatus requested) implements Recording {
  }

  /** {@code at} lies before the second of the dossier's last event (or of its reception). */
  record InThePast(Instant lastAt) implements Recording {
  }

  /** The eventId was already used by this client for another event or dossier. */
  record Reused() implements Recording {
  }

  /** A dueDate the dossier's state refuses (a 4 that does not end a supplement request, beyond the statutory date). */
  record Refused(Violation violation) implements Recording {
  }

  /**
   * A due date to compute ({@code step}: an acceptance, a supplement's arrival) that the loaded official calendar
   * cannot give, nor one for the same step now: its years ran out, the operators must load the next one.
   */
  record CalendarNotLoaded(CalendarNotCoveredException cause, String step) implements Recording {
  }

  /**
   * A due date to compute whose {@code at}, the time the agency chose, the loaded official calendar cannot date
   * (backdated before its first year) while it can date the same step now: no retry helps, the request must change.
   */
  record AtNotCovered(CalendarNotCoveredException cause, String step) implements Recording {
  }

  /** The due date an event leaves the dossier with (null: unchanged), or why it is refused. */
  private record Dating(LocalDate date, Recording refusal) {
    static Dating of(LocalDate date) {
      return new Dating(date, null);
    }

    static Dating refused(Recording refusal) {
      return new Dating(null, refusal);
    }
  }

  private final Pool pool;
  private final String budget;
  private final DueDates dueDates;
  private final BiFunction<String, Instant, LocalDate> acceptanceDue;
  private final Clock clock;

  /**
   * {@code dueDates}: the official calendar, to re-date a supplement's arrival; {@code acceptanceDue}: the statutory
   * appointment of a procedure's dossier accepted at an instant, on that calendar; {@code clock}: now, to tell whose
   * an undatable step is; {@code budget}: how long a request may wait for its event to be recorded.
   */
  EventStore(Pool pool, Duration budget, DueDates dueDates, BiFunction<String, Instant, LocalDate> acceptanceDue,
             Clock clock) {
    this.pool = pool;
    this.budget = budget.toMillis() + "ms";
    this.dueDates = dueDates;
    this.acceptanceDue = acceptanceDue;
    this.clock = clock;
  }

  Future<Recording> record(UUID dossierId, Caller caller, EventRequest event) {
    String fingerprint = event.fingerprint(dossierId);
    return pool.withTransaction(conn -> conn.preparedQuery(BOUND).execute(Tuple.of(budget))
            // a retry of this dossier's recorded event is answered from the event, before the dossier's lock: an
            // agency system's copies sent at once waited in line there, each holding the lock in turn, and behind any
            // transaction holding it, for an answer the stored event alone gives
            .compose(bound -> conn.preparedQuery(FIND).execute(Tuple.of(caller.clientId(), event.eventId())))
            .compose(found -> {
              Row earlier = first(found);
              return earlier != null && dossierId.equals(earlier.getUUID("dossier_id"))
                  && caller.covers(earlier.getString("handling_agency"))
                  ? Future.succeededFuture(replay(earlier, dossierId, event, fingerprint))
                  : locked(conn, dossierId, caller, event, fingerprint, earlier);
            }))
        // the same eventId sent for another dossier at the same moment: the UNIQUE constraint decided
        .recover(err -> err instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
            ? pool.preparedQuery(FIND).execute(Tuple.of(caller.clientId(), event.eventId()))
                .map(found -> first(found) == null ? new Reused()
                    : replay(first(found), dossierId, event, fingerprint))
            : Future.failedFuture(err));
  }

  /**
   * Under the dossier's lock: not found for an agency that does not cover it, the 409 for an eventId this client
   * used on another dossier ({@code earlier}), else the event applied. A refusal is checked against the events once
   * more: the same event sent at once may have been recorded between the first look and the lock, and its copies get
   * its replay, not the refusal its state now gives (a copy that passes the checks meets the UNIQUE constraint).
   */
  private Future<Recording> locked(SqlConnection conn, UUID dossierId, Caller caller, EventRequest event,
                                   String fingerprint, Row earlier) {
    return conn.preparedQuery(LOCK).execute(Tuple.of(dossierId)).compose(locked -> {
      Row dossier = first(locked);
      if (dossier == null || !caller.covers(dossier.getString("handling_agency"))) {
        return Future.succeededFuture(new NotFound());
      }
      if (earlier != null) {
        return Future.succeededFuture(replay(earlier, dossierId, event, fingerprint));
      }
      return apply(conn, dossierId, caller, event, dossier, fingerprint).compose(result -> result instanceof Recorded
          ? Future.succeededFuture(result)
          : conn.preparedQuery(FIND).execute(Tuple.of(caller.clientId(), event.eventId()))
              .map(found -> first(found) == null ? result : replay(first(found), dossierId, event, fingerprint)));
    });
  }

  /**
   * The answer recorded for this very event (same eventId, same content, a dossier this client covers), or null: for
   * an event the official calendar refuses now, which was recorded under the calendar files loaded then. A read, no
   * lock: a replay's answer is the stored one whatever happened to the dossier since.
   */
  Future<Recording> replayOf(UUID dossierId, Caller caller, EventRequest event) {
    String fingerprint = event.fingerprint(dossierId);
    return pool.preparedQuery(FIND).execute(Tuple.of(caller.clientId(), event.eventId())).map(rows -> {
      Row found = first(rows);
      if (found == null || !caller.covers(found.getString("handling_agency"))) {
        return null;
      }
      Recording replay = replay(found, dossierId, event, fingerprint);
      return replay instanceof Recorded ? replay : null;
    });
  }

  private Future<Recording> apply(SqlConnection conn, UUID dossierId, Caller caller, EventRequest event, Row dossier,
                                  String fingerprint) {
    NationalStatus current = NationalStatus.of(dossier.getShort("status"));
    if (!StatusTransitions.allowed(current, event.status())) {
      return Future.succeededFuture(new Illegal(current, event.status()));
    }
    Instant lastAt = dossier.getOffsetDateTime("last_at").toInstant();
    // compared to the second, as DueDates compares the cut-off: agencies' systems keep whole seconds (the national
    // sync's yyyyMMddHHmmss), so a step taken in the second of the reception (received at 13:43:54.224, accepted
    // "at 13:43:54") could otherwise never be reported at its true time. The history may then hold a time up to
    // 999 ms before the previous one: its readers order it as recorded (seq), not by time. status_changed_at takes
    // this at too, not the later of the two, so it stays what the 201, the history's last entry and the change feed
    // say; the contract warns frontends instead (openapi ChangeItem.at, statusChangedAt)
    if (event.at().isBefore(lastAt.truncatedTo(ChronoUnit.SECONDS))) {
      return Future.succeededFuture(new InThePast(lastAt));
    }
    LocalDate previousDue = dossier.getLocalDate("due_date");
    return dating(conn, dossierId, dossier, current, event).compose(dating -> dating.refusal() != null
        ? Future.succeededFuture(dating.refusal())
        : write(conn, dossierId, caller, event, dossier, fingerprint, previousDue, dating.date()));
  }

  private Future<Recording> write(SqlConnection conn, UUID dossierId, Caller caller, EventRequest event, Row dossier,
                                  String fingerprint, LocalDate previousDue, LocalDate dueDate) {
    Tuple params = Tuple.tuple().addValue(dossierId).addString(caller.clientId()).addString(event.eventId())
        .addInteger(event.status().code()).addOffsetDateTime(event.at().atOffset(ZoneOffset.UTC))
        .addString(event.officer()).addString(event.note()).addLocalDate(dueDate).addLocalDate(previousDue)
        .addString(event.result()).addString(fingerprint)
        // the files that dated or checked it: a due date must stay reproducible after they change (AGENCY.md section 5)
        .addString(dueDate == null ? null : dueDates.calendarVersion());
    return conn.preparedQuery(RECORD).execute(params).map(rows -> {
      Row row = first(rows);
      return new Recorded(state(dossierId, dossier.getString("code"), event.eventId(), row.getLong("seq"),
          event.status(), event.at(), dueDate != null ? dueDate : previousDue,
          row.getOffsetDateTime("recorded_at").toInstant()), false);
    });
  }

  /**
   * The due date the event sets: a 4 may carry one only when it ends a supplement request; an acceptance gets the
   * statutory one, or a date of the agency's no later than it; a supplement request (5) or its arrival (4 after 5)
   * sets the date it carries, no later than the statutory date of a dossier received at that event (a supplement
   * restarts the count at most, it never adds to it); the supplement's arrival without a date (after a 5 that carried
   * none) is re-dated on the calendar. A supplement requested after the due date moves nothing: the dossier stays
   * overdue, and a date sent with that 5 or its 4 is refused. A date the calendar cannot give is a refusal like the
   * others, not the store's failure: nothing is written and the breaker is not charged.
   */
  private Future<Dating> dating(SqlConnection conn, UUID dossierId, Row dossier, NationalStatus current,
                                EventRequest event) {
    String procedure = dossier.getString("procedure_code");
    LocalDate previousDue = dossier.getLocalDate("due_date");
    if (event.dueDate() != null && !StatusTransitions.takesDueDate(current, event.status())) {
      return Future.succeededFuture(Dating.refused(new Refused(new Violation("/dueDate", "only taken with status 4 "
          + "(in processing) when it follows 5 (supplement requested): the supplement's arrival re-dates the dossier; "
          + "not after " + current.code() + " (" + current.label() + ")"))));
    }
    boolean arrival = event.status() == NationalStatus.IN_PROCESSING
        && current == NationalStatus.ADDITIONAL_DOCUMENTS_REQUESTED;
    if (arrival && previousDue != null) {
      return conn.preparedQuery(REQUEST).execute(Tuple.of(dossierId))
          .map(rows -> arrivalDating(first(rows), procedure, previousDue, event));
    }
    if (event.status() == NationalStatus.ADDITIONAL_DOCUMENTS_REQUESTED && event.dueDate() != null
        && previousDue != null && dueDates.overdueAt(previousDue, event.at())) {
      return Future.succeededFuture(Dating.refused(lateSupplement(previousDue, event.at())));
    }
    if (event.status() == NationalStatus.ACCEPTED || event.dueDate() != null) {
      return Future.succeededFuture(statutoryAtMost(procedure, event));
    }
    // no date sent and none to compute (an arrival without a due date to start from: a procedure no longer in the
    // catalogue at acceptance; none is guessed)
    return Future.succeededFuture(Dating.of(null));
  }

  /**
   * The supplement's arrival (the 4 after {@code request}, the 5): no new date when it was requested after the due
   * date (the dossier stays overdue; a date sent is refused); else the agency's date within the statutory bound; else
   * the date the 5 carried; else the working days that remained at the request, counted after the arrival.
   */
  private Dating arrivalDating(Row request, String procedure, LocalDate previousDue, EventRequest event) {
    Instant requestedAt = request.getOffsetDateTime("at").toInstant();
    boolean datedAtRequest = request.getLocalDate("due_date") != null;
    if (!datedAtRequest && dueDates.overdueAt(previousDue, requestedAt)) {
      return event.dueDate() != null ? Dating.refused(lateSupplement(previousDue, requestedAt)) : Dating.of(null);
    }
    if (event.dueDate() != null) {
      return statutoryAtMost(procedure, event);
    }
    if (datedAtRequest) {
      // the agency re-dated at the request (what a 5 carried before arrivals were re-dated): that date stands
      return Dating.of(null);
    }
    try {
      LocalDate redated = dueDates.redateOnArrival(previousDue, requestedAt, event.at()).current().due();
      // never later than the date the agency may send with this arrival: a request made before the count began
      // (the evening of an acceptance after the cut-off) leaves more days than the procedure's statutory ones
      LocalDate statutory = acceptanceDue.apply(procedure, event.at());
      return Dating.of(statutory != null && redated.isAfter(statutory) ? statutory : redated);
    } catch (CalendarNotCoveredException e) {
      return Dating.refused(undatable(DueDateStep.SUPPLEMENT_RECEIVED.words(), e,
          () -> dueDates.redateOnArrival(previousDue, requestedAt, clock.instant())));
    }
  }

  /**
   * A date sent with a supplement requested once the dossier was overdue, or with that supplement's arrival: refused.
   * The deadline had passed; a new date would turn the late dossier into one on time (AGENCY.md section 4 judges the
   * end against the date in force), which is what agencies are ranked on.
   */
  private Refused lateSupplement(LocalDate due, Instant requestedAt) {
    return new Refused(new Violation("/dueDate", "the dossier was due on " + due + " and the supplement was requested "
        + "on " + dueDates.dayOf(requestedAt) + ", after that date: a supplement requested once "
        + "a dossier is overdue does not move its due date (it stays overdue); send the event without a dueDate"));
  }

  /** {@link #statutoryAtMost}, or the refusal when the official calendar cannot date the event's step. */
  private Dating statutoryAtMost(String procedure, EventRequest event) {
    String step = DueDateStep.of(event.status()).words();
    try {
      return statutoryAtMost(procedure, event, step);
    } catch (CalendarNotCoveredException e) {
      return Dating.refused(undatable(step, e, () -> acceptanceDue.apply(procedure, clock.instant())));
    }
  }

  /**
   * The statutory date of a dossier received at the event's {@code at} (the procedure's working days and cut-off on
   * the official calendar), or the agency's own date when it is not later. For an acceptance (2) that is the
   * appointment the hub gives when none is sent; a later one would promise the citizen less than the law and rank the
   * dossier "before deadline" for good. For a supplement request (5) or its arrival (4 after 5) it is the furthest the
   * agency may move the date: the count restarted at that event, in full, so no supplement can push the appointment
   * further (nor, through the dossier's pause, its ranking). A procedure no longer in the catalogue has no statutory
   * date: the agency's stands.
   */
  private Dating statutoryAtMost(String procedure, EventRequest event, String step) {
    LocalDate statutory = acceptanceDue.apply(procedure, event.at());
    if (event.dueDate() == null || statutory == null) {
      return Dating.of(event.dueDate() != null ? event.dueDate() : statutory);
    }
    if (event.dueDate().isAfter(statutory)) {
      return Dating.refused(new Refused(new Violation("/dueDate", event.dueDate() + " is later than " + statutory
          + ", the statutory due date of " + (event.status() == NationalStatus.ACCEPTED ? "this acceptance (the "
          + "procedure's working days counted from its at on the official calendar, the date given when no dueDate is "
          + "sent)" : step + " at this time (the procedure's full working days counted from its at on the official "
          + "calendar, as for a dossier received then: a supplement restarts the count at most)"))));
    }
    return Dating.of(event.dueDate());
  }

  /**
   * Whose the missing calendar is: the agency's when the same step taken now would be dated (its {@code at} lies
   * outside the loaded years), the operators' when now would not be either.
   */
  private static Recording undatable(String step, CalendarNotCoveredException atFailure, Runnable now) {
    try {
      now.run();
      return new AtNotCovered(atFailure, step);
    } catch (CalendarNotCoveredException nowFailure) {
      return new CalendarNotLoaded(atFailure, step);
    }
  }

  private Recording replay(Row found, UUID dossierId, EventRequest event, String fingerprint) {
    if (!fingerprint.equals(found.getString("fingerprint")) && !legacyMatch(found, dossierId, event)) {
      return new Reused();
    }
    LocalDate due = found.getLocalDate("due_date");
    return new Recorded(state(found.getUUID("dossier_id"), found.getString("code"), event.eventId(),
        found.getLong("seq"), NationalStatus.of(found.getShort("status")), found.getOffsetDateTime("at").toInstant(),
        due != null ? due : found.getLocalDate("previous_due_date"),
        found.getOffsetDateTime("recorded_at").toInstant()), true);
  }

  /**
   * A row recorded before the JSON fingerprint holds a joined one ({@link EventRequest#legacyFingerprints}), blind
   * to where the officer ends and the note begins: the stored columns, kept as sent, tell.
   */
  private static boolean legacyMatch(Row found, UUID dossierId, EventRequest event) {
    return event.legacyFingerprints(dossierId).contains(found.getString("fingerprint"))
        && Objects.equals(event.officer(), found.getString("officer"))
        && Objects.equals(event.note(), found.getString("note"));
  }

  /**
   * The dossier's state right after the event, built the same way when recorded and when replayed, so a replay
   * answers exactly what the first call answered (later events do not change it).
   */
  private static JsonObject state(UUID dossierId, String code, String eventId, long seq, NationalStatus status,
                                  Instant at, LocalDate dueDate, Instant recordedAt) {
    return new JsonObject()
        .put("dossierId", dossierId.toString())
        .put("code", code)
        .put("status", status.toJson())
        .put("statusChangedAt", at.toString())
        .put("dueDate", dueDate == null ? null : dueDate.toString())
        .put("event", new JsonObject().put("eventId", eventId).put("seq", seq).put("status", status.code())
            .put("at", at.toString()).put("recordedAt", ApiTimes.recorded(recordedAt)));
  }

  private static Row first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : rows.iterator().next();
  }
}
