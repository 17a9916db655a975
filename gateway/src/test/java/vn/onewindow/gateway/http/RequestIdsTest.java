package vn.onewindow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
  @RegisterExtension
  final LogCapture everyLogger = LogCapture.of(org.slf4j.Logger.ROOT_LOGGER_NAME);
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

  /**
   * What frontends were seen sending as their request id (QA): the citizen's ID number, phone or name. None is a
   * machine-made id, none is adopted, and none reaches a log line; the answer names the id the gateway minted.
   */
  @Test
  void shouldMintItsOwnIdForACitizensNumberPhoneOrName() {
    // a name as a header carries: ASCII, with spaces, joined, or UTF-8 bytes as the client wrote them
    String diacritics = new String("Nguyễn Văn An".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    List<String> personal = List.of("079123456789", "0912345678", "+84912345678", "84912345678", "Nguyen Van An",
        "NguyenVanAn", "Nguyen_Van_An", "nguyen.van.an", "NGUYEN-VAN-AN", "TranThiBichNgoc", "PhamThiThuHuong",
        diacritics, "An1990", "Lan-0912", "cccd-079123456789");
    for (String given : personal) {
      HttpResponse<Buffer> response = client.delete("/v1/procedures").putHeader(RequestIds.HEADER, given)
          .putHeader("X-Api-Key", GatewayFixture.API_KEY).send().await();

      JsonObject problem = assertProblem(response, 405, "method-not-allowed");
      String echoed = response.getHeader(RequestIds.HEADER);
      assertThat(UUID.fromString(echoed).version()).as("minted for %s", given).isEqualTo(4);
      assertThat(problem.getString("requestId")).isEqualTo(echoed);
    }
    assertThat(logged.lines("refused 405 method-not-allowed")).as("the refusal logged, under a minted id")
        .isNotEmpty();
    assertThat(everyLogger.lines("")).as("no log line carries a refused id")
        .noneMatch(line -> personal.stream().anyMatch(line::contains));
  }

  /** Ids made by machines, as frontends' libraries and tracers make them: adopted as given. */
  @Test
  void shouldAdoptUuidsUlidsTraceIdsAndRandomIds() {
    List<String> machineMade = List.of(UUID.randomUUID().toString(), "3F2B8C1E-7A4D-4E0B-9C61-2D5E8F0A1B23",
        "01ARZ3NDEKTSV4RRFFQ69G5FAV", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        "V1StGXR8_Z5jdHi6B-myT", "0ujtsYcgvSTl8PAuAdqWYSMnLOv", "507f1f77bcf86cd7994e9011",
        "portal-20261206-req:12345678.a1b2");
    for (String id : machineMade) {
      HttpResponse<Buffer> response = client.get("/v1/procedures").putHeader(RequestIds.HEADER, id)
          .putHeader("X-Api-Key", GatewayFixture.API_KEY).send().await();

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader(RequestIds.HEADER)).isEqualTo(id);
    }
  }

  /**
   * The rule as numbers (README "Observability"): all but 1 in 2,800 random UUIDs, every W3C trace id and ULID, and
   * of random ids of other shapes all but those without a digit or with 9 in a row.
   */
  @Test
  void shouldAdoptNearlyEveryRandomMachineMadeId() {
    Random random = new Random(20261206);
    int n = 20_000;
    int uuids = 0;
    int traces = 0;
    int ulids = 0;
    int spans = 0;
    int nanoids = 0;
    for (int i = 0; i < n; i++) {
      uuids += RequestIds.adopts(new UUID(random.nextLong(), random.nextLong()).toString()) ? 1 : 0;
      traces += RequestIds.adopts(randomOf(random, "0123456789abcdef", 32)) ? 1 : 0;
      // the first 10 of 26 Crockford base32 characters: milliseconds since 1970, today "01J..."
      ulids += RequestIds.adopts("01J" + randomOf(random, "0123456789ABCDEFGHJKMNPQRSTVWXYZ", 23)) ? 1 : 0;
      spans += RequestIds.adopts(randomOf(random, "0123456789abcdef", 16)) ? 1 : 0;
      nanoids += RequestIds.adopts(randomOf(random,
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 21)) ? 1 : 0;
    }
    // 1 random UUID in 2,800 ends in 12 digits with a 0 first, a citizen ID's shape
    assertThat((double) uuids / n).as("random UUIDs adopted").isGreaterThan(0.999);
    assertThat(traces).isEqualTo(n);
    assertThat(ulids).isEqualTo(n);
    assertThat((double) spans / n).as("16-hex span ids adopted").isGreaterThan(0.93);
    assertThat((double) nanoids / n).as("21-character base64url ids adopted").isGreaterThan(0.96);
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
    // 12 digits without a 0 first are no citizen ID (province codes 001-096): 1 UUID in 280 ends in 12 digits
    assertThat(RequestIds.holdsPersonalDigits("3f2b8c1e-7a4d-4e0b-9c61-912345678901")).isFalse();
    // a ULID is judged whole, as a trace id is
    assertThat(RequestIds.holdsPersonalDigits("01J5ARZ3NDEK123456789FAVXQ")).isFalse();
    assertThat(RequestIds.holdsPersonalDigits("01234567890123456789012345")).isTrue();
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

  private static String randomOf(Random random, String alphabet, int length) {
    StringBuilder id = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      id.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return id.toString();
  }

  private static HttpResponse<Buffer> get(String path, String requestId, String apiKey) {
    var request = client.get(path).putHeader(RequestIds.HEADER, requestId);
    if (apiKey != null) {
      request.putHeader("X-Api-Key", apiKey);
    }
    return request.send().await();
  }
}
