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

  /** A tracer's id (a W3C traceparent) on a refused request: adopted, and the refusal's log line names it. */
  @Test
  void shouldAdoptATracersIdAndLogTheRefusalUnderIt() {
    String id = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

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
        diacritics, "An1990", "Lan-0912", "cccd-079123456789",
        // with a birth year or a counter, and numbers split after a long first group (review): free text is never
        // adopted, whatever its shape
        "nguyen.van.an.1990", "TranThiBichNgoc1990", "nguyenvanan-0001", "tran.thi.lan-0912", "phone-0912345-678",
        "cccd-07912345-6789", "id-079123-456-789");
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

  /**
   * Ids made by machines, as tracers and id libraries print them (UUIDs v4 and v7, a ULID, OpenTelemetry trace and
   * span ids, a MongoDB ObjectId, a W3C traceparent, AWS X-Ray's trace id bare and as Root=): adopted as given.
   */
  @Test
  void shouldAdoptUuidsUlidsTraceIdsAndRandomIds() {
    List<String> machineMade = List.of(UUID.randomUUID().toString(), "3F2B8C1E-7A4D-4E0B-9C61-2D5E8F0A1B23",
        "01936b2e-7a1c-7d3e-9f00-2b4c6d8e0f12", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7", "507f1f77bcf86cd7994e9011",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "1-5759e988-bd862e3fe1be46a994272793",
        "Root=1-67891233-abcdef012345678912345678");
    for (String id : machineMade) {
      HttpResponse<Buffer> response = client.get("/v1/procedures").putHeader(RequestIds.HEADER, id)
          .putHeader("X-Api-Key", GatewayFixture.API_KEY).send().await();

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader(RequestIds.HEADER)).isEqualTo(id);
    }
  }

  /**
   * The rule as numbers (README "Observability"): all but 1 in 2,800 random UUIDs, and every random trace id, span id,
   * traceparent, X-Ray id and ULID. Ids of other forms, however random (a nanoid), get a minted one.
   */
  @Test
  void shouldAdoptNearlyEveryRandomMachineMadeId() {
    Random random = new Random(20261206);
    int n = 20_000;
    int uuids = 0;
    int others = 0;
    int nanoids = 0;
    String hex = "0123456789abcdef";
    for (int i = 0; i < n; i++) {
      uuids += RequestIds.adopts(new UUID(random.nextLong(), random.nextLong()).toString()) ? 1 : 0;
      others += RequestIds.adopts(randomOf(random, hex, 32)) ? 1 : 0;
      // the first 10 of 26 Crockford base32 characters: milliseconds since 1970, today "01J..."
      others += RequestIds.adopts("01J" + randomOf(random, "0123456789ABCDEFGHJKMNPQRSTVWXYZ", 23)) ? 1 : 0;
      others += RequestIds.adopts("a" + randomOf(random, hex, 15)) ? 1 : 0;
      String traceId = randomOf(random, hex, 32);
      // a parent-id of 16 digits is refused like a bare span id of them (1 in 1,850): one letter, the same draws
      String parentId = "b" + randomOf(random, hex, 16).substring(1);
      others += RequestIds.adopts("00-" + traceId + "-" + parentId + "-01") ? 1 : 0;
      others += RequestIds.adopts("1-" + randomOf(random, hex, 8) + "-" + randomOf(random, hex, 24)) ? 1 : 0;
      nanoids += RequestIds.adopts(randomOf(random,
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 21)) ? 1 : 0;
    }
    // 1 random UUID in 2,800 ends in 12 digits with a 0 first, a citizen ID's shape
    assertThat((double) uuids / n).as("random UUIDs adopted").isGreaterThan(0.999);
    assertThat(others).as("trace ids, ULIDs, span ids, traceparents, X-Ray ids").isEqualTo(5 * n);
    assertThat(nanoids).as("free-form ids, random or not, are not adopted").isZero();
  }

  /** The forms' edges: a field that is a personal number, a character out of the alphabet, a length off by one. */
  @Test
  void shouldRefuseAGeneratedFormWhoseFieldIsAPersonalNumberOrThatIsMalformed() {
    for (String refused : List.of("3f2b8c1e-7a4d-4e0b-9c61-079123456789", "00000000000000000000079123456789",
        "0912345678901234", "01234567890123456789012345", "00-00000000000000000000079123456789-b7ad6b7169203331-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000079123456789-01",
        "1-5759e988-000000000000079123456789", "3f2b8c1e-7a4d-4e0b-9c61-1234567890abc",
        "3f2b8c1e-7a4d-4e0b-9c6g-1234567890ab", "4bf92f3577b34da6a3ce929d0e0e473", "01ARZ3NDEKTSV4RRFFQ69G5FAI",
        "81ARZ3NDEKTSV4RRFFQ69G5FAV", "01arz3ndektsv4rrffq69g5fav", "Root=2-5759e988-bd862e3fe1be46a994272793",
        "00-0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331-01", "")) {
      assertThat(RequestIds.adopts(refused)).as(refused).isFalse();
    }
    // a UUID whose last group is 12 digits without a 0 first is no citizen ID (1 random UUID in 282 has one)
    assertThat(RequestIds.adopts("3f2b8c1e-7a4d-4e0b-9c61-912345678901")).isTrue();
    assertThat(RequestIds.adopts("4bf92f3577b34da6a123456789e0e473")).isTrue();
    assertThat(RequestIds.adopts("01J5ARZ3NDEK123456789FAVXQ")).isTrue();
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
