package vn.onewindow.gateway.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.metrics.MeterNames.Feed;
import vn.onewindow.gateway.http.HttpFailure;

/** The cursor's text form, without servers: round trip, start, and every foreign or forged value refused. */
class FeedCursorFormatTest {

  @Test
  void shouldRoundTripAPositionAndStartBeforeTheFirstRow() {
    FeedCursor cursor = new FeedCursor(Feed.AGENCY, "18446744073709551615", 9_223_372_036_854_775_807L);

    assertThat(FeedCursor.parse(Feed.AGENCY, cursor.encode())).isEqualTo(cursor);
    assertThat(cursor.encode()).matches("[A-Za-z0-9_-]+");
    assertThat(FeedCursor.parse(Feed.CHANGES, null)).isEqualTo(new FeedCursor(Feed.CHANGES, "0", 0));
  }

  @Test
  void shouldRefuseACursorOfTheOtherFeedOrAnyForgery() {
    String changes = new FeedCursor(Feed.CHANGES, "42", 7).encode();

    for (String raw : new String[] {changes, "", "%%%", "bm9wZQ", encode("a:-1:0"), encode("a:1:01"),
        encode("a:1:99999999999999999999"), encode("a:123456789012345678901:1"), encode("a:1:1 OR 1=1"),
        // one past the largest xid8 (2^64 - 1) and the largest bigint: PostgreSQL would refuse the page's query
        encode("a:18446744073709551616:0"), encode("a:99999999999999999999:0"), encode("a:1:9223372036854775808")}) {
      assertThatThrownBy(() -> FeedCursor.parse(Feed.AGENCY, raw)).as(raw).isInstanceOf(HttpFailure.class)
          .extracting(e -> ((HttpFailure) e).status()).isEqualTo(400);
    }
  }

  private static String encode(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
