package vn.onewindow.gateway.stats;

import vn.onewindow.common.agency.AgencyPattern;

/**
 * An agency pattern ({@code *}, an exact code, or {@code *.H48}-style tail) as a SQL predicate on
 * {@code handling_agency} with one text parameter. Both a tail and an exact code match through the one index on
 * {@code reverse(handling_agency)} (with the columns the statistics read): a suffix search becomes a prefix range
 * scan, an exact code an equality on the reversed code. So intake maintains no second agency index for exact codes
 * (V8 dropped the one on {@code (handling_agency, received_at)}, which nothing else read).
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
    return new AgencyScope("reverse(" + column + ") = " + p, new StringBuilder(value).reverse().toString());
  }
}
