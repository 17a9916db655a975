package vn.onewindow.gateway.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** How local dates are taken in SQL, without a server. */
class TimelinessQueryTest {

  @Test
  void shouldAddVietnamsFixedOffsetInsteadOfConvertingEveryRow() {
    TimelinessQuery query = new TimelinessQuery(null, ZoneId.of("Asia/Ho_Chi_Minh"));

    assertThat(query.localDate("processed_at", LocalDate.of(2026, 1, 1), LocalDate.of(2026, 12, 31)))
        .isEqualTo("((processed_at AT TIME ZONE 'UTC') + interval '25200 seconds')::date");
  }

  @Test
  void shouldConvertThroughTheZoneWhenItsOffsetChangesInThePeriod() {
    TimelinessQuery query = new TimelinessQuery(null, ZoneId.of("Europe/Paris"));

    assertThat(query.localDate("processed_at", LocalDate.of(2026, 1, 1), LocalDate.of(2026, 12, 31)))
        .isEqualTo("(processed_at AT TIME ZONE $5)::date");
  }
}
