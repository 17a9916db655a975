package vn.onewindow.common.dossier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class DossierCodeTest {

  @Test
  void shouldLookExactlyAsBeforeOnAnOrdinaryDay() {
    assertThat(DossierCode.of("000.00.53.H48", LocalDate.of(2026, 11, 23), DossierCode.queueSequence(1)))
        .isEqualTo("000.00.53.H48-261123-0001");
    assertThat(DossierCode.queueSequence(42)).isEqualTo(42);
    assertThat(DossierCode.queueSequence(8_999)).isEqualTo(8_999);
  }

  /** The kept last day is replaced by another and found again: each day's text stays its own. */
  @Test
  void shouldWriteEachDayAsItsOwnDigitsWhateverDayCameBefore() {
    LocalDate[] days = {LocalDate.of(2026, 11, 23), LocalDate.of(2026, 11, 23), LocalDate.of(2026, 11, 24),
        LocalDate.of(2026, 11, 23), LocalDate.of(2000, 1, 1), LocalDate.of(2099, 12, 31), LocalDate.of(2126, 11, 23)};
    String[] expected = {"261123", "261123", "261124", "261123", "000101", "991231", "261123"};
    for (int i = 0; i < days.length; i++) {
      assertThat(DossierCode.day(days[i])).as(days[i].toString()).isEqualTo(expected[i]);
      assertThat(DossierCode.prefix("000.00.53.H48", days[i])).isEqualTo("000.00.53.H48-" + expected[i]);
    }
  }

  /** A counter seeded from the codes PostgreSQL holds goes on with the number after the highest of them. */
  @Test
  void shouldFindTheCounterValueThatIssuedEachQueueNumber() {
    for (long n : new long[] {1, 42, 8_999, 9_000, 9_001, 88_999, 89_000, 89_001, 888_999, 889_000, 5_000_000}) {
      assertThat(DossierCode.queueIndex(DossierCode.queueSequence(n))).as("n=" + n).isEqualTo(n);
    }
    assertThat(DossierCode.queueIndex(89_999)).isEqualTo(8_999 + 80_000);
    assertThatThrownBy(() -> DossierCode.queueIndex(9_000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DossierCode.queueIndex(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldSkipEveryNumberStartingWithNineOnTheQueuePath() {
    assertThat(DossierCode.queueSequence(9_000)).isEqualTo(10_000);
    assertThat(DossierCode.queueSequence(8_999 + 80_000)).isEqualTo(89_999);
    assertThat(DossierCode.queueSequence(8_999 + 80_001)).isEqualTo(100_000);
    assertThat(DossierCode.queueSequence(8_999 + 80_000 + 800_000)).isEqualTo(899_999);
    assertThat(DossierCode.queueSequence(8_999 + 80_000 + 800_001)).isEqualTo(1_000_000);
  }

  @Test
  void shouldGiveTheDirectPathOnlyNumbersStartingWithNine() {
    assertThat(DossierCode.directSequence(1)).isEqualTo(9_000);
    assertThat(DossierCode.directSequence(1_000)).isEqualTo(9_999);
    assertThat(DossierCode.directSequence(1_001)).isEqualTo(90_000);
    assertThat(DossierCode.directSequence(11_000)).isEqualTo(99_999);
    assertThat(DossierCode.directSequence(11_001)).isEqualTo(900_000);
    assertThat(DossierCode.of("000.00.53.H48", LocalDate.of(2026, 11, 23), DossierCode.directSequence(1)))
        .isEqualTo("000.00.53.H48-261123-9000");
  }

  @Test
  void shouldKeepBothSpacesDisjointCompleteAndIncreasing() {
    int queueCount = 200_000; // through the 4-, 5- and 6-digit widths of both spaces
    long max = DossierCode.queueSequence(queueCount);
    BitSet taken = new BitSet((int) max + 1);
    long previous = 0;
    for (long n = 1; n <= queueCount; n++) {
      long q = DossierCode.queueSequence(n);
      if (q <= previous || DossierCode.isDirect(q) || taken.get((int) q)) {
        throw new AssertionError("queue number " + n + " -> " + q + " after " + previous);
      }
      taken.set((int) q);
      previous = q;
    }
    previous = 0;
    for (long k = 1; DossierCode.directSequence(k) <= max; k++) {
      long d = DossierCode.directSequence(k);
      if (d <= previous || !DossierCode.isDirect(d) || taken.get((int) d)) {
        throw new AssertionError("direct number " + k + " -> " + d + " after " + previous);
      }
      taken.set((int) d);
      previous = d;
    }
    // together the two spaces cover every number up to the largest one handed out, each exactly once
    assertThat(taken.nextClearBit(1)).isEqualTo(max + 1);
  }

  @Test
  void shouldRefuseNonPositiveCounters() {
    assertThatThrownBy(() -> DossierCode.queueSequence(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DossierCode.directSequence(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  /** What the look-up by code reads a code's counter with; the parts make the code again. */
  @Test
  void shouldSplitACodeIntoItsUnitDayAndSequence() {
    assertThat(DossierCode.parts("000.00.53.H48-261123-0001"))
        .contains(new DossierCode.Parts("000.00.53.H48", "261123", 1));
    DossierCode.Parts wide = DossierCode.parts("000.00.53.H48-261123-123456789012345").orElseThrow();
    assertThat(wide.sequence()).isEqualTo(123_456_789_012_345L);
    assertThat(DossierCode.of(wide.receivingUnit(), LocalDate.of(2026, 11, 23), wide.sequence()))
        .isEqualTo("000.00.53.H48-261123-123456789012345");
    // not a code, no number a counter gives, more digits than a long holds
    for (String refused : new String[] {null, "", "000.00.53.H48-261123-001", "000.00.53.H48-261123-0000",
        "000.00.53.H48-261123-99999999999999999999999", "000.00.53.H48-261123-0001 ", "x00.00.53.H48-261123-0001"}) {
      assertThat(DossierCode.parts(refused)).as(String.valueOf(refused)).isEmpty();
    }
  }

  /**
   * A code is written with its number zero-padded to four digits, never wider ({@link DossierCode#SEQUENCE_FORMAT}):
   * "-00001" or "-000000000000003" is no code the hub gives, though its number is one a counter reached. Read as
   * number 1 or 3, the look-up by code answered them "received" (200, persisted false) for as long as the day's
   * counter lived, also after the real "-0001" was recorded and its status had moved on.
   */
  @Test
  void shouldRefuseANumberPaddedWiderThanTheCodesForm() {
    for (String padded : new String[] {"000.00.53.H48-261123-00001", "000.00.53.H48-261123-000000000000003",
        "000.00.53.H48-261123-010000", "000.00.53.H48-261123-09001"}) {
      assertThat(DossierCode.parts(padded)).as(padded).isEmpty();
    }
    assertThat(DossierCode.parts("000.00.53.H48-261123-0123")).contains(new DossierCode.Parts("000.00.53.H48",
        "261123", 123));
    assertThat(DossierCode.parts("000.00.53.H48-261123-10000")).contains(new DossierCode.Parts("000.00.53.H48",
        "261123", 10_000));
  }
}
