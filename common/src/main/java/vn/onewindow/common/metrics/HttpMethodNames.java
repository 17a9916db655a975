package vn.onewindow.common.metrics;

import java.util.Set;

/**
 * The request method as a metric label or a log field: one of RFC 9110's methods (and PATCH), or {@code OTHER}.
 * HTTP lets a client send any token as its method, so the method as sent is neither bounded nor free of what a
 * caller chooses to write there (a citizen ID, glued to letters where the log masker leaves digits alone).
 */
public final class HttpMethodNames {
  public static final String OTHER = "OTHER";
  private static final Set<String> KNOWN = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
      "TRACE", "PATCH");

  private HttpMethodNames() {
  }

  public static String bounded(String method) {
    return method != null && KNOWN.contains(method) ? method : OTHER;
  }
}
