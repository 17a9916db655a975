package vn.onewindow.gateway.http;

import io.vertx.sqlclient.DatabaseException;
import java.time.DateTimeException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vn.onewindow.common.calendar.CalendarNotCoveredException;
import vn.onewindow.gateway.validation.Violation;

/**
 * A failure that knows its HTTP answer. Handlers fail their routing context with one of these; {@link Problems}
 * turns it into {@code application/problem+json} (RFC 9457). Anything else becomes a 500 with no internals.
 */
public final class HttpFailure extends RuntimeException {
  /**
   * Retry-After of {@link Problem#CALENDAR_NOT_LOADED}: loading the next year's calendar is a deployment, not a
   * blip, so clients are not invited back every few seconds.
   */
  private static final int CALENDAR_RETRY_AFTER_SECONDS = 3600;
  /** The most violations a 422's {@code errors} lists. */
  public static final int MAX_LISTED = 100;

  private final Problem problem;
  private final List<Violation> violations;
  private final int retryAfterSeconds;
  private final Map<String, String> headers;
  private final Map<String, Object> extensions;

  private HttpFailure(Problem problem, String detail, List<Violation> violations, int retryAfterSeconds,
                      Throwable cause) {
    this(problem, detail, violations, retryAfterSeconds, cause, Map.of());
  }

  private HttpFailure(Problem problem, String detail, List<Violation> violations, int retryAfterSeconds,
                      Throwable cause, Map<String, String> headers) {
    this(problem, detail, violations, retryAfterSeconds, cause, headers, Map.of());
  }

  private HttpFailure(Problem problem, String detail, List<Violation> violations, int retryAfterSeconds,
                      Throwable cause, Map<String, String> headers, Map<String, Object> extensions) {
    super(detail, cause, false, false);
    this.problem = problem;
    this.violations = List.copyOf(violations);
    this.retryAfterSeconds = retryAfterSeconds;
    this.headers = Map.copyOf(headers);
    this.extensions = Map.copyOf(extensions);
  }

  /** Any problem with its detail, and extension members added to the problem document (RFC 9457 section 3.2). */
  public static HttpFailure of(Problem problem, String detail, Map<String, Object> extensions) {
    return new HttpFailure(problem, detail, List.of(), 0, null, Map.of(), extensions);
  }

  public static HttpFailure malformed(String detail) {
    return new HttpFailure(Problem.MALFORMED_REQUEST, detail, List.of(), 0, null);
  }

  public static HttpFailure invalidDossier(List<Violation> violations) {
    return invalid(Problem.INVALID_DOSSIER, "dossier", violations);
  }

  /**
   * A 422 naming the offending fields of a request body ({@code subject}: "dossier", "rating"...): each once (the
   * violations of one field in one entry, {@link Violation#onePerField}), up to {@link #MAX_LISTED}; the detail
   * counts them all. A body of hundreds of bad values would otherwise be answered with a list a hundred times its size
   * (the first few are enough to fix it).
   */
  public static HttpFailure invalid(Problem problem, String subject, List<Violation> found) {
    List<Violation> violations = Violation.onePerField(found);
    int fields = violations.size();
    String detail = fields == 1 ? "1 field of the " + subject + " is invalid"
        : fields + " fields of the " + subject + " are invalid";
    if (violations.size() > MAX_LISTED) {
      detail += "; errors lists the first " + MAX_LISTED + " of its " + violations.size() + " violations";
      violations = violations.subList(0, MAX_LISTED);
    }
    return new HttpFailure(problem, detail, violations, 0, null);
  }

  public static HttpFailure idempotencyConflict() {
    return new HttpFailure(Problem.IDEMPOTENCY_KEY_REUSED,
        "this Idempotency-Key was already used with a different request body", List.of(), 0, null);
  }

  public static HttpFailure notFound(String detail) {
    return new HttpFailure(Problem.NOT_FOUND, detail, List.of(), 0, null);
  }

  public static HttpFailure unsupportedMediaType(String detail) {
    return new HttpFailure(Problem.UNSUPPORTED_MEDIA_TYPE, detail, List.of(), 0, null);
  }

  /** A body in a content coding this server does not decode: 415 naming the one it reads (RFC 7694 3). */
  public static HttpFailure unsupportedContentCoding(String detail) {
    return new HttpFailure(Problem.UNSUPPORTED_MEDIA_TYPE, detail, List.of(), 0, null,
        Map.of("Accept-Encoding", "identity"));
  }

  /**
   * A submission's stores did not answer in time. A timed-out write may still have happened, so the client is told
   * to retry with the same Idempotency-Key: it then gets the receipt of the dossier if it was queued after all.
   */
  public static HttpFailure submissionUncertain(String upstream, Throwable cause) {
    return new HttpFailure(Problem.UPSTREAM_UNAVAILABLE,
        "the " + upstream + " did not answer in time; retry shortly with the same Idempotency-Key to get the "
            + "receipt of this dossier if it was queued", List.of(), 2, cause);
  }

  /**
   * The submission reached the queue after its deadline and was not queued (enqueue-dossier.lua): certain, unlike
   * {@link #submissionUncertain}. Nothing of it is stored; a retry is a new attempt.
   */
  public static HttpFailure enqueueExpired(String upstream) {
    return new HttpFailure(Problem.UPSTREAM_UNAVAILABLE,
        "the " + upstream + " received this submission after its deadline and queued nothing; retry shortly (with "
            + "the same Idempotency-Key)", List.of(), 1, null);
  }

  /**
   * A slow upload left the request less of its deadline than the hosts' clock margin, so nothing was sent to the queue
   * (a call could only have come back 'expired'): certain, as {@link #enqueueExpired}. A retry is a new attempt.
   */
  public static HttpFailure tooLateToQueue(String upstream) {
    return new HttpFailure(Problem.UPSTREAM_UNAVAILABLE,
        "too little of this request's time was left, once its body had arrived, to send it to the " + upstream
            + "; nothing was queued; retry shortly (with the same Idempotency-Key)", List.of(), 1, null);
  }

  /**
   * The dossier was queued but fewer than {@code required} replicas confirmed it in time, so a failover could still
   * lose it: no receipt is given. The retry with the same Idempotency-Key returns its receipt if it survived, or
   * queues it again if it did not: one dossier either way (workers never store an entry Redis could still lose).
   */
  public static HttpFailure replicationUnconfirmed(int required, long waitedMs, int retryAfterSeconds) {
    return new HttpFailure(Problem.REPLICATION_UNCONFIRMED,
        "the dossier was not confirmed by " + required + " Redis replica(s) within " + waitedMs + " ms; retry with the "
            + "same Idempotency-Key: you get its receipt if it was kept, or it is queued again (one dossier either way)",
        List.of(), retryAfterSeconds, null);
  }

  /**
   * The 400 of a store call that failed on the request's own values, or empty when the failure says nothing about
   * them: our own code could not compute with a value taken from the request ({@link DateTimeException}, a date
   * beyond the years java.time holds), or PostgreSQL refused a value (SQLSTATE class 22, "data exception": a number,
   * date or xid8 out of its type's range). Handlers validate their inputs first and say precisely what is wrong;
   * this is the backstop for a value they let through, so that it is the client's 400 and not a 503 blaming a healthy
   * store (and breakers never count it: UpstreamBreakers). Not any IllegalArgumentException: that is also how a bug
   * of ours, or a calendar that has run out (CalendarNotCoveredException), would surface, and neither is the
   * client's to fix.
   */
  public static Optional<HttpFailure> ofRequestValues(Throwable cause) {
    boolean refusedValue = cause instanceof DateTimeException
        || cause instanceof DatabaseException db && db.getSqlState() != null && db.getSqlState().startsWith("22");
    return refusedValue
        ? Optional.of(new HttpFailure(Problem.MALFORMED_REQUEST, "a value of this request is outside the range the hub "
            + "can compute with or store (a date or number too large or too small); nothing was changed", List.of(),
            0, cause))
        : Optional.empty();
  }

  /**
   * The 500 of a store call PostgreSQL refused as written, or empty for any other failure: SQLSTATE class 42 (syntax
   * error or access rule violation: a table, column or grant this release expects is missing), 0A (feature not
   * supported) or 3F (invalid schema name). A defect of the installation (a migration not run, a role without its
   * grants), not of the request nor of the store's health: a 503 "retry shortly" would have every client retry a call
   * that cannot succeed, and a breaker counting it would refuse every healthy call sharing it (UpstreamBreakers).
   */
  public static Optional<HttpFailure> ofStatementDefect(Throwable cause) {
    String state = cause instanceof DatabaseException db ? db.getSqlState() : null;
    boolean defect = state != null && (state.startsWith("42") || state.startsWith("0A") || state.startsWith("3F"));
    return defect
        ? Optional.of(new HttpFailure(Problem.INTERNAL_ERROR, "the hub could not run its own statement against its "
            + "database (a defect of this installation, reported to its operators); nothing was changed, and a retry "
            + "will not succeed until it is mended", List.of(), 0, cause))
        : Optional.empty();
  }

  /**
   * Redis has lost the dossier counters of a partition (restarted without its data) and PostgreSQL, which holds the
   * codes issued before, could not be asked: no code could be given that is surely nobody else's. A fast 503.
   */
  public static HttpFailure countersNotSeeded(Throwable cause) {
    return new HttpFailure(Problem.UPSTREAM_UNAVAILABLE,
        "the queue (redis) lost its dossier counters and the database (postgres) could not be asked for the codes "
            + "already issued; nothing was queued, retry shortly", List.of(), 2, cause);
  }

  /** An upstream (Redis, PostgreSQL) could not answer: a fast 503 the client may retry after a pause. */
  public static HttpFailure unavailable(String upstream, Throwable cause) {
    return new HttpFailure(Problem.UPSTREAM_UNAVAILABLE,
        "the " + upstream + " store is not answering; retry shortly", List.of(), 2, cause);
  }

  /**
   * A due date asked for a receipt time the loaded calendar does not cover (422): the receipt day, or a working day
   * counted after it, lies outside its years. Years only in the detail, never the time asked about.
   */
  public static HttpFailure calendarNotCovered(CalendarNotCoveredException cause) {
    return calendarNotCovered(cause, "no due date can be computed for a receipt at that time (the receipt day or its "
        + "due date falls outside those years)");
  }

  /**
   * The same 422 for another time the client chose (an acceptance's {@code at}): {@code consequence} says what cannot
   * be computed for it and what became of the request. A retry cannot help, unlike {@link #calendarNotLoaded}.
   */
  public static HttpFailure calendarNotCovered(CalendarNotCoveredException cause, String consequence) {
    return new HttpFailure(Problem.CALENDAR_NOT_COVERED, "the official calendar covers " + cause.covered() + " only; "
        + consequence, List.of(), 0, cause);
  }

  /**
   * No due date can be computed for a receipt now: the loaded calendar does not reach it (503). The client cannot fix
   * that, the operators must load the next year's calendar; {@code outcome} says what became of the request.
   */
  public static HttpFailure calendarNotLoaded(CalendarNotCoveredException cause, String outcome) {
    return new HttpFailure(Problem.CALENDAR_NOT_LOADED, "the hub's official calendar covers " + cause.covered()
        + " only, so no due date can be computed today; " + outcome, List.of(), CALENDAR_RETRY_AFTER_SECONDS, cause);
  }

  /** Over a rate limit: 429 with Retry-After and the limit's RateLimit-* headers. */
  public static HttpFailure rateLimited(String what, int retryAfterSeconds, Map<String, String> headers) {
    return new HttpFailure(Problem.RATE_LIMITED,
        what + " is over its rate limit; retry after " + retryAfterSeconds + " s", List.of(), retryAfterSeconds, null,
        headers);
  }

  /** Refused before any work to protect the hub (backlog, concurrency): a fast 503 the client retries later. */
  public static HttpFailure overloaded(String why, int retryAfterSeconds) {
    return new HttpFailure(Problem.OVERLOADED,
        "the hub is refusing new dossiers for a moment (" + why + "); nothing was queued, retry later",
        List.of(), retryAfterSeconds, null);
  }

  /**
   * Redis is near or at its maxmemory (over shed.redis-memory-max-ratio, or it refused the enqueue script's first
   * write: OOM), and the direct path is off or could not take the dossier: certain that this request queued nothing.
   * Not "for a moment", as {@link #overloaded} says: the memory is held mostly by Idempotency-Key records, which free
   * only as they expire (dossier.idempotency-ttl-seconds) unless the operators add memory. Retry-After stays
   * shed.retry-after-seconds: records expire at the pace dossiers were keyed a TTL earlier, each making room for about
   * one new dossier, so a retry finds room now and then rather than all at once hours later.
   */
  public static HttpFailure queueMemoryFull(int retryAfterSeconds) {
    return new HttpFailure(Problem.OVERLOADED,
        "the hub is refusing most new dossiers: queue memory nearly full, held mostly by idempotency records that "
            + "free only as they expire, at the pace they were made, or when the operators add memory; nothing was "
            + "queued: retry later (with the same Idempotency-Key, if one was sent)", List.of(), retryAfterSeconds,
        null);
  }

  /**
   * A store call that timed out because this gateway's own event loop was stalled (a flood): its overload, not the
   * store's failure. Whatever the call was, it may be retried shortly.
   */
  public static HttpFailure busy(String upstream, Throwable cause) {
    return new HttpFailure(Problem.OVERLOADED,
        "this gateway is too busy to wait for the " + upstream + " store; retry shortly", List.of(), 1, cause);
  }

  /** The breaker of an upstream refuses calls for a while: a fast 503 naming the store, retry after the pause. */
  public static HttpFailure circuitOpen(String upstream, int retryAfterSeconds, Throwable cause) {
    return new HttpFailure(Problem.CIRCUIT_OPEN,
        "the " + upstream + " store is failing and calls to it are paused; retry later", List.of(), retryAfterSeconds,
        cause);
  }

  /**
   * {@link #circuitOpen} for a submission the breaker refused before any call: certain that nothing was queued (a
   * look-up is told only of the store, since it queues nothing either way).
   */
  public static HttpFailure circuitOpenNothingQueued(String upstream, int retryAfterSeconds, Throwable cause) {
    return new HttpFailure(Problem.CIRCUIT_OPEN,
        "the " + upstream + " store is failing and calls to it are paused; nothing was queued, retry later",
        List.of(), retryAfterSeconds, cause);
  }

  /** The process is shutting down: another instance will take the request. */
  public static HttpFailure draining() {
    return new HttpFailure(Problem.SHUTTING_DOWN,
        "this instance is shutting down; retry and another instance will answer", List.of(), 1, null);
  }

  /** No valid credential (security): 401 with the challenge to answer; the detail never says what was wrong. */
  public static HttpFailure unauthorized(String challenge, String detail) {
    return new HttpFailure(Problem.UNAUTHORIZED, detail, List.of(), 0, null,
        Map.of("WWW-Authenticate", challenge));
  }

  /** Authenticated, but not allowed to do this (security): a browser origin not allowed, another citizen's name. */
  public static HttpFailure forbidden(Problem problem, String detail) {
    return new HttpFailure(problem, detail, List.of(), 0, null);
  }

  /** Too many header fields or too large a header block (security): 431. */
  public static HttpFailure headersTooLarge(String detail) {
    return new HttpFailure(Problem.HEADERS_TOO_LARGE, detail, List.of(), 0, null);
  }

  /** Request line over the codec limit (security): 414. */
  public static HttpFailure uriTooLong(int maxBytes) {
    return new HttpFailure(Problem.URI_TOO_LONG,
        "the request line exceeds " + maxBytes + " bytes", List.of(), 0, null);
  }

  /** The client did not finish sending its request in time (security, slow clients): 408. */
  public static HttpFailure requestTimeout(long timeoutMs) {
    return new HttpFailure(Problem.REQUEST_TIMEOUT,
        "the request was not received completely within " + timeoutMs + " ms; nothing was queued", List.of(), 0,
        null);
  }

  /** The gateway did not answer in time (security, request deadline): 503, retry with the same Idempotency-Key. */
  public static HttpFailure processingTimeout(long timeoutMs) {
    return new HttpFailure(Problem.PROCESSING_TIMEOUT,
        "the request could not be completed within " + timeoutMs + " ms; retry with the same Idempotency-Key",
        List.of(), 2, null);
  }

  public Problem problem() {
    return problem;
  }

  public int status() {
    return problem.status();
  }

  /** The problem's short type name, e.g. {@code rate-limited}. */
  public String type() {
    return problem.type();
  }

  public List<Violation> violations() {
    return violations;
  }

  /** Extra response headers of this answer (e.g. RateLimit-*). */
  public Map<String, String> headers() {
    return headers;
  }

  /** Extension members of the problem document, e.g. the allowed next statuses of a refused transition. */
  public Map<String, Object> extensions() {
    return extensions;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
