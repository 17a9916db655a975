package vn.onewindow.common.infra;

/** Redis error replies start with an upper-case code (NOSCRIPT, BUSYGROUP, NOGROUP...). */
public final class RedisErrors {
  private RedisErrors() {
  }

  public static boolean is(Throwable err, String code) {
    return err != null && err.getMessage() != null && err.getMessage().startsWith(code);
  }
}
