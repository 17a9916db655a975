package vn.onewindow.common.agency;

import java.util.regex.Pattern;

/**
 * Which agency codes a client may file for: {@code *} (all), an exact code, or {@code *.} followed by the tail
 * of a code ({@code *.H48}: every code of that province; {@code *.53.H48}: unit 53 and everything under it).
 */
public record AgencyPattern(String value) {

  private static final Pattern TAIL = Pattern.compile("\\*(\\.\\d{2}){0,2}\\.[A-Z]\\d{2}");

  public AgencyPattern {
    if (value == null || !(value.equals("*") || AgencyCode.isWellFormed(value) || TAIL.matcher(value).matches())) {
      throw new IllegalArgumentException("agency pattern '" + value
          + "' must be '*', an agency code such as 000.00.53.H48, or '*.' and a code tail such as *.H48");
    }
  }

  public static boolean covers(String pattern, String code) {
    return new AgencyPattern(pattern).covers(code);
  }

  public boolean covers(String code) {
    if (!AgencyCode.isWellFormed(code)) {
      return false;
    }
    if (value.equals("*")) {
      return true;
    }
    // "*.H48" keeps its dot, so it matches ".H48" and never a code merely ending in "H48" elsewhere.
    return value.startsWith("*") ? code.endsWith(value.substring(1)) : code.equals(value);
  }
}
