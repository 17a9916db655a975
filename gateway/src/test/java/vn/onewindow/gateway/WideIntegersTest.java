package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whole numbers beyond the 64-bit range written in a decimal's form (an exponent, a fraction part of zeros), as a
 * client's serializer may write a double: the parser keeps them as decimals, and networknt 1.5.9 compared such a
 * decimal with an integer minimum or maximum as its wrapped 64-bit value (frontend tryout). An attachment of
 * 1.8446744073709551716e19 bytes (2^64 + 100, "100" to the library) was queued and written to PostgreSQL beside
 * the 50 MiB maximum, an event's status 1.8446744073709551618e19 recorded an acceptance (2), and 1e19 was refused
 * for being below the minimum.
 */
class WideIntegersTest extends OneGatewayPerClass {
  private static final String SIZE = "/attachments/0/sizeBytes";

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldRefuseAnAttachmentSizeBeyondTheMaximumWhateverItsForm() {
    for (String size : new String[] {"1.8446744073709551716e19", "18446744073709551716.0", "1e19", "9.3e18",
        "1e308", "18446744073709551716"}) {
      HttpResponse<Buffer> response = gw.postRaw(dossierWithSize(size));

      JsonObject problem = assertProblem(response, 422, "invalid-dossier");
      assertThat(problem.getJsonArray("errors")).as(size).containsExactly(
          new JsonObject().put("pointer", SIZE).put("detail", "must have a maximum value of 52428800"));
    }
    for (String size : new String[] {"-1e19", "-1.8446744073709551615e19"}) {
      JsonObject problem = assertProblem(gw.postRaw(dossierWithSize(size)), 422, "invalid-dossier");
      assertThat(problem.getJsonArray("errors")).as(size).containsExactly(
          new JsonObject().put("pointer", SIZE).put("detail", "must have a minimum value of 1"));
    }
    assertThat(gw.queued()).isEqualTo(queuedBefore);
    // within the range, the decimal form of a whole number is a whole number as before
    assertThat(gw.postRaw(dossierWithSize("1.5e6")).statusCode()).isEqualTo(202);
  }

  @Test
  void shouldRefuseAnEventStatusBeyondTheMaximumAndRecordNothing() {
    AgencyEvents agency = new AgencyEvents(gw);
    String id = agency.dossierReceived("now() - interval '1 hour'");
    String at = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();

    HttpResponse<Buffer> response = agency.postText(id,
        "{\"eventId\":\"wide-" + id + "\",\"status\":1.8446744073709551618e19,\"at\":\"" + at + "\"}");

    JsonObject problem = assertProblem(response, 422, "invalid-event");
    assertThat(problem.getJsonArray("errors")).containsExactly(
        new JsonObject().put("pointer", "/status").put("detail", "must have a maximum value of 10"));
    assertThat(agency.status(id)).isEqualTo(1);
    assertThat(agency.events(id)).isZero();
  }

  private static String dossierWithSize(String size) {
    JsonObject dossier = GatewayFixture.birthRegistration();
    dossier.getJsonObject("applicant").put("citizenId",
        String.format("%012d", ThreadLocalRandom.current().nextLong(1_000_000_000_000L)));
    dossier.getJsonArray("attachments").getJsonObject(0).put("sizeBytes", "@size@");
    return dossier.encode().replace("\"@size@\"", size);
  }
}
