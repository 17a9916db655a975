package vn.onewindow.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
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

  /** Dossier codes unique in the run's database: the sequence part of {@code <unit>-YYMMDD-<sequence>}. */
  private static final AtomicLong CODES = new AtomicLong(System.currentTimeMillis());

  private final GatewayFixture gw;
  private final WebClient agency;
  /** For events that break the contract on purpose: only the answers are checked. */
  private final WebClient raw;

  AgencyEvents(GatewayFixture gw) {
    this.gw = gw;
    // closed with the fixture's Vert.x
    this.agency = ContractCheck.get().validating(session(gw));
    this.raw = ContractCheck.get().answersOnly(session(gw));
  }

  private static WebClientSession session(GatewayFixture gw) {
    return WebClientSession.create(WebClient.create(gw.vertx,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port), new PoolOptions()))
        .addHeader("X-Api-Key", "dev-agency-key");
  }

  /** A birth registration for {@link #AGENCY} in status 1, received at {@code receivedAt} (SQL); returns its id. */
  String dossierReceived(String receivedAt) {
    return dossierReceived(BIRTH, receivedAt);
  }

  /**
   * A dossier of {@code procedureCode} for {@link #AGENCY}, submitted by the portal ({@link GatewayFixture#CLIENT_ID})
   * and in status 1 since {@code receivedAt} (SQL), with its status-1 history row as intake writes it; returns its id.
   */
  String dossierReceived(String procedureCode, String receivedAt) {
    return dossierReceived(procedureCode, AGENCY, receivedAt);
  }

  /** As {@link #dossierReceived(String, String)}, received and handled by {@code agency}. */
  String dossierReceived(String procedureCode, String agency, String receivedAt) {
    String id = UUID.randomUUID().toString();
    // a code and a submission of the contract's shape, so the views of the dossier can be checked against it
    String code = agency + "-000000-" + CODES.incrementAndGet();
    JsonObject submission = new JsonObject(GatewayFixture.example("birth-registration.json"))
        .put("procedureCode", procedureCode).put("receivingUnit", agency).put("handlingAgency", agency);
    TestServers.execute(gw.config.postgres().url(), "WITH d AS (INSERT INTO dossier (id, code, client_id, "
        + "procedure_code, receiving_unit, handling_agency, channel, applicant_type, payload, received_at, "
        + "stream_entry_id) VALUES ('" + id + "', '" + code + "', '" + GatewayFixture.CLIENT_ID + "', '"
        + procedureCode + "', '" + agency + "', '" + agency + "', 'online', 'citizen', '"
        + submission.encode().replace("'", "''") + "', " + receivedAt + ", '1-0') "
        + "RETURNING id, received_at, client_id) "
        + "INSERT INTO dossier_status_history (dossier_id, status, changed_at, client_id) "
        + "SELECT id, 1, received_at, client_id FROM d");
    return id;
  }

  /** GET as the agency system: its view of a dossier adds the events as it sent them. */
  HttpResponse<Buffer> get(String path) {
    return agency.get(path).send().await();
  }

  HttpResponse<Buffer> post(String id, JsonObject event) {
    return post(agency, id, event);
  }

  /** An event that breaks the contract on purpose (a member it does not declare...): only the answer is checked. */
  HttpResponse<Buffer> postRaw(String id, JsonObject event) {
    return post(raw, id, event);
  }

  HttpResponse<Buffer> postText(String id, String text) {
    return raw.post("/v1/dossiers/" + id + "/events").putHeader("Content-Type", "application/json")
        .sendBuffer(io.vertx.core.buffer.Buffer.buffer(text)).await();
  }

  private static HttpResponse<Buffer> post(WebClient via, String id, JsonObject event) {
    return via.post("/v1/dossiers/" + id + "/events").putHeader("Content-Type", "application/json")
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
