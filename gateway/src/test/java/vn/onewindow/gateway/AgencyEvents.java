package vn.onewindow.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import java.util.UUID;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TestServers;

/**
 * The agency side of a gateway running without intake: dossier rows written straight to PostgreSQL, received when the
 * test says (which no submission can choose), and progress events posted by the development agency system, every
 * exchange checked against the contract.
 */
final class AgencyEvents {
  static final String BIRTH = "1.001612.000.00.00.H48";
  /** Covered by the development agency client ("*"), and by no other test's agency filters. */
  static final String AGENCY = "000.00.01.H99";

  private final GatewayFixture gw;
  private final WebClient agency;

  AgencyEvents(GatewayFixture gw) {
    this.gw = gw;
    // closed with the fixture's Vert.x
    this.agency = ContractCheck.get().validating(WebClientSession.create(WebClient.create(gw.vertx,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port), new PoolOptions()))
        .addHeader("X-Api-Key", "dev-agency-key"));
  }

  /** A birth registration for {@link #AGENCY} in status 1, received at {@code receivedAt} (SQL); returns its id. */
  String dossierReceived(String receivedAt) {
    String id = UUID.randomUUID().toString();
    TestServers.execute(gw.config.postgres().url(), "INSERT INTO dossier (id, code, client_id, procedure_code, "
        + "receiving_unit, handling_agency, channel, applicant_type, payload, received_at, stream_entry_id) VALUES ('"
        + id + "', 'agency-events-" + id + "', 'portal-web', '" + BIRTH + "', '" + AGENCY + "', '" + AGENCY
        + "', 'online', 'citizen', '{}', " + receivedAt + ", '1-0')");
    return id;
  }

  HttpResponse<Buffer> post(String id, JsonObject event) {
    return agency.post("/v1/dossiers/" + id + "/events").putHeader("Content-Type", "application/json")
        .sendBuffer(event.toBuffer()).await();
  }

  long status(String id) {
    return TestServers.queryLong(gw.config.postgres().url(), "SELECT status FROM dossier WHERE id = '" + id + "'");
  }

  long events(String id) {
    return TestServers.queryLong(gw.config.postgres().url(),
        "SELECT count(*) FROM dossier_event WHERE dossier_id = '" + id + "'");
  }
}
