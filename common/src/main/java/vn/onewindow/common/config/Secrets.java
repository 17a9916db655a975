package vn.onewindow.common.config;

import java.util.regex.Pattern;

/** Keeps credentials out of logs. */
public final class Secrets {
  private static final Pattern USERINFO_PASSWORD = Pattern.compile("(://[^:/@]*):[^@/]*@");

  private Secrets() {
  }

  public static String maskUrl(String url) {
    return url == null ? null : USERINFO_PASSWORD.matcher(url).replaceAll("$1:***@");
  }
}
