package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.agency.AgencyPattern;
import vn.onewindow.common.infra.Digests;
import vn.onewindow.gateway.security.Owners.Lookup;
import vn.onewindow.gateway.security.Owners.Visibility;

/** The applicant hash kept with a receipt, the per-applicant rate-limit key and the status rule, without servers. */
class OwnersTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String APPLICANT = "001203004567";
  private static final String PORTAL = "portal-web";
  private static final String AGENCY = "000.21.53.H48";
  private static final Client PORTAL_CLIENT = new Client(PORTAL, "portal", "standard");
  private static final Client MOBILE_CLIENT = new Client("mobile-app", "app", "standard");
  /** The portal, with the token of the citizen the tests' dossiers name. */
  private static final Caller SIGNED_IN = new Caller(PORTAL_CLIENT, Optional.of("001203004567"));
  private static final Client HANOI = new Client("agency-hn", "Ha Noi", "agency", Client.Kind.AGENCY,
      List.of(new AgencyPattern("*.H26")));
  private static final Client HUE = new Client("agency-hue", "Hue", "agency", Client.Kind.AGENCY,
      List.of(new AgencyPattern("*.H48")));

  @Test
  void shouldNarrowAFrontendWithACitizenTokenToThatCitizensDossiersByIdAndByCode() {
    for (Lookup lookup : Lookup.values()) {
      for (Client frontend : List.of(PORTAL_CLIENT, MOBILE_CLIENT)) {
        assertThat(visibility(frontend, APPLICANT, lookup, Owners.applicantHash(APPLICANT)))
            .as("%s %s", frontend.id(), lookup).isEqualTo(Visibility.CITIZEN);
        // the submitting client too: the token says who is asking
        assertThat(visibility(frontend, "009999999999", lookup, Owners.applicantHash(APPLICANT)))
            .as("%s %s", frontend.id(), lookup).isEqualTo(Visibility.HIDDEN);
        // a business's dossier, or one whose applicant could not be read, is no citizen's: by its code no one's,
        // by its id the submitting client's, as without a token (a citizen filing for a company follows it signed in)
        Visibility business = lookup == Lookup.BY_ID && frontend == PORTAL_CLIENT ? Visibility.CITIZEN
            : Visibility.HIDDEN;
        assertThat(visibility(frontend, APPLICANT, lookup, "")).as("%s %s", frontend.id(), lookup)
            .isEqualTo(business);
        assertThat(visibility(frontend, APPLICANT, lookup, null)).as("%s %s", frontend.id(), lookup)
            .isEqualTo(business);
      }
    }
  }

  @Test
  void shouldShowPublicProgressByCodeAndTheSubmittersViewByIdWithoutAToken() {
    String hash = Owners.applicantHash(APPLICANT);

    assertThat(visibility(PORTAL_CLIENT, null, Lookup.BY_CODE, hash)).isEqualTo(Visibility.PUBLIC_PROGRESS);
    assertThat(visibility(MOBILE_CLIENT, null, Lookup.BY_CODE, hash)).isEqualTo(Visibility.PUBLIC_PROGRESS);
    assertThat(visibility(Client.ANONYMOUS, null, Lookup.BY_CODE, hash)).isEqualTo(Visibility.PUBLIC_PROGRESS);
    assertThat(visibility(PORTAL_CLIENT, null, Lookup.BY_ID, hash)).isEqualTo(Visibility.CITIZEN);
    assertThat(visibility(MOBILE_CLIENT, null, Lookup.BY_ID, hash)).isEqualTo(Visibility.HIDDEN);
  }

  @Test
  void shouldLetAnAgencyReadByCoverageAloneWhateverTokenComesWithIt() {
    for (Lookup lookup : Lookup.values()) {
      for (String citizen : java.util.Arrays.asList(null, APPLICANT, "009999999999")) {
        assertThat(visibility(HUE, citizen, lookup, Owners.applicantHash(APPLICANT))).isEqualTo(Visibility.AGENCY);
        assertThat(visibility(HANOI, citizen, lookup, Owners.applicantHash(APPLICANT))).isEqualTo(Visibility.HIDDEN);
      }
    }
  }

  private static Visibility visibility(Client client, String citizen, Lookup lookup, String applicantHash) {
    return Owners.visibility(new Caller(client, Optional.ofNullable(citizen)), lookup, PORTAL, applicantHash, AGENCY);
  }

  @Test
  void shouldHashACitizenIdAndKeepNoHashForNone() {
    assertThat(Owners.applicantHash("001203004567")).isEqualTo(Digests.sha256Hex("001203004567"))
        .hasSize(64).doesNotContain("001203004567");
    assertThat(Owners.applicantHash("")).isEmpty();
    assertThat(Owners.applicantHash(null)).isEmpty();
  }

  @Test
  void shouldKeyACitizenAndABusinessApartEvenWithTheSameDigits() throws Exception {
    String citizen = Owners.applicantKey(applicant(new JsonObject().put("citizenId", "001203004567")), SIGNED_IN);
    String business = Owners.applicantKey(applicant(new JsonObject().put("taxCode", "001203004567")), SIGNED_IN);

    assertThat(citizen).hasSize(32).isEqualTo(Digests.sha256Hex("citizen:001203004567").substring(0, 32));
    // a token proves a citizen, not a company: the business's key is its client's
    assertThat(business).isEqualTo(Digests.sha256Hex("business:001203004567").substring(0, 32) + ":" + PORTAL);
    assertThat(citizen).doesNotStartWith(business.substring(0, 32));
  }

  @Test
  void shouldGiveAnUnprovenApplicantABudgetOfTheClientAlone() throws Exception {
    JsonNode applicant = applicant(new JsonObject().put("citizenId", "001203004567"));
    String hashed = Digests.sha256Hex("citizen:001203004567").substring(0, 32);

    assertThat(Owners.applicantKey(applicant, new Caller(PORTAL_CLIENT, Optional.empty())))
        .isEqualTo(hashed + ":" + PORTAL);
    assertThat(Owners.applicantKey(applicant, new Caller(MOBILE_CLIENT, Optional.empty())))
        .isEqualTo(hashed + ":mobile-app");
    assertThat(Owners.applicantKey(applicant, new Caller(MOBILE_CLIENT, Optional.of("001203004567"))))
        .isEqualTo(hashed);
  }

  @Test
  void shouldPreferTheCitizenIdAndGiveNoKeyWithoutEither() throws Exception {
    JsonObject both = new JsonObject().put("citizenId", "001203004567").put("taxCode", "0101234567");

    assertThat(Owners.applicantKey(applicant(both), SIGNED_IN))
        .isEqualTo(Owners.applicantKey(applicant(new JsonObject().put("citizenId", "001203004567")), SIGNED_IN));
    assertThat(Owners.applicantKey(applicant(new JsonObject().put("fullName", "Nguyễn Văn A")), SIGNED_IN)).isEmpty();
    assertThat(Owners.applicantKey(MAPPER.missingNode(), SIGNED_IN)).isEmpty();
  }

  private static JsonNode applicant(JsonObject applicant) throws Exception {
    return MAPPER.readTree(applicant.encode());
  }
}
