package vn.onewindow.loadtest.endpoints;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.util.List;
import java.util.function.Supplier;
import vn.onewindow.loadtest.config.LoadConfig;
import vn.onewindow.loadtest.report.Gates.Gate;

/**
 * The hub's HTTP API as Gatling requests, with the checks that define a correct answer. Every request saves its
 * status and response time under a per-request prefix (a missing status means no response at all), so the
 * scenarios can classify outcomes; the last check of each request is the pass/fail one.
 */
public final class Endpoints {

  public static final String SUBMIT = "submit dossier";
  public static final String RETRY = "retry with the same Idempotency-Key";
  public static final String STATUS = "status look-up";
  public static final String ABUSER_SUBMIT = "abusive client: submit dossier";
  public static final String WARMUP_SUBMIT = "warm-up: submit dossier";
  public static final String WARMUP_ABUSER_SUBMIT = "warm-up: abusive client: submit dossier";

  /** Session attribute prefixes: one per request kind, so a retry still sees the first receipt. */
  public static final String SUB = "sub_";
  public static final String RE = "re_";
  public static final String ST = "st_";

  private Endpoints() {
  }

  public static HttpProtocolBuilder protocol(LoadConfig config) {
    // several gateways: Gatling gives each virtual user one of them, round-robin
    return http.baseUrls(config.baseUrls)
        .acceptHeader("application/json")
        .userAgentHeader("onewindow-loadtest/0.1 (" + config.profile.id() + ")")
        // like the portal's backend: a pool of keep-alive connections, not a new connection per citizen
        .shareConnections()
        .disableWarmUp()
        .disableCaching()
        .disableFollowRedirect();
  }

  /** Every attribute a request of this prefix saves, to clear before sending it again. */
  public static String[] attributes(String prefix) {
    return new String[] {prefix + "status", prefix + "rt", prefix + "id", prefix + "code", prefix + "replayed",
        prefix + "problem", prefix + "body"};
  }

  /** POST /v1/dossiers with the session's body, Idempotency-Key and API key. */
  public static HttpRequestActionBuilder submit(String name, LoadConfig config, List<Integer> allowed) {
    return post(name, config, SUB)
        .checkIf((response, session) -> response.status().code() == 202)
        .then(
            jsonPath("$.id").saveAs(SUB + "id"),
            jsonPath("$.code").saveAs(SUB + "code"),
            header("Location").exists())
        .check(status().in(allowed));
  }

  /** The same POST again, byte for byte: must replay the first receipt. */
  public static HttpRequestActionBuilder retry(LoadConfig config, List<Integer> allowed) {
    return post(RETRY, config, RE)
        .checkIf((response, session) -> response.status().code() == 202)
        .then(
            header("Idempotent-Replayed").is("true"),
            jsonPath("$.id").saveAs(RE + "id"),
            jsonPath("$.id").is(session -> session.getString(SUB + "id")),
            jsonPath("$.code").saveAs(RE + "code"),
            jsonPath("$.code").is(session -> session.getString(SUB + "code")))
        .check(status().in(allowed));
  }

  /** GET /v1/dossiers/{id} of the dossier just accepted: read-your-writes. */
  public static HttpRequestActionBuilder statusLookup(LoadConfig config, List<Integer> allowed) {
    return http(STATUS).get(session -> "/v1/dossiers/" + session.getString(SUB + "id"))
        .header(config.apiKeyHeader, session -> session.getString("apiKey"))
        .check(status().saveAs(ST + "status"), responseTimeInMillis().saveAs(ST + "rt"))
        .checkIf((response, session) -> unexpected(response.status().code()))
        .then(bodyString().saveAs(ST + "body"))
        .checkIf((response, session) -> response.status().code() == 429 || response.status().code() == 503)
        .then(header("Retry-After").exists(), jsonPath("$.type").optional().saveAs(ST + "problem"))
        .checkIf((response, session) -> response.status().code() == 200)
        .then(
            jsonPath("$.id").saveAs(ST + "id"),
            jsonPath("$.id").is(session -> session.getString(SUB + "id")),
            jsonPath("$.code").saveAs(ST + "code"),
            jsonPath("$.code").is(session -> session.getString(SUB + "code")))
        .check(status().in(allowed));
  }

  /**
   * A gate as a request: GET /health/live, failing with the gate's detail when the gate failed, so that Gatling's
   * assertions and report carry it.
   */
  public static HttpRequestActionBuilder gate(String name, Supplier<Gate> gate) {
    return http(name).get("/health/live")
        .check(bodyString().validate("gate", (body, session) -> {
          Gate g = gate.get();
          if (g == null) {
            throw new IllegalStateException("gate was not evaluated");
          }
          if (!g.passed()) {
            throw new IllegalStateException(g.detail());
          }
          return body;
        }));
  }

  private static HttpRequestActionBuilder post(String name, LoadConfig config, String prefix) {
    return http(name).post("/v1/dossiers")
        .header(config.apiKeyHeader, session -> session.getString("apiKey"))
        .header("Idempotency-Key", session -> session.getString("idemKey"))
        .body(StringBody(session -> session.getString("body")))
        .asJson()
        .check(
            status().saveAs(prefix + "status"),
            responseTimeInMillis().saveAs(prefix + "rt"),
            header("Idempotent-Replayed").optional().saveAs(prefix + "replayed"))
        .checkIf((response, session) -> response.status().code() == 429 || response.status().code() == 503)
        .then(
            header("Retry-After").exists(),
            jsonPath("$.type").optional().saveAs(prefix + "problem"))
        .checkIf((response, session) -> unexpected(response.status().code()))
        .then(bodyString().saveAs(prefix + "body"));
  }

  /** Answers worth keeping the body of, for the run's unexpected-responses.txt. */
  private static boolean unexpected(int status) {
    return status >= 300 && status != 429 && status != 503;
  }
}
