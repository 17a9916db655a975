package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * Which caller request id the gateway adopts, as the caller sees it (the header and the problem's requestId) and as
 * the refusal log line names it. Each test provokes a refusal of its own class: the log says each class once per
 * 10 s per gateway, and this class has a gateway of its own.
 */
class RequestIdsTest extends OneGatewayPerClass {
  @RegisterExtension
  final LogCapture logged = LogCapture.of(Problems.class);
  private static WebClient client;

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
    client = ContractCheck.get().answersOnly(WebClient.create(gw.vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port)));
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  /** A citizen ID number glued to a prefix: the log masker leaves digits glued to '-' alone, so it must not get in. */
  @Test
  void shouldMintItsOwnIdWhenTheCallersHoldsAnIdNumber() {
    HttpResponse<Buffer> response = get("/v1/dossiers/nope", "cccd-079123456789", GatewayFixture.API_KEY);

    assertProblem(response, 404, "not-found");
    assertMintedAndLoggedAsEchoed(response, "cccd-079123456789", "079123456789", "refused 404 not-found");
  }

  @Test
  void shouldMintItsOwnIdWhenTheCallersHoldsAPhoneNumber() {
    HttpResponse<Buffer> response = get("/v1/dossiers/nope", "Nguyen_Van_A-0912345678", null);

    assertProblem(response, 401, "unauthorized");
    assertMintedAndLoggedAsEchoed(response, "Nguyen_Van_A-0912345678", "0912345678", "refused 401 unauthorized");
  }

  /** Up to 8 digits in a row (dates, counters, a UUID's groups mostly) is a caller's own correlation id: kept. */
  @Test
  void shouldAdoptASaneIdWithShortDigitRuns() {
    String id = "portal-20261206-req:12345678.a1b2";

    HttpResponse<Buffer> response = get("/v1/agencies/000.21.53.H48/dossiers", id, GatewayFixture.API_KEY);

    assertProblem(response, 403, "client-kind-not-allowed");
    assertThat(response.getHeader("X-Request-Id")).isEqualTo(id);
    assertThat(logged.lines("refused 403 client-kind-not-allowed")).singleElement().asString()
        .contains("(request " + id + ",");
  }

  @Test
  void shouldCountOnlyRunsOfNineDigitsOrMore() {
    assertThat(RequestIds.holdsPersonalDigits("123456789")).isTrue();
    assertThat(RequestIds.holdsPersonalDigits("cmnd.123456789")).isTrue();
    assertThat(RequestIds.holdsPersonalDigits("0912345678-x")).isTrue();
    assertThat(RequestIds.holdsPersonalDigits("12345678")).isFalse();
    assertThat(RequestIds.holdsPersonalDigits("12345678.12345678:1234-5678")).isFalse();
    // generated ids keep their correlation: about 3 % of random UUIDs and 14 % of W3C trace ids hold such a run
    assertThat(RequestIds.holdsPersonalDigits("3f2b8c1e-7a4d-4e0b-9c61-1234567890ab")).isFalse();
    assertThat(RequestIds.holdsPersonalDigits("3F2B8C1E-7A4D-4E0B-9C61-A1234567890B")).isFalse();
    assertThat(RequestIds.holdsPersonalDigits("4bf92f3577b34da6a123456789e0e473")).isFalse();
    // unless a whole group of one is digits: a citizen ID dressed as a UUID's last group
    assertThat(RequestIds.holdsPersonalDigits("3f2b8c1e-7a4d-4e0b-9c61-079123456789")).isTrue();
    assertThat(RequestIds.holdsPersonalDigits("00000000000000000000079123456789")).isTrue();
    // not quite a UUID's shape: the plain rule
    assertThat(RequestIds.holdsPersonalDigits("3f2b8c1e-7a4d-4e0b-9c61-1234567890abc")).isTrue();
    assertThat(RequestIds.holdsPersonalDigits("3f2b8c1e-7a4d-4e0b-9c6g-1234567890ab")).isTrue();
  }

  @Test
  void shouldCountAPhoneOrCitizenIdWrittenInShortGroups() {
    // as people write them: groups of up to 4 digits joined by a separator the token allows
    assertThat(RequestIds.holdsPersonalDigits("0912.345.678")).isTrue();
    assertThat(RequestIds.holdsPersonalDigits("cccd-079-123-456-789")).isTrue();
    assertThat(RequestIds.holdsPersonalDigits("req_0912_345_678")).isTrue();
    assertThat(RequestIds.holdsPersonalDigits("091-2345678")).isTrue();
    assertThat(RequestIds.holdsPersonalDigits("84:912:345:678")).isTrue();
    // dates, versions and counters stay the caller's: fewer digits, or a long group that no one writes a number in
    assertThat(RequestIds.holdsPersonalDigits("2026-12-06")).isFalse();
    assertThat(RequestIds.holdsPersonalDigits("web-2026-12-06T10:15:30")).isFalse();
    assertThat(RequestIds.holdsPersonalDigits("20261206-0001")).isFalse();
    assertThat(RequestIds.holdsPersonalDigits("v1.2.3-build.4567")).isFalse();
    assertThat(RequestIds.holdsPersonalDigits("1234--5678-9")).isFalse();
  }

  private void assertMintedAndLoggedAsEchoed(HttpResponse<Buffer> response, String given, String digits,
                                            String refusal) {
    String echoed = response.getHeader("X-Request-Id");
    assertThat(echoed).isNotEqualTo(given);
    assertThat(UUID.fromString(echoed).version()).as("minted, not the caller's").isEqualTo(4);
    assertThat(logged.lines(refusal)).singleElement().asString().contains("(request " + echoed + ",");
    assertThat(logged.lines("")).as("no log line carries the caller's id").noneMatch(line -> line.contains(digits));
  }

  private static HttpResponse<Buffer> get(String path, String requestId, String apiKey) {
    var request = client.get(path).putHeader(RequestIds.HEADER, requestId);
    if (apiKey != null) {
      request.putHeader("X-Api-Key", apiKey);
    }
    return request.send().await();
  }
}
