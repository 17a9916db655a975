package vn.onewindow.loadtest.endpoints;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.util.List;
import vn.onewindow.loadtest.config.LoadConfig;

/**
 * The agency side of the hub's API as Gatling requests: an agency system reading one page of its feed and
 * reporting progress events. Each request saves its status, response time, body and Event-Replayed header under
 * {@code ag_}, for the scenario to judge.
 */
public final class AgencyEndpoints {
  public static final String FEED = "agency: read feed page";
  public static final String EVENT = "agency: post progress event";
  public static final String REPLAY = "agency: replay progress event";
  public static final String PREFIX = "ag_";

  private AgencyEndpoints() {
  }

  public static String[] attributes() {
    return new String[] {PREFIX + "status", PREFIX + "rt", PREFIX + "body", PREFIX + "replayed"};
  }

  /** GET /v1/agencies/{agencyCode}/dossiers?after={cursor}&limit=100 with the agency system's key. */
  public static HttpRequestActionBuilder feed(LoadConfig config, List<Integer> allowed) {
    return http(FEED).get(session -> "/v1/agencies/" + session.getString("agencyCode") + "/dossiers?limit=100"
            + (session.getString("cursor").isEmpty() ? "" : "&after=" + session.getString("cursor")))
        .header(config.apiKeyHeader, config.agencyApiKey)
        .check(status().saveAs(PREFIX + "status"), responseTimeInMillis().saveAs(PREFIX + "rt"),
            bodyString().saveAs(PREFIX + "body"), status().in(allowed));
  }

  /**
   * POST /v1/dossiers/{dossierId}/events: status 2 carries no due date, the hub gives the statutory one (a date
   * a fixed number of days ahead could fall on a closed day or beyond it, a 422); the eventId is derived from
   * the run, the dossier and the status, and {@code at} is the session's {@code at<status>}, so a replay sends the
   * very same event.
   */
  public static HttpRequestActionBuilder event(String name, LoadConfig config, int status, List<Integer> allowed) {
    return http(name).post(session -> "/v1/dossiers/" + session.getString("dossierId") + "/events")
        .header(config.apiKeyHeader, config.agencyApiKey)
        .body(StringBody(session -> body(config, session.getString("dossierId"), status,
            session.getString("at" + status))))
        .asJson()
        .check(status().saveAs(PREFIX + "status"), responseTimeInMillis().saveAs(PREFIX + "rt"),
            bodyString().saveAs(PREFIX + "body"), header("Event-Replayed").optional().saveAs(PREFIX + "replayed"),
            status().in(allowed));
  }

  static String body(LoadConfig config, String dossierId, int status, String at) {
    return "{\"eventId\":\"lt-" + config.runId + "-" + dossierId + "-" + status + "\",\"status\":" + status
        + ",\"at\":\"" + at + "\",\"officer\":\"Cán bộ thử tải\",\"note\":\"Hồ sơ thử tải (dữ liệu giả lập).\"}";
  }
}
