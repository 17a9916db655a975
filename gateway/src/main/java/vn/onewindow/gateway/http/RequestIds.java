package vn.onewindow.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Takes the caller's X-Request-Id when it is a sane token, otherwise mints one; echoes it on every answer. */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  /** HEADER as an AsciiString, made once: Vert.x keeps its hash for the look-up and the put, and copies it whole. */
  private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
  private static final String KEY = "requestId";
  private static final int MAX_LENGTH = 64;

  private RequestIds() {
  }

  public static void assign(RoutingContext ctx) {
    String incoming = ctx.request().getHeader(HEADER_NAME);
    String id = incoming != null && SafeTokens.isSafe(incoming, 1, MAX_LENGTH) ? incoming : mint();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER_NAME, id);
    ctx.next();
  }

  /**
   * A version-4 UUID from the thread's fast generator: a correlation id, not a secret (dossier ids keep
   * {@code UUID.randomUUID}'s SecureRandom), so it need not queue on SecureRandom's lock for every request.
   */
  static String mint() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
        (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }
}
