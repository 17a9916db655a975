package vn.onewindow.gateway.http;

import vn.onewindow.common.infra.Ascii;

/**
 * The one token alphabet of caller-chosen identifiers (request ids, Idempotency-Keys, an agency's event ids):
 * {@code [A-Za-z0-9._:-]}, safe in a header, a log line and a Redis key. Decided by a loop rather than a regex: it
 * runs on most requests ({@code SafeTokensTest} holds it to the regex).
 */
public final class SafeTokens {
  private SafeTokens() {
  }

  /** Whether {@code value} is {@code min} to {@code max} characters of the alphabet (the regex's {@code matches()}). */
  public static boolean isSafe(String value, int min, int max) {
    int n = value.length();
    if (n < min || n > max) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (!Ascii.isLetterOrDigit(c) && c != '.' && c != '_' && c != ':' && c != '-') {
        return false;
      }
    }
    return true;
  }
}
