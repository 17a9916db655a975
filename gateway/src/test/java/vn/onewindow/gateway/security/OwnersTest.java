package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.infra.Digests;

/** The applicant hash kept with a receipt and the per-applicant rate-limit key, without servers. */
class OwnersTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void shouldHashACitizenIdAndKeepNoHashForNone() {
    assertThat(Owners.applicantHash("001203004567")).isEqualTo(Digests.sha256Hex("001203004567"))
        .hasSize(64).doesNotContain("001203004567");
    assertThat(Owners.applicantHash("")).isEmpty();
    assertThat(Owners.applicantHash(null)).isEmpty();
  }

  @Test
  void shouldKeyACitizenAndABusinessApartEvenWithTheSameDigits() throws Exception {
    String citizen = Owners.applicantKey(applicant(new JsonObject().put("citizenId", "001203004567")));
    String business = Owners.applicantKey(applicant(new JsonObject().put("taxCode", "001203004567")));

    assertThat(citizen).hasSize(32).isEqualTo(Digests.sha256Hex("citizen:001203004567").substring(0, 32));
    assertThat(business).hasSize(32).isEqualTo(Digests.sha256Hex("business:001203004567").substring(0, 32));
    assertThat(citizen).isNotEqualTo(business);
  }

  @Test
  void shouldPreferTheCitizenIdAndGiveNoKeyWithoutEither() throws Exception {
    JsonObject both = new JsonObject().put("citizenId", "001203004567").put("taxCode", "0101234567");

    assertThat(Owners.applicantKey(applicant(both)))
        .isEqualTo(Owners.applicantKey(applicant(new JsonObject().put("citizenId", "001203004567"))));
    assertThat(Owners.applicantKey(applicant(new JsonObject().put("fullName", "Nguyễn Văn A")))).isEmpty();
    assertThat(Owners.applicantKey(MAPPER.missingNode())).isEmpty();
  }

  private static JsonNode applicant(JsonObject applicant) throws Exception {
    return MAPPER.readTree(applicant.encode());
  }
}
