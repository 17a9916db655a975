package vn.onewindow.common.config;

import java.util.regex.Pattern;

/** Keeps credentials out of logs. */
public final class Secrets {
  private static final Pattern USERINFO_PASSWORD = Pattern.compile("(://[^:/@]*):[^@/]*@");
  /** A password given as a query parameter ({@code ?password=}, {@code &sslpassword=}...), the PostgreSQL way. */
  private static final Pattern QUERY_PASSWORD = Pattern.compile("([?&;][^=&;#]*(?i:password)[^=&;#]*=)[^&;#]*");

  private Secrets() {
  }

  public static String maskUrl(String url) {
    return url == null ? null
        : QUERY_PASSWORD.matcher(USERINFO_PASSWORD.matcher(url).replaceAll("$1:***@")).replaceAll("$1***");
  }
}
