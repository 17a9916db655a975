package vn.onewindow.gateway.feed;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import vn.onewindow.common.metrics.MeterNames.Feed;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * A position in one feed: the (xid, seq) of the last row handed out, rows being served in (xid, seq) order and only
 * below the snapshot horizon (README "The agency feed and its cursor guarantee"). Self-contained, so a reader
 * resumes from the last cursor it kept after any crash, on any gateway instance. The feed is named by its kind and
 * its owner: the agency code of the agency feed's path, or the frontend's client id for the change feed.
 *
 * <p>The xid is below 2^63: PostgreSQL's 64-bit transaction ids (xid8, unsigned) would take 292,000 years at a million
 * transactions a second to get there, so a cursor beyond is a forgery, refused like any other. One merely past the
 * database's own ids was issued before the database went back in time, which {@link FeedHandler} answers.
 *
 * <p>Opaque to clients: base64url of 25 bytes, a format byte, the xid (unsigned) and the seq, and a tag of the feed
 * (the first 8 bytes of SHA-256 of {@code <a|c>:<owner>}). The tag exists because a cursor presented to another
 * feed is not an error SQL can see: one agency system covering several agencies with one key, or two frontends
 * sharing a cursor store, would silently skip every row of that feed below the foreign position. It is a mix-up
 * guard, not a secret: a forged cursor can only select rows the caller may see anyway (feeds filter by agency or
 * client first). Binary, because the contract caps {@code after} at 64 characters.
 *
 * <p>Cursors issued before the tag (base64url of {@code <a|c>:<xid>:<seq>}) are still read, unchecked beyond their
 * feed letter: agency systems store them, and refusing them would break every integration on upgrade. The page read
 * from one answers a bound cursor in its place.
 */
public record FeedCursor(Feed feed, String owner, String xid, long seq) {
  private static final byte BOUND = 1;
  private static final int TAG_LENGTH = 8;
  private static final int BOUND_LENGTH = 1 + Long.BYTES + Long.BYTES + TAG_LENGTH;
  private static final int MAX_LENGTH = 64;
  private static final Pattern UNBOUND = Pattern.compile("([ac]):(0|[1-9]\\d{0,19}):(0|[1-9]\\d{0,18})");

  /** Before the first row of {@code owner}'s feed. */
  public static FeedCursor start(Feed feed, String owner) {
    return new FeedCursor(feed, owner, "0", 0);
  }

  /**
   * {@code raw} as a cursor of {@code owner}'s feed; absent = the start; anything else, a cursor bound to another feed
   * included, is a 400 naming the parameter.
   */
  public static FeedCursor parse(Feed feed, String owner, String raw) {
    if (raw == null) {
      return start(feed, owner);
    }
    try {
      byte[] bytes = raw.length() <= MAX_LENGTH ? Base64.getUrlDecoder().decode(raw) : new byte[0];
      FeedCursor cursor = bytes.length == BOUND_LENGTH && bytes[0] == BOUND
          ? bound(feed, owner, bytes)
          : unbound(feed, owner, new String(bytes, StandardCharsets.US_ASCII));
      if (cursor != null) {
        return cursor;
      }
    } catch (IllegalArgumentException e) {
      // not base64url, or an xid or seq out of range: the same answer as any other foreign cursor
    }
    throw HttpFailure.malformed("after must be a cursor this feed returned as \"next\" (or absent to start)");
  }

  /** The position of a row of the same feed. */
  public FeedCursor at(String rowXid, long rowSeq) {
    return new FeedCursor(feed, owner, rowXid, rowSeq);
  }

  /**
   * How many transaction ids this position lies past {@code nextXid}, the first one the database has not issued yet
   * (the xmax of its current snapshot): 0 or more when the database could not have issued this cursor, which no
   * position it handed out ever is (every row served lies below the horizon, and ids only grow), negative otherwise.
   */
  long aheadOf(String nextXid) {
    return Long.parseLong(xid) - Long.parseLong(nextXid);
  }

  /** Always the bound format, whatever format the request's cursor had. */
  public String encode() {
    byte[] bytes = ByteBuffer.allocate(BOUND_LENGTH).put(BOUND).putLong(Long.parseLong(xid)).putLong(seq)
        .put(tag(feed, owner)).array();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static FeedCursor bound(Feed feed, String owner, byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes, 1, BOUND_LENGTH - 1);
    long xid = in.getLong();
    long seq = in.getLong();
    // a negative xid here is one of 2^63 or more (xid8 is unsigned), a negative seq no bigint a row carries
    boolean ours = xid >= 0 && seq >= 0
        && Arrays.equals(bytes, BOUND_LENGTH - TAG_LENGTH, BOUND_LENGTH, tag(feed, owner), 0, TAG_LENGTH);
    return ours ? new FeedCursor(feed, owner, Long.toString(xid), seq) : null;
  }

  private static FeedCursor unbound(Feed feed, String owner, String decoded) {
    Matcher m = UNBOUND.matcher(decoded);
    if (!m.matches() || !m.group(1).equals(letter(feed))) {
      return null;
    }
    // the xid must be below 2^63 and the seq a bigint: parseLong refuses anything larger
    long xid = Long.parseLong(m.group(2));
    return new FeedCursor(feed, owner, Long.toString(xid), Long.parseLong(m.group(3)));
  }

  private static byte[] tag(Feed feed, String owner) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest((letter(feed) + ":" + owner).getBytes(StandardCharsets.UTF_8));
      return Arrays.copyOf(hash, TAG_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static String letter(Feed feed) {
    return feed == Feed.AGENCY ? "a" : "c";
  }
}
