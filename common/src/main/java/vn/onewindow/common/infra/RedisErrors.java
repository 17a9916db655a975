package vn.onewindow.common.infra;

/** Redis error replies start with an upper-case code (NOSCRIPT, BUSYGROUP, NOGROUP...). */
public final class RedisErrors {
  private RedisErrors() {
  }

  public static boolean is(Throwable err, String code) {
    return err != null && err.getMessage() != null && err.getMessage().startsWith(code);
  }

  /**
   * Whether a failed send or batch carries this error code: a batch fails with every error reply rewritten as
   * {@code ERR [<index>] <reply>}.
   */
  public static boolean has(Throwable err, String code) {
    return is(err, code) || (err != null && err.getMessage() != null && err.getMessage().contains("] " + code));
  }

  /** The cluster moved the slot, or is between owners: the command did not run and may be sent again. */
  public static boolean redirected(Throwable err) {
    return has(err, "MOVED") || has(err, "ASK") || has(err, "TRYAGAIN") || has(err, "CLUSTERDOWN");
  }

  /**
   * Redis at its maxmemory (noeviction) refused a write: "OOM command not allowed when used memory &gt; 'maxmemory'".
   * A script meets it only at its first write (later ones go through, for the script's atomicity), so a script call
   * refused with it wrote nothing. Redis 7 answers a script's with that code; 6.2 (the embedded server) wraps it as
   * {@code ERR Error running script (...): @user_script:N: -OOM command not allowed ...}.
   */
  public static boolean outOfMemory(Throwable err) {
    return has(err, "OOM") || err != null && err.getMessage() != null
        && err.getMessage().contains("OOM command not allowed when used memory");
  }

  /** The connection itself failed (closed, reset, refused), as opposed to a Redis error reply or a timeout. */
  public static boolean connectionLost(Throwable err) {
    if (causedBy(err, java.io.IOException.class)) {
      return true;
    }
    String message = err == null ? null : err.getMessage();
    return message != null && (message.contains("CONNECTION_CLOSED") || message.contains("Connection is closed")
        || message.contains("Failed to connect") || message.contains("Failed obtaining connection"));
  }

  /**
   * The connection the command was to go on never opened (ConnectException): nothing was written to Redis. Unlike a
   * call that timed out, which a stalled server may still run once it resumes.
   */
  public static boolean neverConnected(Throwable err) {
    return causedBy(err, java.net.ConnectException.class);
  }

  /** Refused by the client before anything was written to the socket: safe to send again elsewhere. */
  public static boolean notSent(Throwable err) {
    String message = err == null ? null : err.getMessage();
    return message != null && (message.startsWith("Connection is closed")
        || message.startsWith("Failed obtaining connection"));
  }

  private static boolean causedBy(Throwable err, Class<? extends Throwable> type) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
