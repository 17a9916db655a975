package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.http.HttpFailure;

/** ApplicantCheck, the rule the submit step applies, without servers. */
class ApplicantCheckTest {
  private static final String CITIZEN = "001203004567";

  @Test
  void shouldAcceptTheTokenCitizensOwnDossier() {
    assertThat(ApplicantCheck.check(Optional.of(CITIZEN), CITIZEN)).isEmpty();
  }

  @Test
  void shouldAcceptAnyApplicantWithoutACitizenToken() {
    assertThat(ApplicantCheck.check(Optional.empty(), CITIZEN)).isEmpty();
  }

  @Test
  void shouldAcceptAnApplicantWithoutCitizenIdSuchAsABusiness() {
    assertThat(ApplicantCheck.check(Optional.of(CITIZEN), null)).isEmpty();
    assertThat(ApplicantCheck.check(Optional.of(CITIZEN), "")).isEmpty();
  }

  @Test
  void shouldRefuseADifferentCitizenWith403WithoutNamingEither() {
    HttpFailure failure = ApplicantCheck.check(Optional.of(CITIZEN), "001203004568").orElseThrow();

    assertThat(failure.status()).isEqualTo(403);
    assertThat(failure.type()).isEqualTo("applicant-mismatch");
    assertThat(failure.getMessage()).isNotBlank().doesNotContain(CITIZEN).doesNotContain("001203004568");
  }

  @Test
  void shouldRefuseAPrefixOrCaseVariantOfTheTokenCitizen() {
    assertThat(ApplicantCheck.check(Optional.of(CITIZEN), CITIZEN.substring(1))).isPresent();
    assertThat(ApplicantCheck.check(Optional.of(CITIZEN), CITIZEN + "0")).isPresent();
    assertThat(ApplicantCheck.check(Optional.of("B1234567"), "b1234567")).isPresent();
  }
}
