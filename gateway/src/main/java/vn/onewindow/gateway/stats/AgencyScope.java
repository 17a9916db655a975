package vn.onewindow.gateway.stats;

import vn.onewindow.common.agency.AgencyPattern;

/**
 * An agency pattern ({@code *}, an exact code, or {@code *.H48}-style tail) as a SQL predicate on
 * {@code handling_agency} with one text parameter. A tail matches through the index on
 * {@code reverse(handling_agency)}: a suffix search becomes a prefix range scan.
 */
record AgencyScope(String predicate, String parameter) {

  static AgencyScope of(AgencyPattern pattern, String column, int parameterIndex) {
    String value = pattern.value();
    String p = "$" + parameterIndex;
    if (value.equals("*")) {
      return new AgencyScope(p + "::text IS NOT NULL", "*");
    }
    if (value.startsWith("*")) {
      // codes hold digits, dots and capitals only: nothing to escape for LIKE
      String reversedTail = new StringBuilder(value.substring(1)).reverse().toString();
      return new AgencyScope("reverse(" + column + ") LIKE " + p, reversedTail + "%");
    }
    return new AgencyScope(column + " = " + p, value);
  }
}
