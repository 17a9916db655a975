package vn.onewindow.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import vn.onewindow.common.calendar.CalendarNotCoveredException;
import vn.onewindow.common.calendar.DueDates;
import vn.onewindow.common.dossier.NationalStatus;
import vn.onewindow.common.dossier.StatusTransitions;
import vn.onewindow.common.infra.Digests;
import vn.onewindow.gateway.validation.Violation;

/**
 * A progress event as read from a body that passed {@code config/schema/dossier-event.schema.json}, with the rules
 * of its status that a schema cannot say (what {@link StatusTransitions} requires it to carry).
 *
 * @param at              truncated to microseconds, PostgreSQL's precision, so a replay compares equal
 * @param result          the result references as JSON text as received (what is stored), or null
 * @param canonicalResult the same in canonical form ({@link #canonical}), what a replay compares, or null
 */
public record EventRequest(String eventId, NationalStatus status, Instant at, String officer, String note,
                           LocalDate dueDate, String result, String canonicalResult) {

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
    JsonNode result = body.get("result");
    return new EventRequest(body.get("eventId").asText(), NationalStatus.of(body.get("status").asInt()), at,
        text(body, "officer"), text(body, "note"), dueDate, result == null ? null : result.toString(),
        result == null ? null : canonical(result));
  }

  /**
   * What the status requires the event to carry, and what a due date must be, short of the official calendar: result
   * references with 9 (10 may; no other status takes them); a due date only with 2, 5 or 4 (whether that 4 follows a
   * 5 only the dossier can tell: {@link EventStore}), never required (2 without one is dated by the hub, 4 after 5
   * re-dated by it, 5 without one leaves the date until the supplement arrives), not before the date of {@code at} in
   * the dossier's zone: citizens are told to collect their result that day. The calendar's say is
   * {@link #calendarViolations}.
   */
  List<Violation> ruleViolations(ZoneId zone) {
    List<Violation> violations = new ArrayList<>();
    String code = status.code() + " (" + status.label() + ")";
    if (!StatusTransitions.takesDueDate(status) && dueDate != null) {
      violations.add(new Violation("/dueDate", "only taken with status 2 (accepted), 5 (supplement requested) or "
          + "4 when it follows 5 (the supplement received), not with " + code));
    } else if (dueDate != null) {
      LocalDate day = at == null ? null : at.atZone(zone).toLocalDate();
      if (day != null && dueDate.isBefore(day)) {
        violations.add(new Violation("/dueDate", dueDate + " is before the event's own day, " + day + " (the date of "
            + "at in " + zone + ")"));
      }
    }
    if (StatusTransitions.requiresResult(status) && result == null) {
      violations.add(new Violation("/result", "required with status " + code + ": the result documents' references"));
    } else if (!StatusTransitions.takesResult(status) && result != null) {
      violations.add(new Violation("/result", "only taken with status 9 (processing finished) or 10 (result "
          + "returned), not with " + code));
    }
    return violations;
  }

  /**
   * A due date given must be a working day of the official calendar. Apart from {@link #ruleViolations}: the calendar
   * files change (a provisional day announced off, a year re-issued), so an event recorded before may fail this now,
   * and its retry must still get its replay ({@link EventHandler}).
   *
   * @throws CalendarNotCoveredException the due date lies outside the loaded calendar's years: whether that is the
   *                                     agency's to fix or the operators' only the caller can tell
   */
  List<Violation> calendarViolations(DueDates calendar) {
    if (dueDate == null || !StatusTransitions.takesDueDate(status) || calendar.isWorkingDay(dueDate)) {
      return List.of();
    }
    return List.of(new Violation("/dueDate", dueDate + " is not a working day of the official calendar ("
        + closed(calendar, dueDate) + "): the appointment must fall on a day the agency is open"));
  }

  /** Why a day is closed: its calendar entry (a holiday's name), else the weekly rest day. */
  private static String closed(DueDates calendar, LocalDate date) {
    return calendar.entryOn(date).map(e -> e.kind().yamlName() + ": " + e.name())
        .orElseGet(() -> date.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
  }

  /**
   * What a replay must match, and what is stored with the event: SHA-256 of the event and the dossier it is about as
   * one JSON object, members sorted, an absent field an explicit null and the result in canonical form. JSON's
   * quoting keeps every field's bounds, so no two different events share the text hashed (officer and note may hold
   * newlines, and "null" is a name like another), and a retry whose result members come in another order (as the
   * hub itself serves them back, from jsonb) is the same event.
   */
  String fingerprint(UUID dossierId) {
    ObjectNode content = JsonNodeFactory.instance.objectNode()
        .put("at", at.toString())
        .put("dossierId", dossierId.toString())
        .put("dueDate", dueDate == null ? null : dueDate.toString())
        .put("eventId", eventId)
        .put("note", note)
        .put("officer", officer)
        .putRawValue("result", new RawValue(canonicalResult == null ? "null" : canonicalResult))
        .put("status", status.code());
    return Digests.sha256Hex(content.toString());
  }

  /**
   * The fingerprints events recorded before {@link #fingerprint} were stored with: the fields joined by newlines,
   * an absent one as the text "null", over the result in canonical form and, before that form, over the result's
   * text in the order the agency sent it. Those rows cannot be re-hashed (dossier_event is append-only, and jsonb
   * kept no member order), so their replays match either. A joined form cannot tell where the officer ends and the
   * note begins, nor an absent one from "null": {@link EventStore} accepts it only with the stored officer and note
   * equal to the retry's, which restores what the hash lost (the other fields hold no newline: eventId's pattern,
   * a date, compact JSON).
   */
  List<String> legacyFingerprints(UUID dossierId) {
    return List.of(joinedFingerprint(dossierId, canonicalResult), joinedFingerprint(dossierId, result));
  }

  private String joinedFingerprint(UUID dossierId, String resultText) {
    return Digests.sha256Hex(String.join("\n", dossierId.toString(), eventId, Integer.toString(status.code()),
        at.toString(), String.valueOf(officer), String.valueOf(note), String.valueOf(dueDate),
        String.valueOf(resultText)));
  }

  /**
   * {@code node} as JSON text with every object's members sorted by name (String order), at every depth: member
   * order carries no meaning in JSON. Arrays keep their order, which is content (the documents' order).
   */
  static String canonical(JsonNode node) {
    return sorted(node).toString();
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      names.forEach(name -> out.set(name, sorted(node.get(name))));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode(node.size());
      node.forEach(element -> out.add(sorted(element)));
      return out;
    }
    return node;
  }

  private static String text(JsonNode body, String field) {
    return body.hasNonNull(field) ? body.get(field).asText() : null;
  }
}
