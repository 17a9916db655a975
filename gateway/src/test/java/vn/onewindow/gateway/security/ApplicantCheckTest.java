package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.http.HttpFailure;

/** ApplicantCheck, the rule behind Security.checkApplicant, without servers. */
class ApplicantCheckTest {
  private static final String CITIZEN = "001203004567";

  @Test
  void shouldAcceptTheTokenCitizensOwnDossier() {
    assertThat(ApplicantCheck.check(CITIZEN, CITIZEN)).isEmpty();
  }

  @Test
  void shouldAcceptAnyApplicantWithoutACitizenToken() {
    assertThat(ApplicantCheck.check(null, CITIZEN)).isEmpty();
  }

  @Test
  void shouldAcceptAnApplicantWithoutCitizenIdSuchAsABusiness() {
    assertThat(ApplicantCheck.check(CITIZEN, null)).isEmpty();
    assertThat(ApplicantCheck.check(CITIZEN, "")).isEmpty();
  }

  @Test
  void shouldRefuseADifferentCitizenWith403WithoutNamingEither() {
    HttpFailure failure = ApplicantCheck.check(CITIZEN, "001203004568").orElseThrow();

    assertThat(failure.status()).isEqualTo(403);
    assertThat(failure.type()).isEqualTo("applicant-mismatch");
    assertThat(failure.getMessage()).isNotBlank().doesNotContain(CITIZEN).doesNotContain("001203004568");
  }

  @Test
  void shouldRefuseAPrefixOrCaseVariantOfTheTokenCitizen() {
    assertThat(ApplicantCheck.check(CITIZEN, CITIZEN.substring(1))).isPresent();
    assertThat(ApplicantCheck.check(CITIZEN, CITIZEN + "0")).isPresent();
    assertThat(ApplicantCheck.check("B1234567", "b1234567")).isPresent();
  }
}
