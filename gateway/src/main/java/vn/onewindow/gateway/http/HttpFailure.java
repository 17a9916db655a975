package vn.onewindow.gateway.http;

import java.util.List;
import vn.onewindow.gateway.validation.Violation;

/**
 * A failure that knows its HTTP answer. Handlers fail their routing context with one of these; {@link Problems}
 * turns it into {@code application/problem+json} (RFC 9457). Anything else becomes a 500 with no internals.
 */
public final class HttpFailure extends RuntimeException {
  private final int status;
  private final String type;
  private final String title;
  private final List<Violation> violations;
  private final int retryAfterSeconds;

  private HttpFailure(int status, String type, String title, String detail, List<Violation> violations,
                      int retryAfterSeconds, Throwable cause) {
    super(detail, cause, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
    this.violations = List.copyOf(violations);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static HttpFailure malformed(String detail) {
    return new HttpFailure(400, "malformed-request", "Malformed request", detail, List.of(), 0, null);
  }

  public static HttpFailure invalidDossier(List<Violation> violations) {
    long fields = violations.stream().map(Violation::pointer).distinct().count();
    String detail = fields == 1 ? "1 field of the dossier is invalid" : fields + " fields of the dossier are invalid";
    return new HttpFailure(422, "invalid-dossier", "Invalid dossier", detail, violations, 0, null);
  }

  public static HttpFailure idempotencyConflict() {
    return new HttpFailure(409, "idempotency-key-reused", "Idempotency key reused",
        "this Idempotency-Key was already used with a different request body", List.of(), 0, null);
  }

  public static HttpFailure notFound(String detail) {
    return new HttpFailure(404, "not-found", "Not found", detail, List.of(), 0, null);
  }

  /** An upstream (Redis, PostgreSQL) could not answer: a fast 503 the client may retry after a pause. */
  public static HttpFailure unavailable(String upstream, Throwable cause) {
    return new HttpFailure(503, "upstream-unavailable", "Service temporarily unavailable",
        "the " + upstream + " store is not answering; retry shortly", List.of(), 2, cause);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String title() {
    return title;
  }

  public List<Violation> violations() {
    return violations;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
