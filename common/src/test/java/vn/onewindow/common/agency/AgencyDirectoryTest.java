package vn.onewindow.common.agency;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class AgencyDirectoryTest {

  private static final LocalDate MERGER = LocalDate.of(2025, 7, 1);
  private static final AgencyDirectory DIRECTORY = AgencyDirectory.load(Path.of("..", "config", "agencies.json"));

  @Test
  void shouldResolveAnOpenCodeAsValid() {
    Resolution resolution = DIRECTORY.resolve("000.00.53.H48", LocalDate.of(2026, 12, 1));

    assertThat(resolution).isInstanceOfSatisfying(Resolution.Valid.class,
        valid -> assertThat(valid.agency().parent()).isEqualTo("000.00.00.H48"));
  }

  @Test
  void shouldNotKnowACodeOutsideTheDirectory() {
    assertThat(DIRECTORY.resolve("000.00.99.H48", MERGER)).isEqualTo(new Resolution.Unknown("000.00.99.H48"));
    assertThat(DIRECTORY.resolve("not-a-code", MERGER)).isEqualTo(new Resolution.Unknown("not-a-code"));
  }

  @Test
  void shouldKeepResolvingAMergedProvinceForDossiersReceivedBeforeTheMerger() {
    Resolution resolution = DIRECTORY.resolve("000.00.00.H49", MERGER.minusDays(1));

    assertThat(resolution).isInstanceOfSatisfying(Resolution.Valid.class,
        valid -> assertThat(valid.agency().name()).contains("Quảng Nam"));
  }

  @Test
  void shouldNameSuccessorOfMergedProvince() {
    Resolution resolution = DIRECTORY.resolve("000.00.00.H49", MERGER);

    assertThat(resolution).isInstanceOfSatisfying(Resolution.Closed.class, closed -> {
      assertThat(closed.closed().validTo()).isEqualTo(MERGER);
      assertThat(closed.successor().code()).isEqualTo("000.00.00.H48");
    });
    assertThat(DIRECTORY.resolve("000.00.00.H02", LocalDate.of(2026, 1, 5)))
        .isInstanceOfSatisfying(Resolution.Closed.class,
            closed -> assertThat(closed.successor().name()).contains("Tuyên Quang"));
  }

  @Test
  void shouldGiveEveryClosedProvinceAnOpenSuccessorToday() {
    LocalDate today = LocalDate.of(2026, 12, 1);

    assertThat(DIRECTORY.validOn(today)).extracting(Agency::level).contains(AgencyLevel.PROVINCE);
    assertThat(DIRECTORY.validOn(today).stream().filter(a -> a.level() == AgencyLevel.PROVINCE)).hasSize(34);
    DIRECTORY.validOn(MERGER.minusDays(1)).stream().filter(Agency::isClosed).forEach(agency ->
        assertThat(DIRECTORY.resolve(agency.code(), today)).isInstanceOfSatisfying(Resolution.Closed.class,
            closed -> assertThat(closed.successor().isValidOn(today)).isTrue()));
  }

  @Test
  void shouldLabelMetricsWithABoundedProvince() {
    assertThat(DIRECTORY.provinceOf("000.21.53.H48")).isEqualTo("H48");
    assertThat(DIRECTORY.provinceOf("000.00.00.H49")).isEqualTo("H49");
    assertThat(DIRECTORY.provinceOf("000.00.00.Z99")).isEqualTo(AgencyDirectory.OTHER_PROVINCE);
    assertThat(DIRECTORY.provinceOf("H48")).isEqualTo(AgencyDirectory.OTHER_PROVINCE);
    assertThat(DIRECTORY.provinceOf(null)).isEqualTo(AgencyDirectory.OTHER_PROVINCE);
  }

  @Test
  void shouldFollowASuccessorThatClosedLater() {
    LocalDate start = LocalDate.of(2016, 1, 1);
    AgencyDirectory directory = AgencyDirectory.of(java.util.List.of(
        agency("000.00.00.H01", start, LocalDate.of(2020, 1, 1), "000.00.00.H02"),
        agency("000.00.00.H02", start, LocalDate.of(2025, 7, 1), "000.00.00.H03"),
        agency("000.00.00.H03", start, null, null)));

    assertThat(directory.resolve("000.00.00.H01", LocalDate.of(2021, 3, 1)))
        .isInstanceOfSatisfying(Resolution.Closed.class, c -> assertThat(c.successor().code()).isEqualTo("000.00.00.H02"));
    assertThat(directory.resolve("000.00.00.H01", LocalDate.of(2026, 3, 1)))
        .isInstanceOfSatisfying(Resolution.Closed.class, c -> assertThat(c.successor().code()).isEqualTo("000.00.00.H03"));
    assertThat(directory.resolve("000.00.00.H01", LocalDate.of(2015, 3, 1))).isInstanceOf(Resolution.Unknown.class);
  }

  static Agency agency(String code, LocalDate from, LocalDate to, String successor) {
    return new Agency(code, "Agency " + code, AgencyLevel.PROVINCE, null, from, to, successor, "test", false);
  }
}
