package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.http.HttpFailure;

/** The applicant check as the submit step calls it: pure, no server. */
class ApplicantCheckTest {

  @Test
  void shouldRefuseOnlyADifferentCitizenWith403() {
    assertThat(check("001203004567", "001203004567")).isEqualTo("ok");
    assertThat(check(null, "001203004567")).isEqualTo("ok");
    assertThat(check("001203004567", null)).isEqualTo("ok");
    assertThat(check("001203004567", "")).isEqualTo("ok");
    assertThat(check("001203004567", "001203004568")).startsWith("403 applicant-mismatch ")
        .doesNotContain("001203004567").doesNotContain("001203004568");
  }

  private static String check(String tokenCitizen, String bodyCitizen) {
    Optional<HttpFailure> failure = ApplicantCheck.check(Optional.ofNullable(tokenCitizen), bodyCitizen);
    return failure.map(f -> f.status() + " " + f.type() + " " + f.getMessage()).orElse("ok");
  }
}
