package vn.onewindow.gateway.security;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.List;
import java.util.Map;
import vn.onewindow.gateway.http.Http1Framing;

/**
 * Why a request's path or framing is refused before any route ({@link EdgeHandlers#requestLimits}): a path the router
 * would answer as another (what a proxy in front routes on must be what is answered), and framing a proxy may read
 * otherwise than this server (how requests are smuggled). Each answer is the refusal's detail, or null.
 */
final class RequestFraming {
  private static final String CONTROL_CHARACTERS = "a header field or the request target holds CR, LF or NUL "
      + "(RFC 9113 8.2.1): send each field on its own, without control characters";

  private RequestFraming() {
  }

  /**
   * Why the raw path is not the one the router would answer, or null: an empty segment ({@code //metrics},
   * {@code /v1//procedures}) or a dot segment. One trailing slash stays allowed (the router takes {@code /metrics/}
   * for {@code /metrics}, as a proxy's prefix rule for {@code /metrics} does; the API's clients may send it). One
   * scan for "//" on every request; the dot segments' split runs only on a path with a '.' or '%'.
   */
  static String unresolvedPath(String path) {
    if (path != null && path.contains("//")) {
      return "the path has an empty segment ('//'): send each segment once, non-empty";
    }
    if (hasDotSegment(path)) {
      return "the path has a '.' or '..' segment: send it resolved";
    }
    return hasEncodedUnreserved(path) ? "the path has a percent-encoded letter, digit or '-._~': send it unencoded"
        : null;
  }

  /**
   * A percent-encoded unreserved character (RFC 3986 2.3), which the router decodes before routing: /%6detrics
   * answered /metrics past a proxy's raw-path rule, /v1/%64ossiers the dossier routes. Scanned only with a '%'.
   */
  static boolean hasEncodedUnreserved(String path) {
    if (path == null) {
      return false;
    }
    for (int i = path.indexOf('%'); i >= 0 && i + 2 < path.length(); i = path.indexOf('%', i + 1)) {
      int hi = Character.digit(path.charAt(i + 1), 16);
      int lo = Character.digit(path.charAt(i + 2), 16);
      if (hi >= 0 && lo >= 0) {
        char c = (char) (hi * 16 + lo);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** A "." or ".." segment in the raw path, also percent-encoded ("%2e", "%2E"). */
  static boolean hasDotSegment(String path) {
    if (path == null || (path.indexOf('.') < 0 && path.indexOf('%') < 0)) {
      return false;
    }
    for (String segment : path.split("/", -1)) {
      String s = segment.replace("%2e", ".").replace("%2E", ".");
      if (s.equals(".") || s.equals("..")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Why an HTTP/2 request's fields ({@link #http2FieldRefusal}) or an HTTP/1.1 request's framing are refused, or null.
   * HTTP/1.1: not exactly one Host; a Transfer-Encoding other than one plain {@code chunked} (Netty would read such a
   * body by its Content-Length, or close the connection unanswered). Not seen here: a Content-Length next to {@code Transfer-Encoding: chunked}, which Netty drops before any handler runs,
   * reading the body as chunked; that request is served on its connection, where RFC 9112 (6.1) would close it
   * after the answer. A proxy in front must not forward such a request (README, Security).
   */
  static String refusal(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) {
      return http2FieldRefusal(request);
    }
    String host = Http1Framing.hostRefusal(request);
    if (host != null) {
      return host;
    }
    List<String> codings = request.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
    return codings.isEmpty() || codings.size() == 1 && codings.get(0).strip().equalsIgnoreCase("chunked") ? null
        : "Transfer-Encoding: only chunked is accepted, alone";
  }

  /**
   * Why an HTTP/2 request's fields are refused, or null: a field value or the request target (:path) holding CR, LF or
   * NUL, or a field value starting or ending with a space or tab, makes the request malformed (RFC 9113 8.2.1).
   * Netty's HTTP/1 decoder refuses such a line before any handler, and strips the whitespace around a value (the
   * line's optional whitespace); its HTTP/2 decoder, as Vert.x 5.0.10 builds it, checks names only
   * (DefaultHttp2HeadersDecoder without validateHeaderValues, which no Vert.x option sets), so a value such as
   * "a\r\nX-Forwarded-For: ..." was served as it came, for a log or a proxy behind to read as two lines, and a key
   * sent as " key" was refused over HTTP/2 where HTTP/1.1 served it. The other pseudo-fields never get here with such
   * bytes: Vert.x resets the stream of an :authority that does not parse and ends the connection of a :method that is
   * not a token (MalformedFramingTest), and :scheme is read by no one.
   */
  private static String http2FieldRefusal(HttpServerRequest request) {
    if (hasCrLfOrNul(request.uri())) {
      return CONTROL_CHARACTERS;
    }
    for (Map.Entry<String, String> field : request.headers()) {
      String value = field.getValue();
      if (hasCrLfOrNul(value)) {
        return CONTROL_CHARACTERS;
      }
      if (!value.isEmpty() && (spaceOrTab(value.charAt(0)) || spaceOrTab(value.charAt(value.length() - 1)))) {
        return "a header field's value starts or ends with a space or tab (RFC 9113 8.2.1): send it without that "
            + "whitespace";
      }
    }
    return null;
  }

  private static boolean spaceOrTab(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean hasCrLfOrNul(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        return true;
      }
    }
    return false;
  }
}
