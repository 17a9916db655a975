package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.TestServers;

/**
 * Progress events as an agency's one-stop system sends them: the appointment an acceptance without a date gets
 * (the receipt's rule, cut-off included), retries whose result members come back in another order, and times in
 * whole seconds, as the national sync writes them (yyyyMMddHHmmss).
 */
class ProgressEventTest extends OneGatewayPerClass {
  private static final String CERTIFIED_COPY = "2.000815.000.00.00.H48"; // same day, cut-off 15:00

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldDateAnAcceptanceAfterTheCutOffFromTheNextWorkingDayAsTheReceiptDoes() {
    AgencyEvents agency = new AgencyEvents(gw);
    // Wed 11 Mar 2026: accepted at 15:01 counts from Thu 12 Mar; at 15:00:00.999 still in time (to the second)
    Map<String, String> expected = Map.of("2026-03-11T15:01:00+07:00", "2026-03-12",
        "2026-03-11T15:00:00.999+07:00", "2026-03-11", "2026-03-13T16:00:00+07:00", "2026-03-16");
    expected.forEach((at, due) -> {
      String id = agency.dossierReceived(CERTIFIED_COPY, "'" + at.substring(0, 10) + "T08:00:00+07:00'");

      HttpResponse<Buffer> accepted = agency.post(id, new JsonObject().put("eventId", "cut-" + id).put("status", 2)
          .put("at", at));

      assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
      assertThat(accepted.bodyAsJsonObject().getString("dueDate")).as(at).isEqualTo(due);
      assertThat(TestServers.queryString(gw.config.postgres().url(),
          "SELECT due_date::text FROM dossier WHERE id = '" + id + "'")).isEqualTo(due);
      // one rule: the portal's look-up for a receipt at the same moment gives the same date
      assertThat(gw.get("/v1/procedures/" + CERTIFIED_COPY + "/due-date?receivedAt="
          + URLEncoder.encode(at, StandardCharsets.UTF_8)).bodyAsJsonObject().getString("dueDate")).isEqualTo(due);
    });
  }
}
