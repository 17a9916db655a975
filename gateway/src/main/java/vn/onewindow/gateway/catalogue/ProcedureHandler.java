package vn.onewindow.gateway.catalogue;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import vn.onewindow.common.calendar.CalendarNotCoveredException;
import vn.onewindow.common.calendar.DueDate;
import vn.onewindow.common.calendar.DueDates;
import vn.onewindow.common.dossier.Channel;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.validation.FormField;
import vn.onewindow.gateway.validation.ProcedureCatalogue;
import vn.onewindow.gateway.validation.ProcedureCatalogue.Procedure;

/**
 * The procedure catalogue for frontends: what a procedure needs (form fields with their types, attachments, channels),
 * how long it takes, and the due date a citizen would be given if the dossier were received at a given moment (the
 * portal shows it on its procedure pages before anyone submits). Read-only and in memory: no store is touched.
 */
public final class ProcedureHandler {
  /**
   * The catalogue changes with a deployment, not by the minute: a frontend's browser may keep it a while. Private:
   * it is answered to API keys only, and with Access-Control-Allow-Origin for a browser's origin, neither of which a
   * shared cache would tell apart.
   */
  private static final String CATALOGUE_CACHE = "private, max-age=300";

  private final ProcedureCatalogue catalogue;
  private final DueDates dueDates;
  private final Clock clock;

  public ProcedureHandler(ProcedureCatalogue catalogue, DueDates dueDates, Clock clock) {
    this.catalogue = catalogue;
    this.dueDates = dueDates;
    this.clock = clock;
  }

  /** GET /v1/procedures: every procedure, in catalogue order. */
  public void list(RoutingContext ctx) {
    JsonArray items = new JsonArray();
    catalogue.all().forEach(p -> items.add(toJson(p)));
    send(ctx, CATALOGUE_CACHE, new JsonObject().put("version", catalogue.version()).put("items", items));
  }

  /** GET /v1/procedures/{code}. */
  public void one(RoutingContext ctx) {
    send(ctx, CATALOGUE_CACHE, toJson(procedure(ctx)));
  }

  /**
   * GET /v1/procedures/{code}/due-date?receivedAt=: the due date of a dossier received at that instant (an ISO-8601
   * timestamp with its offset; now when absent), on the official calendar with the procedure's cut-off time. A time
   * outside the loaded calendar's years is the client's to change (422); now outside them is the operators' (503).
   */
  public void dueDate(RoutingContext ctx) {
    Procedure procedure = procedure(ctx);
    List<String> asked = ctx.queryParam("receivedAt");
    Instant receivedAt = receivedAt(asked);
    DueDate due;
    try {
      due = procedure.due(dueDates, receivedAt);
    } catch (CalendarNotCoveredException e) {
      throw asked.isEmpty() ? HttpFailure.calendarNotLoaded(e, "retry later") : HttpFailure.calendarNotCovered(e);
    }
    send(ctx, "no-store", new JsonObject()
        .put("procedureCode", procedure.code())
        // a frontend must not offer a date for a procedure it cannot submit without saying so
        .put("active", procedure.active())
        .put("receivedAt", receivedAt.toString())
        .put("countedFrom", due.countedFrom().toString())
        .put("dueDate", due.due().toString())
        .put("workingDays", due.workingDays())
        .put("cutOff", procedure.cutOff() == null ? null : procedure.cutOff().toString())
        .put("provisional", due.provisional())
        .put("calendarVersion", due.calendarVersion()));
  }

  private Procedure procedure(RoutingContext ctx) {
    return catalogue.find(ctx.pathParam("code"))
        .orElseThrow(() -> HttpFailure.notFound("no procedure with this code in the catalogue"));
  }

  private Instant receivedAt(List<String> values) {
    if (values.isEmpty()) {
      // a receipt's now, written as a receipt's receivedAt is (to the millisecond), not the clock's nanoseconds
      return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
    if (values.size() > 1) {
      throw HttpFailure.malformed("give receivedAt once");
    }
    try {
      OffsetDateTime asked = OffsetDateTime.parse(values.get(0));
      // the calendar counts days within years 1-9999; a year java.time reads beyond them (+999999999-12-31...)
      // was a 500 from the day arithmetic (security tryout)
      if (asked.getYear() < 1 || asked.getYear() > 9999) {
        throw HttpFailure.malformed("receivedAt must lie in the years 1 to 9999");
      }
      return asked.toInstant();
    } catch (DateTimeParseException e) {
      // an offset's '+' sent unencoded arrives as a space: the example below, pasted into a URL, would not parse
      throw HttpFailure.malformed("receivedAt must be an ISO-8601 timestamp with its offset, "
          + "e.g. 2026-02-13T14:30:00+07:00" + (values.get(0).contains(" ")
          ? "; in a query string a '+' reads as a space: write the offset's + as %2B" : ""));
    }
  }

  private static JsonObject toJson(Procedure p) {
    return new JsonObject()
        .put("code", p.code())
        .put("name", p.name())
        .put("nameEn", p.nameEn())
        .put("field", p.field())
        .put("level", p.level())
        .put("processingDays", p.processingDays())
        .put("cutOff", p.cutOff() == null ? null : p.cutOff().toString())
        .put("channels", new JsonArray(p.channels().stream().map(Channel::tag).sorted().toList()))
        .put("applicantTypes", new JsonArray(p.applicantTypes().stream().sorted().toList()))
        .put("requiredFields", new JsonArray(p.requiredFields()))
        .put("fields", fields(p))
        .put("requiredAttachments", p.requiredAttachments())
        .put("active", p.active());
  }

  /** Each form field with its type and the type's limits, for a frontend to render and check the form. */
  private static JsonArray fields(Procedure p) {
    JsonArray fields = new JsonArray();
    for (FormField field : p.formFields()) {
      JsonObject json = new JsonObject().put("name", field.name()).put("required", field.required())
          .put("type", field.type().name());
      field.type().attributes().forEach((name, value) ->
          json.put(name, value instanceof List<?> list ? new JsonArray(new ArrayList<>(list)) : value));
      fields.add(json);
    }
    return fields;
  }

  private static void send(RoutingContext ctx, String cacheControl, JsonObject body) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, cacheControl);
    if (!cacheControl.equals("no-store") && !ctx.response().headers().contains(HttpHeaders.VARY)) {
      // a kept copy answered with (or without) Access-Control-Allow-Origin must not serve a request from another
      // origin (CorsHandler says Vary only when several origins are allowed)
      ctx.response().putHeader(HttpHeaders.VARY, "Origin");
    }
    HeadRequests.end(ctx, body.encode());
  }
}
