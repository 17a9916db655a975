package vn.onewindow.gateway.http;

import java.util.Locale;
import vn.onewindow.common.metrics.MeterNames.Outcome;

/**
 * The catalogue of every problem the hub answers with: its type URI, HTTP status, title, the submission outcome it
 * counts as, and whether the connection is closed after the answer. Handlers raise an {@link HttpFailure} naming one
 * of these; nothing else decides a status or compares type strings.
 */
public enum Problem {
  MALFORMED_REQUEST(400, "Malformed request", Outcome.MALFORMED),
  UNAUTHORIZED(401, "Unauthorized", Outcome.UNAUTHORIZED),
  ORIGIN_NOT_ALLOWED(403, "Origin not allowed", Outcome.UNAUTHORIZED),
  APPLICANT_MISMATCH(403, "Applicant mismatch", Outcome.UNAUTHORIZED),
  /** A frontend key on an agency route, or an agency key submitting a dossier or reading the change feed. */
  CLIENT_KIND_NOT_ALLOWED(403, "Not allowed for this kind of client", Outcome.UNAUTHORIZED),
  NOT_FOUND(404, "Not found", Outcome.MALFORMED),
  METHOD_NOT_ALLOWED(405, "Method not allowed", Outcome.MALFORMED),
  NOT_ACCEPTABLE(406, "Not acceptable", Outcome.MALFORMED),
  REQUEST_TIMEOUT(408, "Request timeout", Outcome.MALFORMED),
  IDEMPOTENCY_KEY_REUSED(409, "Idempotency key reused", Outcome.CONFLICT),
  /** A satisfaction survey before the result was returned. */
  RATING_NOT_OPEN(409, "Rating not open", Outcome.CONFLICT),
  ALREADY_RATED(409, "Already rated", Outcome.CONFLICT),
  /** The event's status may not follow the dossier's current one; extensions name both and the allowed next ones. */
  ILLEGAL_TRANSITION(409, "Illegal status transition", Outcome.CONFLICT),
  /** The agency client already used this eventId for different content (or another dossier). */
  EVENT_ID_REUSED(409, "Event id reused", Outcome.CONFLICT),
  /**
   * A feed's cursor lies past every transaction the database has issued: it went back in time (a point-in-time
   * restore, a failover to an asynchronous replica), and rows written since may lie below the cursor.
   */
  CURSOR_AHEAD_OF_DATABASE(409, "Cursor ahead of the database", Outcome.CONFLICT),
  /** The rest of an oversized body is never read: the connection is closed instead of drained. */
  BODY_TOO_LARGE(413, "Request body too large", Outcome.TOO_LARGE, true),
  URI_TOO_LONG(414, "URI too long", Outcome.MALFORMED),
  UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type", Outcome.UNSUPPORTED_MEDIA_TYPE),
  INVALID_DOSSIER(422, "Invalid dossier", Outcome.INVALID),
  INVALID_RATING(422, "Invalid rating", Outcome.INVALID),
  /** A progress event that breaks its schema or the rules of its status (due date, result references). */
  INVALID_EVENT(422, "Invalid event", Outcome.INVALID),
  /** The event's {@code at} lies before the dossier's last event (or its reception). */
  EVENT_IN_THE_PAST(422, "Event before the dossier's last event", Outcome.INVALID),
  /** The event's {@code at} lies after the hub's clock plus the tolerated skew. */
  EVENT_IN_THE_FUTURE(422, "Event in the future", Outcome.INVALID),
  /** A due-date look-up for a receipt time outside the years of the loaded official calendar. */
  CALENDAR_NOT_COVERED(422, "Date outside the official calendar", Outcome.INVALID),
  RATE_LIMITED(429, "Too many requests", Outcome.RATE_LIMITED),
  HEADERS_TOO_LARGE(431, "Request header fields too large", Outcome.MALFORMED),
  INTERNAL_ERROR(500, "Internal error", Outcome.UPSTREAM_ERROR),
  UPSTREAM_UNAVAILABLE(503, "Service temporarily unavailable", Outcome.UPSTREAM_ERROR),
  PROCESSING_TIMEOUT(503, "Service temporarily unavailable", Outcome.UPSTREAM_ERROR),
  CIRCUIT_OPEN(503, "Service temporarily unavailable", Outcome.BREAKER_OPEN),
  /** Queued, but not on redis.min-replicas-ack replicas in time: a retry with the same key makes it one dossier. */
  REPLICATION_UNCONFIRMED(503, "Service temporarily unavailable", Outcome.UNCONFIRMED),
  OVERLOADED(503, "Service overloaded", Outcome.SHED),
  /**
   * Today's due date cannot be computed: the loaded official calendar does not reach it. Only the operators can fix
   * it (load the next year's file), so it counts as the hub's own failure, like an upstream error.
   */
  CALENDAR_NOT_LOADED(503, "Official calendar not loaded", Outcome.UPSTREAM_ERROR),
  /** The instance goes away: the client reconnects, so a load balancer sends the retry to another instance. */
  SHUTTING_DOWN(503, "Instance shutting down", Outcome.SHED, true);

  /** Prefix of every problem type URI (RFC 9457 {@code type}). */
  public static final String TYPE_BASE = "https://hub.onewindow.gov.vn/problems/";

  private final int status;
  private final String title;
  private final Outcome outcome;
  private final boolean closesConnection;
  private final String type;

  Problem(int status, String title, Outcome outcome) {
    this(status, title, outcome, false);
  }

  Problem(int status, String title, Outcome outcome, boolean closesConnection) {
    this.status = status;
    this.title = title;
    this.outcome = outcome;
    this.closesConnection = closesConnection;
    this.type = name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The problem the router itself reports for a bare status code (no route, wrong method, body too large...). Any
   * other 4xx it raises is the request's fault too (BodyHandler's 417 for an {@code Expect} other than 100-continue):
   * a 400, never the 500 of the hub's own failure.
   */
  public static Problem ofRouterStatus(int status) {
    return switch (status) {
      case 400 -> MALFORMED_REQUEST;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 406 -> NOT_ACCEPTABLE;
      case 413 -> BODY_TOO_LARGE;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      default -> status >= 400 && status < 500 ? MALFORMED_REQUEST : INTERNAL_ERROR;
    };
  }

  public int status() {
    return status;
  }

  /** A 4xx: the request is the client's to change; every other problem is a 5xx, the hub's or an upstream's. */
  public boolean isClientError() {
    return status >= 400 && status < 500;
  }

  /** The short type name, e.g. {@code rate-limited}. */
  public String type() {
    return type;
  }

  public String typeUri() {
    return TYPE_BASE + type;
  }

  public String title() {
    return title;
  }

  /** How a submission refused with this problem is counted in {@code hub.submissions}. */
  public Outcome outcome() {
    return outcome;
  }

  public boolean closesConnection() {
    return closesConnection;
  }
}
