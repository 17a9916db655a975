package vn.onewindow.common.infra;

/**
 * ASCII character classes for the hand-written matchers that replaced regexes on the request path (codes, tokens,
 * schema patterns, e-mail addresses): what {@code \d}, {@code [A-Za-z]} and {@code \p{Alnum}} mean in
 * java.util.regex without UNICODE_CHARACTER_CLASS, unlike {@link Character#isDigit}, which also takes other scripts'
 * digits.
 */
public final class Ascii {
  private Ascii() {
  }

  public static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  public static boolean isLetter(char c) {
    return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
  }

  public static boolean isLetterOrDigit(char c) {
    return isLetter(c) || isDigit(c);
  }

  /** Whether every character of {@code s} in [{@code from}, {@code to}) is an ASCII digit. */
  public static boolean isDigits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether every character of {@code s} in [{@code from}, {@code to}) is an ASCII letter. */
  public static boolean isLetters(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!isLetter(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
