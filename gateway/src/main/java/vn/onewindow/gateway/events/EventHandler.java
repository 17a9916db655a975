package vn.onewindow.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import vn.onewindow.common.calendar.CalendarNotCoveredException;
import vn.onewindow.common.calendar.DueDates;
import vn.onewindow.common.config.DossierConfig;
import vn.onewindow.common.dossier.StatusTransitions;
import vn.onewindow.common.metrics.LatencyTimers;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.EventOutcome;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.events.EventStore.AtNotCovered;
import vn.onewindow.gateway.events.EventStore.CalendarNotLoaded;
import vn.onewindow.gateway.events.EventStore.Illegal;
import vn.onewindow.gateway.events.EventStore.InThePast;
import vn.onewindow.gateway.events.EventStore.Recorded;
import vn.onewindow.gateway.events.EventStore.Recording;
import vn.onewindow.gateway.events.EventStore.Refused;
import vn.onewindow.gateway.events.EventStore.Reused;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.JsonContent;
import vn.onewindow.gateway.http.Problem;
import vn.onewindow.gateway.security.Caller;
import vn.onewindow.gateway.security.PayloadGuard;
import vn.onewindow.gateway.http.DossierIds;
import vn.onewindow.gateway.validation.DossierParser;
import vn.onewindow.gateway.validation.JsonSchemas;
import vn.onewindow.gateway.validation.Violation;

/**
 * POST /v1/dossiers/{id}/events by the handling agency's system, one router step per method: strict JSON, then
 * the event schema, the rules of its status, a dueDate against the official calendar and the clock ({@code at} not
 * after now plus {@code dossier.event-clock-skew-seconds}), then {@link EventStore} on the events pool behind the
 * {@code postgres_events} breaker. Answers 201 with the dossier's new state, 200 with the same body for a replayed
 * eventId. Never logs or counts the event's content (the officer's name is personal data).
 */
public final class EventHandler {
  public static final String SCHEMA_RESOURCE = "config/schema/dossier-event.schema.json";
  public static final String REPLAYED_HEADER = "Event-Replayed";
  private static final String EVENT = "event.request";
  private static final String DOSSIER_ID = "event.dossier";
  private static final String STARTED = "event.started";
  private static final String CALENDAR_REFUSAL = "event.calendar-refusal";
  /** What a failed call of the event store names in its answer; such a call fails with an HttpFailure only. */
  private static final String EVENT_WRITES = "event (postgres)";

  private final DossierParser parser;
  private final JsonSchemas schema = JsonSchemas.load(SCHEMA_RESOURCE);
  private final EventStore store;
  private final DueDates dueDates;
  private final UpstreamBreakers breakers;
  private final Duration timeout;
  private final DossierConfig config;
  private final Clock clock;
  private final Map<EventOutcome, Map<String, Counter>> counters;
  private final Timer latency;

  /**
   * {@code dueDates}: the official calendar the hub loaded, which every dueDate is checked against and a supplement's
   * arrival re-dated on; {@code acceptanceDue}: the statutory appointment of a procedure's dossier accepted at an
   * instant (an acceptance's date when it sends none, and the latest it may send).
   */
  public EventHandler(DossierParser parser, Pool events, UpstreamBreakers breakers, Duration timeout,
                      DossierConfig config, DueDates dueDates, BiFunction<String, Instant, LocalDate> acceptanceDue,
                      MeterRegistry registry, Clock clock) {
    this.parser = parser;
    this.dueDates = dueDates;
    this.store = new EventStore(events, timeout, dueDates, acceptanceDue, clock);
    this.breakers = breakers;
    this.timeout = timeout;
    this.config = config;
    this.clock = clock;
    this.counters = counters(registry);
    this.latency = LatencyTimers.register(MeterNames.AGENCY_EVENT_LATENCY, "Progress events recorded, request in to "
        + "201 out", registry);
  }

  /**
   * Step: the dossier id (not a UUID: 404 without touching a store), strict JSON (400) and the payload guard, as for a
   * dossier: an unpaired surrogate escape in a note was stored altered (as '?'), and a number beyond a double's range
   * reached the schema library, whose bound check overflows.
   */
  public void parse(RoutingContext ctx) {
    ctx.put(STARTED, System.nanoTime());
    try {
      ctx.put(DOSSIER_ID, DossierIds.parse(ctx.pathParam("id")));
      byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
      JsonNode body = parser.parse(bytes);
      PayloadGuard.check(bytes, body, violations -> HttpFailure.invalid(Problem.INVALID_EVENT, "event", violations))
          .ifPresent(failure -> {
            throw failure;
          });
      ctx.put(EVENT, body);
    } catch (HttpFailure f) {
      fail(ctx, f.problem() == Problem.NOT_FOUND ? EventOutcome.NOT_FOUND : EventOutcome.INVALID, null, f);
      return;
    }
    ctx.next();
  }

  /**
   * Step: schema, status rules and a dueDate's day (422 invalid-event, every field at once; a dueDate outside the
   * loaded calendar 422 calendar-not-covered or 503 calendar-not-loaded) and the clock (422 event-in-the-future).
   * When the official calendar alone refuses the event, the refusal waits for {@link #record}: the calendar files
   * change, and an event recorded under the previous ones is still answered as a replay when retried.
   */
  public void validate(RoutingContext ctx) {
    JsonNode body = ctx.get(EVENT);
    List<Violation> violations = new ArrayList<>(schema.validate(body));
    Integer status = body.path("status").canConvertToInt() ? body.path("status").asInt() : null;
    if (!violations.isEmpty()) {
      fail(ctx, EventOutcome.INVALID, status, HttpFailure.invalid(Problem.INVALID_EVENT, "event", violations));
      return;
    }
    EventRequest event = EventRequest.from(body, violations);
    if (violations.isEmpty()) {
      violations.addAll(event.ruleViolations(config.zone()));
    }
    HttpFailure calendarRefusal = null;
    if (event.at() != null) {
      try {
        List<Violation> calendar = event.calendarViolations(dueDates);
        if (!violations.isEmpty()) {
          violations.addAll(calendar);
        } else if (!calendar.isEmpty()) {
          calendarRefusal = HttpFailure.invalid(Problem.INVALID_EVENT, "event", calendar);
        }
      } catch (CalendarNotCoveredException e) {
        calendarRefusal = dueDateNotCovered(e);
      }
    }
    if (!violations.isEmpty()) {
      fail(ctx, EventOutcome.INVALID, status, HttpFailure.invalid(Problem.INVALID_EVENT, "event", violations));
      return;
    }
    Instant latest = clock.instant().plus(config.eventClockSkew());
    if (event.at().isAfter(latest)) {
      fail(ctx, EventOutcome.OUT_OF_ORDER, status, HttpFailure.of(Problem.EVENT_IN_THE_FUTURE, "at " + event.at()
          + " is later than the hub's clock plus " + config.eventClockSkew().toSeconds() + " s of tolerated skew",
          Map.of("latestAcceptedAt", latest.toString())));
      return;
    }
    ctx.put(EVENT, event);
    if (calendarRefusal != null) {
      ctx.put(CALENDAR_REFUSAL, calendarRefusal);
    }
    ctx.next();
  }

  /**
   * Last step: record it and answer with the dossier's state after the event. An event the official calendar refuses
   * is recorded only if it was before ({@link EventStore#replayOf}): a retry gets its replay, anything else the
   * refusal, and nothing is written.
   */
  public void record(RoutingContext ctx) {
    EventRequest event = ctx.get(EVENT);
    UUID dossierId = ctx.get(DOSSIER_ID);
    HttpFailure calendarRefusal = ctx.get(CALENDAR_REFUSAL);
    if (calendarRefusal != null) {
      breakers.call(Upstream.POSTGRES_EVENTS, timeout, EVENT_WRITES,
              () -> store.replayOf(dossierId, Caller.of(ctx), event))
          .onSuccess(replayed -> {
            if (replayed != null) {
              answer(ctx, event, replayed);
            } else {
              fail(ctx, calendarRefusal.problem().isClientError() ? EventOutcome.INVALID : EventOutcome.FAILED,
                  event.status().code(), calendarRefusal);
            }
          })
          .onFailure(err -> fail(ctx, EventOutcome.FAILED, event.status().code(), (HttpFailure) err));
      return;
    }
    // a timed-out event may still commit: the agency retries with the same eventId and gets the replay
    breakers.call(Upstream.POSTGRES_EVENTS, timeout, EVENT_WRITES, () -> store.record(dossierId, Caller.of(ctx), event))
        .onSuccess(recording -> answer(ctx, event, recording))
        .onFailure(err -> fail(ctx, EventOutcome.FAILED, event.status().code(), (HttpFailure) err));
  }

  private void answer(RoutingContext ctx, EventRequest event, Recording recording) {
    int status = event.status().code();
    if (recording instanceof Recorded r) {
      count(r.replayed() ? EventOutcome.REPLAYED : EventOutcome.CREATED, status);
      if (!r.replayed()) {
        Long started = ctx.get(STARTED);
        latency.record(Duration.ofNanos(System.nanoTime() - started));
      }
      ctx.response().setStatusCode(r.replayed() ? 200 : 201)
          .putHeader(HttpHeaders.CONTENT_TYPE, JsonContent.CONTENT_TYPE)
          .putHeader(REPLAYED_HEADER, Boolean.toString(r.replayed()))
          .end(r.state().encode());
    } else if (recording instanceof Illegal i) {
      fail(ctx, EventOutcome.ILLEGAL_TRANSITION, status, illegal(i));
    } else if (recording instanceof InThePast p) {
      fail(ctx, EventOutcome.OUT_OF_ORDER, status, HttpFailure.of(Problem.EVENT_IN_THE_PAST,
          "at " + event.at() + " is before the dossier's last event at " + p.lastAt() + " (compared to the second)",
          Map.of("lastEventAt", p.lastAt().toString())));
    } else if (recording instanceof Refused r) {
      fail(ctx, EventOutcome.INVALID, status, HttpFailure.invalid(Problem.INVALID_EVENT, "event",
          List.of(r.violation())));
    } else if (recording instanceof AtNotCovered a) {
      fail(ctx, EventOutcome.INVALID, status, HttpFailure.calendarNotCovered(a.cause(), "no due date can be "
          + "computed for " + a.step() + " at that time (its day, or a working day counted after it, falls outside "
          + "those years), nor a dueDate sent with it checked; nothing was recorded"));
    } else if (recording instanceof CalendarNotLoaded c) {
      fail(ctx, EventOutcome.FAILED, status, HttpFailure.calendarNotLoaded(c.cause(), "no due date can be computed "
          + "for " + c.step() + ", nor a dueDate sent with it checked; nothing was recorded, retry later"));
    } else if (recording instanceof Reused) {
      fail(ctx, EventOutcome.EVENT_ID_REUSED, status, HttpFailure.of(Problem.EVENT_ID_REUSED,
          "eventId " + event.eventId() + " was already used by this client for a different event; nothing was "
              + "changed (a retry must resend the same event)", Map.of()));
    } else {
      fail(ctx, EventOutcome.NOT_FOUND, status, HttpFailure.notFound("no dossier with this id"));
    }
  }

  /**
   * A dueDate the loaded calendar cannot tell a working day of: the agency's to fix (422, as for an {@code at} it
   * cannot date) while today is covered, the operators' (503, load the next year) when today is not either. Years
   * only in the detail, never the date: it reaches logs with a 503.
   */
  private HttpFailure dueDateNotCovered(CalendarNotCoveredException e) {
    return coversToday()
        ? HttpFailure.calendarNotCovered(e, "the dueDate sent lies outside those years, so it cannot be checked "
            + "against the official calendar; nothing was recorded")
        : HttpFailure.calendarNotLoaded(e, "a dueDate cannot be checked against it; nothing was recorded, retry "
            + "later");
  }

  private boolean coversToday() {
    try {
      dueDates.isWorkingDay(LocalDate.ofInstant(clock.instant(), config.zone()));
      return true;
    } catch (CalendarNotCoveredException e) {
      return false;
    }
  }

  private static HttpFailure illegal(Illegal i) {
    JsonArray allowed = new JsonArray();
    StatusTransitions.allowedAfter(i.current()).forEach(s -> allowed.add(s.toJson()));
    String detail = "a dossier in status " + i.current().code() + " (" + i.current().label() + ") cannot move to "
        + i.requested().code() + " (" + i.requested().label() + "); " + (allowed.isEmpty() ? "it is final"
        : "allowed next: " + String.join(", ", StatusTransitions.allowedAfter(i.current()).stream()
            .map(s -> Integer.toString(s.code())).toList()));
    return HttpFailure.of(Problem.ILLEGAL_TRANSITION, detail, Map.of("currentStatus", i.current().toJson(),
        "requestedStatus", i.requested().toJson(), "allowedNext", allowed));
  }

  private void fail(RoutingContext ctx, EventOutcome outcome, Integer status, HttpFailure failure) {
    count(outcome, status);
    ctx.fail(failure);
  }

  private void count(EventOutcome outcome, Integer status) {
    counters.get(outcome).get(MeterNames.statusTag(status)).increment();
  }

  /** Outcome and status are both bounded (enum; codes 1-10 or "unknown"): 8 x 11 series, registered once. */
  private static Map<EventOutcome, Map<String, Counter>> counters(MeterRegistry registry) {
    Map<EventOutcome, Map<String, Counter>> counters = new EnumMap<>(EventOutcome.class);
    for (EventOutcome outcome : EventOutcome.values()) {
      Map<String, Counter> byStatus = new HashMap<>();
      for (int code = 0; code <= 10; code++) {
        String tag = MeterNames.statusTag(code);
        byStatus.put(tag, Counter.builder(MeterNames.AGENCY_EVENTS).description("Progress events by outcome and status")
            .tag(MeterNames.TAG_OUTCOME, outcome.tag()).tag(MeterNames.TAG_STATUS, tag).register(registry));
      }
      counters.put(outcome, byStatus);
    }
    return counters;
  }
}
