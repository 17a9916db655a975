package vn.onewindow.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import vn.onewindow.common.dossier.NationalStatus;
import vn.onewindow.common.dossier.StatusTransitions;
import vn.onewindow.common.infra.Digests;
import vn.onewindow.gateway.validation.Violation;

/**
 * A progress event as read from a body that passed {@code config/schema/dossier-event.schema.json}, with the rules
 * of its status that a schema cannot say (what {@link StatusTransitions} requires it to carry).
 *
 * @param at        truncated to microseconds, PostgreSQL's precision, so a replay compares equal
 * @param result    the result references as JSON text, or null
 */
public record EventRequest(String eventId, NationalStatus status, Instant at, String officer, String note,
                           LocalDate dueDate, String result) {

  /** Reads a schema-valid body; a time or date the schema's format check let through but Java cannot read is a 422. */
  static EventRequest from(JsonNode body, List<Violation> violations) {
    Instant at = null;
    try {
      at = OffsetDateTime.parse(body.get("at").asText()).toInstant().truncatedTo(ChronoUnit.MICROS);
    } catch (DateTimeParseException e) {
      violations.add(new Violation("/at",
          "must be an RFC 3339 date-time with an offset, e.g. 2026-11-23T09:12:44+07:00"));
    }
    LocalDate dueDate = null;
    if (body.hasNonNull("dueDate")) {
      try {
        dueDate = LocalDate.parse(body.get("dueDate").asText());
      } catch (DateTimeParseException e) {
        violations.add(new Violation("/dueDate", "must be a date YYYY-MM-DD"));
      }
    }
    return new EventRequest(body.get("eventId").asText(), NationalStatus.of(body.get("status").asInt()), at,
        text(body, "officer"), text(body, "note"), dueDate, body.has("result") ? body.get("result").toString() : null);
  }

  /** What the status requires the event to carry: a due date with 2 and 5, result references with 9 (10 may). */
  List<Violation> ruleViolations(ZoneId zone) {
    List<Violation> violations = new ArrayList<>();
    String code = status.code() + " (" + status.label() + ")";
    if (StatusTransitions.requiresDueDate(status) && dueDate == null) {
      violations.add(new Violation("/dueDate", "required with status " + code + ": the appointment date"));
    } else if (!StatusTransitions.takesDueDate(status) && dueDate != null) {
      violations.add(new Violation("/dueDate", "only taken with status 2 (accepted) or 5 (supplement requested), "
          + "not with " + code));
    } else if (dueDate != null && at != null && dueDate.isBefore(at.atZone(zone).toLocalDate())) {
      violations.add(new Violation("/dueDate", "is before the event's own date"));
    }
    if (StatusTransitions.requiresResult(status) && result == null) {
      violations.add(new Violation("/result", "required with status " + code + ": the result documents' references"));
    } else if (!StatusTransitions.takesResult(status) && result != null) {
      violations.add(new Violation("/result", "only taken with status 9 (processing finished) or 10 (result "
          + "returned), not with " + code));
    }
    return violations;
  }

  /** What a replay must match: the whole event and the dossier it is about. */
  String fingerprint(UUID dossierId) {
    return Digests.sha256Hex(String.join("\n", dossierId.toString(), eventId, Integer.toString(status.code()),
        at.toString(), String.valueOf(officer), String.valueOf(note), String.valueOf(dueDate), String.valueOf(result)));
  }

  private static String text(JsonNode body, String field) {
    return body.hasNonNull(field) ? body.get(field).asText() : null;
  }
}
