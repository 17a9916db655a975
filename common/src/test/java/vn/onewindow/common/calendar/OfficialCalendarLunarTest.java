package vn.onewindow.common.calendar;

import static org.assertj.core.api.Assertions.assertThat;

import com.ibm.icu.util.ChineseCalendar;
import com.ibm.icu.util.TimeZone;
import com.ibm.icu.util.ULocale;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lunar dates written in the files (official ones and the computed provisional ones) agree with the
 * Vietnamese lunar calendar, i.e. ICU's Chinese calendar with the astronomy done at UTC+7 (AGENCY.md §8).
 */
class OfficialCalendarLunarTest {
  private static final TimeZone UTC7 = TimeZone.getTimeZone("GMT+7");

  /** ICU computes new moons at UTC+8 (Beijing); the protected constructor moves that to Hà Nội. */
  @SuppressWarnings("deprecation")
  private static final class VietnameseCalendar extends ChineseCalendar {
    VietnameseCalendar() {
      super(UTC7, ULocale.ROOT, UTC7);
    }
  }

  /** The Gregorian date of lunar {@code month}/{@code day} (not a leap month) of the lunar year in {@code year}. */
  static LocalDate gregorian(ChineseCalendar lunar, int year, int month, int day) {
    for (LocalDate d = LocalDate.of(year, 1, 1); d.getYear() == year; d = d.plusDays(1)) {
      lunar.setTimeInMillis(d.atTime(12, 0).toInstant(ZoneOffset.ofHours(7)).toEpochMilli());
      if (lunar.get(ChineseCalendar.IS_LEAP_MONTH) == 0 && lunar.get(ChineseCalendar.MONTH) + 1 == month
          && lunar.get(ChineseCalendar.DAY_OF_MONTH) == day) {
        return d;
      }
    }
    throw new AssertionError("no lunar " + month + "/" + day + " in " + year);
  }

  @Test
  void shouldMatchTetAndHungKingsDatesComputedAtUtcPlus7() {
    OfficialCalendar calendar = OfficialCalendar.load(OfficialCalendarTest.CONFIG, 2025, 2028);
    for (int year = 2025; year <= 2028; year++) {
      List<LunarAnchor> anchors = LocalDate.of(year, 1, 1).datesUntil(LocalDate.of(year + 1, 1, 1))
          .flatMap(d -> calendar.entryOn(d).stream()).distinct()
          .flatMap(e -> e.lunar().stream()).toList();

      assertThat(anchors).as("Tết and Hùng Kings anchors in %s.yaml", year)
          .extracting(a -> a.month() + "/" + a.day()).containsExactlyInAnyOrder("1/1", "3/10");
      for (LunarAnchor a : anchors) {
        assertThat(a.date()).as("lunar %s/%s in %s", a.month(), a.day(), year)
            .isEqualTo(gregorian(new VietnameseCalendar(), year, a.month(), a.day()));
      }
    }
  }

  @Test
  void shouldDifferFromTheChineseCalendarWhereTheNewMoonIsNearMidnight() {
    assertThat(gregorian(new VietnameseCalendar(), 1985, 1, 1)).isEqualTo(LocalDate.of(1985, 1, 21));
    assertThat(gregorian(new ChineseCalendar(), 1985, 1, 1)).isEqualTo(LocalDate.of(1985, 2, 20));
    assertThat(gregorian(new VietnameseCalendar(), 2027, 1, 1)).isEqualTo(LocalDate.of(2027, 2, 6));
    assertThat(gregorian(new ChineseCalendar(), 2027, 1, 1)).isEqualTo(LocalDate.of(2027, 2, 7));
  }
}
