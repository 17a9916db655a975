package vn.onewindow.common.dossier;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stream entry's compact form of the receipt's promised date ({@link StreamEntry#DUE}). */
class StreamEntryTest {

  @Test
  void shouldCarryThePromisedDateAsDaysAfterTheReceiptsUtcDate() {
    // received on Tue 24 Nov 2026 at 01:00 in Asia/Ho_Chi_Minh, still the 23rd in UTC; promised for Wed 25 Nov
    Instant receivedAt = Instant.parse("2026-11-23T18:00:00.123Z");
    LocalDate promised = LocalDate.parse("2026-11-25");
    String due = StreamEntry.due(receivedAt, promised);
    assertThat(due).isEqualTo("2");
    assertThat(StreamEntry.expectedResultBy(receivedAt, due)).isEqualTo(promised);

    StreamEntry entry = new StreamEntry("01a24997-250e-7486-ba84-6dc509ba7f7e", "000.00.53.H48-261124-0001", "c",
        receivedAt.toString(), null, "{}", null, due);
    Map<String, String> fields = entry.toQueuedFields();
    assertThat(fields).containsEntry(StreamEntry.DUE, "2");
    assertThat(StreamEntry.fromFields(fields, "1764957600000-0").expectedResultBy()).isEqualTo(promised);
    // a same-day procedure received west of UTC would name the day before: still read back
    assertThat(StreamEntry.expectedResultBy(receivedAt, StreamEntry.due(receivedAt, promised.minusDays(3))))
        .isEqualTo(promised.minusDays(3));
  }

  @Test
  void shouldReadNoDateFromAnEntryWithoutOneOrWithAnUnreadableOne() {
    Instant receivedAt = Instant.parse("2026-11-23T02:15:30.123Z");
    StreamEntry old = new StreamEntry("01a24997-250e-7486-ba84-6dc509ba7f7e", "000.00.53.H48-261123-0001", "c",
        receivedAt.toString(), null, "{}", "ab");
    assertThat(old.toQueuedFields()).doesNotContainKey(StreamEntry.DUE);
    assertThat(StreamEntry.fromFields(old.toQueuedFields(), "1764857730123-0").expectedResultBy()).isNull();
    for (String unreadable : new String[] {"", "2026-11-24", "x", "99999999", "1.5"}) {
      assertThat(StreamEntry.expectedResultBy(receivedAt, unreadable)).as(unreadable).isNull();
    }
    assertThat(new StreamEntry("01a24997-250e-7486-ba84-6dc509ba7f7e", "000.00.53.H48-261123-0001", "c", "yesterday",
        null, "{}", null, "1").expectedResultBy()).isNull();
  }
}
