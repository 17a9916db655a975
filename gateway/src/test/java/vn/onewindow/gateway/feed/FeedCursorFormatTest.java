package vn.onewindow.gateway.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.metrics.MeterNames.Feed;
import vn.onewindow.gateway.http.HttpFailure;

/** The cursor's text form, without servers: round trip, start, and every foreign or forged value refused. */
class FeedCursorFormatTest {
  private static final String H48 = "000.21.53.H48";

  @Test
  void shouldRoundTripAPositionAndStartBeforeTheFirstRow() {
    FeedCursor cursor = new FeedCursor(Feed.AGENCY, H48, "9223372036854775807", 9_223_372_036_854_775_807L);

    assertThat(FeedCursor.parse(Feed.AGENCY, H48, cursor.encode())).isEqualTo(cursor);
    assertThat(cursor.encode()).matches("[A-Za-z0-9_-]+").hasSizeLessThanOrEqualTo(64);
    assertThat(FeedCursor.parse(Feed.CHANGES, "portal-web", null))
        .isEqualTo(new FeedCursor(Feed.CHANGES, "portal-web", "0", 0));
  }

  @Test
  void shouldRefuseACursorOfAnotherFeed() {
    String otherAgency = new FeedCursor(Feed.AGENCY, "000.00.18.H48", "42", 7).encode();
    String changes = new FeedCursor(Feed.CHANGES, H48, "42", 7).encode();
    String otherClient = new FeedCursor(Feed.CHANGES, "mobile-app", "42", 7).encode();

    assertRefused(Feed.AGENCY, H48, otherAgency, changes, encode("c:42:7"));
    assertRefused(Feed.CHANGES, "portal-web", otherClient, encode("a:42:7"));
    assertThat(FeedCursor.parse(Feed.AGENCY, "000.00.18.H48", otherAgency))
        .isEqualTo(new FeedCursor(Feed.AGENCY, "000.00.18.H48", "42", 7));
  }

  /** The format issued before cursors were bound: still read at its position, for any feed of its letter. */
  @Test
  void shouldReadAnUnboundCursorAndReEncodeItBound() {
    FeedCursor read = FeedCursor.parse(Feed.AGENCY, H48, encode("a:9223372036854775807:9223372036854775807"));

    assertThat(read).isEqualTo(new FeedCursor(Feed.AGENCY, H48, "9223372036854775807", 9_223_372_036_854_775_807L));
    assertThat(FeedCursor.parse(Feed.AGENCY, H48, read.encode())).isEqualTo(read);
    assertRefused(Feed.AGENCY, "000.00.18.H48", read.encode());
  }

  @Test
  void shouldRefuseAnyForgery() {
    String bound = new FeedCursor(Feed.AGENCY, H48, "42", 7).encode();
    byte[] bytes = Base64.getUrlDecoder().decode(bound);
    byte[] negativeSeq = bytes.clone();
    ByteBuffer.wrap(negativeSeq).putLong(9, -1);
    byte[] xidPastHalf = bytes.clone();
    ByteBuffer.wrap(xidPastHalf).putLong(1, Long.MIN_VALUE);
    byte[] largestXid = bytes.clone();
    ByteBuffer.wrap(largestXid).putLong(1, -1);
    byte[] otherFormat = bytes.clone();
    otherFormat[0] = 2;
    byte[] tagTouched = bytes.clone();
    tagTouched[24] ^= 1;

    assertRefused(Feed.AGENCY, H48, "", "%%%", "bm9wZQ", encode("a:-1:0"), encode("a:1:01"),
        encode("a:1:99999999999999999999"), encode("a:123456789012345678901:1"), encode("a:1:1 OR 1=1"),
        // one past the largest xid8 (2^64 - 1) and the largest bigint: PostgreSQL would refuse the page's query
        encode("a:18446744073709551616:0"), encode("a:99999999999999999999:0"), encode("a:1:9223372036854775808"),
        // xids of 2^63 and more, which no database hands out (292,000 years at a million transactions a second)
        encode("a:9223372036854775808:0"), encode("a:18446744073709551615:0"), encode(xidPastHalf),
        encode(largestXid),
        // the bound format: a negative seq, another format byte, a tag not of this feed, a byte short or over
        encode(negativeSeq), encode(otherFormat), encode(tagTouched), encode(Arrays.copyOf(bytes, 24)),
        encode(Arrays.copyOf(bytes, 26)), bound + "A".repeat(64 - bound.length() + 1));
  }

  private static void assertRefused(Feed feed, String owner, String... raws) {
    for (String raw : raws) {
      assertThatThrownBy(() -> FeedCursor.parse(feed, owner, raw)).as(raw).isInstanceOf(HttpFailure.class)
          .extracting(e -> ((HttpFailure) e).status()).isEqualTo(400);
    }
  }

  private static String encode(String text) {
    return encode(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static String encode(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
