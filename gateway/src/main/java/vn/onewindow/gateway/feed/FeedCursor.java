package vn.onewindow.gateway.feed;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import vn.onewindow.common.metrics.MeterNames.Feed;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * A position in a feed: the (xid, seq) of the last row handed out, rows being served in (xid, seq) order and only
 * below the snapshot horizon (README "Feed cursors"). Self-contained, so a reader resumes from the last cursor it
 * kept after any crash, on any gateway instance. Opaque to clients: base64url of {@code <feed>:<xid>:<seq>}; the
 * feed letter stops a cursor of one feed from being replayed against the other. A forged cursor can only select
 * rows the caller may see anyway (feeds filter by agency or client first).
 */
public record FeedCursor(Feed feed, String xid, long seq) {
  private static final Pattern DECODED = Pattern.compile("([ac]):(0|[1-9]\\d{0,19}):(0|[1-9]\\d{0,18})");

  /** Before the first row of a feed. */
  public static FeedCursor start(Feed feed) {
    return new FeedCursor(feed, "0", 0);
  }

  /** {@code raw} as a cursor of {@code feed}; absent = the start; anything else is a 400 naming the parameter. */
  public static FeedCursor parse(Feed feed, String raw) {
    if (raw == null) {
      return start(feed);
    }
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.US_ASCII);
      Matcher m = DECODED.matcher(decoded);
      if (m.matches() && m.group(1).equals(letter(feed)) && raw.length() <= 64) {
        // the xid must fit xid8 (unsigned 64 bits) and the seq a bigint, or PostgreSQL refuses the page's query
        Long.parseUnsignedLong(m.group(2));
        return new FeedCursor(feed, m.group(2), Long.parseLong(m.group(3)));
      }
    } catch (IllegalArgumentException e) {
      // not base64url, or an xid or seq out of range: the same answer as any other foreign cursor
    }
    throw HttpFailure.malformed("after must be a cursor this feed returned as \"next\" (or absent to start)");
  }

  public String encode() {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((letter(feed) + ":" + xid + ":" + seq).getBytes(StandardCharsets.US_ASCII));
  }

  private static String letter(Feed feed) {
    return feed == Feed.AGENCY ? "a" : "c";
  }
}
