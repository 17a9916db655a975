package vn.onewindow.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * Step of every route that takes a JSON body: {@code Content-Type: application/json} in any letter case (RFC 9110
 * 8.3.1: type, subtype and parameter names are case-insensitive), with no charset or UTF-8 (by any of its names), the
 * only encoding the body is read in (RFC 8259 8.1); otherwise 415. Vert.x Web's {@code consumes()} compared the type
 * case-sensitively and let any charset through.
 */
public final class JsonContent {
  /** The media type of the JSON bodies the hub takes and answers with (a problem's is Problems#CONTENT_TYPE). */
  public static final String CONTENT_TYPE = "application/json";
  /**
   * UTF-8 by every name a client may give it, compared ignoring case: its IANA name and alias (csUTF8), Java's
   * aliases (UTF8, which Java and many HTTP clients write, and unicode-1-1-utf-8) and the WHATWG Encoding Standard's
   * labels, which browsers accept. UTF-8 first: nearly every request names it so, if it names a charset at all.
   */
  private static final String[] UTF_8 = {"utf-8", "utf8", "csutf8", "unicode-1-1-utf-8", "unicode11utf8",
      "unicode20utf8", "x-unicode20utf8"};

  private JsonContent() {
  }

  public static void require(RoutingContext ctx) {
    List<String> types = ctx.request().headers().getAll(HttpHeaders.CONTENT_TYPE);
    String refusal = types.size() > 1 ? "give one Content-Type: " + CONTENT_TYPE
        : refusal(types.isEmpty() ? null : types.get(0));
    if (refusal != null) {
      ctx.fail(HttpFailure.unsupportedMediaType(refusal));
      return;
    }
    ctx.next();
  }

  /**
   * Ahead of the body's reading, on the routes that take JSON: a form's Content-Type (a library's default,
   * URLSearchParams, a form post) is refused at once with this step's 415. Vert.x Web's BodyHandler decodes such a
   * body as form fields, and a JSON body over 1 KiB (Netty's buffer per field), a stray '%' or more than 256 fields
   * failed there, as a bare 400 "the request could not be read" (frontend tryout). Unread, like an early 401.
   */
  public static void refuseForms(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    // the BodyHandler's own test of a form: the lower-cased header starts with the type
    String lower = type == null ? "" : type.toLowerCase(Locale.ROOT);
    if (lower.startsWith("application/x-www-form-urlencoded") || lower.startsWith("multipart/form-data")) {
      UnreadBodies.closeIfBodyUnread(ctx);
      ctx.fail(HttpFailure.unsupportedMediaType("send the request body as Content-Type: " + CONTENT_TYPE
          + ", not a form"));
      return;
    }
    ctx.next();
  }

  /**
   * Ahead of the body's reading too: a body in a content coding (gzip, br...) is refused with 415 and {@code
   * Accept-Encoding: identity} (RFC 7694 3: the codings this server reads), unread. It used to reach the JSON parser
   * and come back as a 400 about the compressed bytes ("Illegal character (CTRL-CHAR, code 31)"), which tells a
   * client nothing it can act on. {@code identity} (any letter case) is no coding.
   */
  public static void refuseContentCodings(RoutingContext ctx) {
    for (String codings : ctx.request().headers().getAll(HttpHeaders.CONTENT_ENCODING)) {
      for (String coding : codings.split(",")) {
        if (!coding.isBlank() && !coding.strip().equalsIgnoreCase("identity")) {
          UnreadBodies.closeIfBodyUnread(ctx);
          ctx.fail(HttpFailure.unsupportedContentCoding(
              "the request body is read as sent: send it without a Content-Encoding"));
          return;
        }
      }
    }
    ctx.next();
  }

  private static boolean isUtf8(String charset) {
    for (String name : UTF_8) {
      if (charset.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** Why this Content-Type is refused, or null when it is JSON in UTF-8. */
  static String refusal(String contentType) {
    String[] parts = contentType == null ? new String[] {""} : contentType.split(";");
    if (!parts[0].strip().equalsIgnoreCase(CONTENT_TYPE)) {
      return "send the request body as Content-Type: " + CONTENT_TYPE;
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].strip();
      int equals = parameter.indexOf('=');
      if (equals > 0 && parameter.substring(0, equals).strip().equalsIgnoreCase("charset")) {
        String charset = parameter.substring(equals + 1).strip();
        if (charset.length() >= 2 && charset.startsWith("\"") && charset.endsWith("\"")) {
          charset = charset.substring(1, charset.length() - 1);
        }
        if (!isUtf8(charset)) {
          return "the body is read as UTF-8: send " + CONTENT_TYPE + " with charset=utf-8 or with no charset";
        }
      }
    }
    return null;
  }
}
