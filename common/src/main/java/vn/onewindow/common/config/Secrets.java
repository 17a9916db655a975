package vn.onewindow.common.config;

import java.util.regex.Pattern;

/** Keeps credentials out of logs. */
public final class Secrets {
  /**
   * The password of a URL's user info: from the user name's ':' to the last '@' before the next URL (a seed list) or
   * the end of the line. A password may hold '/', '@', '?', '#' or a space (base64 secrets hold '/'): the drivers
   * refuse such a URL unencoded, and their message quoting it is logged too, so stopping at the first '/', '@' or
   * space printed it. The user name may hold an '@' (Azure's "user@server"). Masking a port, a path or text up to an
   * '@' further on the line, when no password is there, costs nothing in a log line.
   */
  private static final Pattern USERINFO_PASSWORD = Pattern.compile("(://[^:/\\s]*):(?:(?!://)[^\\r\\n])*@");
  /**
   * A password given as a query parameter ({@code ?password=}, {@code &sslpassword=}...), the PostgreSQL way: up to
   * the next parameter ({@code &name=}) or the end of the word, so a '#' or '&' inside it is masked too.
   */
  private static final Pattern QUERY_PASSWORD =
      Pattern.compile("([?&;][^=&;#\\s]*(?i:password)[^=&;#\\s]*=)\\S*?(?=[&;][A-Za-z_]+=|\\s|\\z)");

  private Secrets() {
  }

  /** Masks the passwords of every URL in {@code url}, which may also be a text quoting URLs (an exception's). */
  public static String maskUrl(String url) {
    return url == null ? null
        : QUERY_PASSWORD.matcher(USERINFO_PASSWORD.matcher(url).replaceAll("$1:***@")).replaceAll("$1***");
  }
}
