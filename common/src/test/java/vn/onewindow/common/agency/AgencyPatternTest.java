package vn.onewindow.common.agency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AgencyPatternTest {

  @Test
  void shouldCoverEveryCodeOfAProvince() {
    assertThat(AgencyPattern.covers("*.H48", "000.00.53.H48")).isTrue();
    assertThat(AgencyPattern.covers("*.H48", "000.21.53.H48")).isTrue();
    assertThat(AgencyPattern.covers("*.H48", "000.00.00.H49")).isFalse();
  }

  @Test
  void shouldCoverAUnitAndWhatIsUnderIt() {
    assertThat(AgencyPattern.covers("*.53.H48", "000.21.53.H48")).isTrue();
    assertThat(AgencyPattern.covers("*.53.H48", "000.00.18.H48")).isFalse();
  }

  @Test
  void shouldCoverExactlyOneCode() {
    assertThat(AgencyPattern.covers("000.00.53.H48", "000.00.53.H48")).isTrue();
    assertThat(AgencyPattern.covers("000.00.53.H48", "000.21.53.H48")).isFalse();
  }

  @Test
  void shouldCoverAnyWellFormedCodeWithAStar() {
    assertThat(AgencyPattern.covers("*", "000.00.00.H26")).isTrue();
    assertThat(AgencyPattern.covers("*", "H48")).isFalse();
    assertThat(AgencyPattern.covers("*.H48", "x.H48")).isFalse();
  }

  @Test
  void shouldRejectPatternsThatAreNeitherACodeNorATail() {
    for (String bad : new String[] {"H48", "*H48", "*.h48", "000.00.*.H48", "**", "", "*.00.00.00.H48"}) {
      assertThatThrownBy(() -> new AgencyPattern(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> new AgencyPattern(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
