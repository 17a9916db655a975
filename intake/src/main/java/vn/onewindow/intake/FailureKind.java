package vn.onewindow.intake;

import io.vertx.sqlclient.DatabaseException;

/**
 * What a failed PostgreSQL write means for the entries in it.
 * <ul>
 *   <li>{@link #DATA}: the entry itself is wrong (SQLSTATE class 22 data exception, 23 integrity constraint
 *       violation); retrying cannot help, so it is dead-lettered.</li>
 *   <li>{@link #TRANSIENT}: PostgreSQL is unreachable, overloaded, shutting down or the transaction lost a race
 *       (class 08, 53, 57, 40) or the failure is not a database error at all (connection refused or closed,
 *       timeout, pool exhausted); the entry stays in the stream and is retried; never dead-lettered.</li>
 *   <li>{@link #OTHER}: anything else (missing table, permissions, internal error); the entry stays in the stream and is
 *       dead-lettered once it reached the configured number of deliveries.</li>
 * </ul>
 */
public enum FailureKind {
  DATA, TRANSIENT, OTHER;

  public static FailureKind of(Throwable failure) {
    String state = sqlState(failure);
    if (state == null) {
      return TRANSIENT;
    }
    if (state.length() < 2) {
      return OTHER;
    }
    return switch (state.substring(0, 2)) {
      case "22", "23" -> DATA;
      case "08", "53", "57", "40" -> TRANSIENT;
      default -> OTHER;
    };
  }

  /** The SQLSTATE of a database error reply, or null when the failure did not come from the server. */
  public static String sqlState(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof DatabaseException db) {
        return db.getSqlState();
      }
    }
    return null;
  }

  /**
   * A short, log-safe description of a failure: the exception class and the SQLSTATE, never the message, which
   * may quote a value of the row (PostgreSQL's detail "Failing row contains (...)" holds the whole payload).
   */
  public static String describe(Throwable failure) {
    if (failure == null) {
      return "unknown";
    }
    String state = sqlState(failure);
    String name = failure.getClass().getSimpleName();
    if (state != null) {
      return name + "[" + state + "]";
    }
    // Network failures (connection refused, reset, timeout) carry an address and Redis error replies a code, never
    // row data: keep their message. Other messages may quote a parameter value (the SQL client's coercion errors do).
    // A timeout names the call and its bound (Deadlines, Future.timeout), never a value.
    boolean safe = failure instanceof java.io.IOException || failure.getClass().getName().startsWith("io.vertx.redis.")
        || failure instanceof java.util.concurrent.TimeoutException;
    String message = failure.getMessage();
    if (!safe || message == null) {
      return name;
    }
    return name + ": " + (message.length() > 160 ? message.substring(0, 160) + "..." : message);
  }
}
