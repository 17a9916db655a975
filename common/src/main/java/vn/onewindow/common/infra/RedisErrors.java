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
}
