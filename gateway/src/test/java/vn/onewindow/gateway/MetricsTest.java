package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.gateway.http.Problems;

/** What the dashboards scrape after a known mix of submissions: exact counts, and no unbounded label values. */
class MetricsTest {
  @RegisterExtension
  final LogCapture logged = LogCapture.of(Problems.class);
  /** Label values, except the numeric bucket bounds of histograms ({@code le}). */
  private static final Pattern LABEL_VALUE = Pattern.compile("(?<![a-z_])(?!le=)[a-z_]+=\"([^\"]*)\"");

  @Test
  void shouldCountEveryOutcomeAndKeepLabelsBounded() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.applicant-per-minute", "3",
        "ratelimit.applicant-burst", "3"))) {
      // counters this Redis keeps as its own (the epoch marker): the seeding a fresh one needs first, with the extra
      // script call it brings, is CodeSequencesTest's
      gw.redis(Command.SET, gw.keys.forUnit(GatewayFixture.birthRegistration().getString("receivingUnit")).epoch(),
          "seeded");
      List<String> ids = new ArrayList<>();
      String key = "metrics-" + UUID.randomUUID();
      String first = AdmissionTest.dossierOf(4242);
      ids.add(gw.post(first, key).bodyAsJsonObject().getString("id"));
      ids.add(gw.post(AdmissionTest.dossierOf(4243)).bodyAsJsonObject().getString("id"));
      assertThat(gw.post(first, key).getHeader("Idempotent-Replayed")).isEqualTo("true");
      JsonObject invalid = GatewayFixture.birthRegistration().put("receivingUnit", "nowhere");
      assertThat(gw.postRaw(invalid.encode()).statusCode()).isEqualTo(422);
      assertThat(gw.postRaw(invalid.encode()).statusCode()).isEqualTo(422);
      assertThat(gw.postRaw("{not json").statusCode()).isEqualTo(400);
      for (int i = 0; i < 3; i++) {
        gw.post(new JsonObject(AdmissionTest.dossierOf(5000)).put("note", "n" + i).encode());
      }
      HttpResponse<Buffer> limited = gw.post(new JsonObject(AdmissionTest.dossierOf(5000)).put("note", "x").encode());
      assertThat(limited.statusCode()).isEqualTo(429);
      ids.forEach(id -> gw.get("/v1/dossiers/" + id));
      gw.get("/v1/dossiers/" + UUID.randomUUID());

      String metrics = gw.get("/metrics").bodyAsString();

      assertThat(metrics)
          .contains("hub_submissions_total{channel=\"online\",outcome=\"accepted\"} 5.0")
          .contains("hub_submissions_total{channel=\"online\",outcome=\"duplicate\"} 1.0")
          .contains("hub_submissions_total{channel=\"online\",outcome=\"invalid\"} 2.0")
          .contains("hub_submissions_total{channel=\"unknown\",outcome=\"malformed\"} 1.0")
          .contains("hub_submissions_total{channel=\"online\",outcome=\"rate_limited\"} 1.0")
          .contains("hub_ratelimit_decisions_total{decision=\"limited\",limit=\"applicant\"} 1.0")
          // the 5 new dossiers; the replay spent nothing (its share was given back)
          .contains("hub_ratelimit_decisions_total{decision=\"allowed\",limit=\"applicant\"} 5.0")
          // every enqueue script call: 5 accepted, 1 replay (the applicant limit refuses before the script)
          .contains("hub_enqueue_latency_seconds_count 6")
          // one dossier a call: each was sent after the previous one's 202, so none waited for another's call
          .contains("hub_enqueue_batch_count 6")
          .contains("hub_enqueue_batch_sum 6.0")
          .contains("hub_submit_latency_seconds_count 6")
          .contains("hub_stream_length ")
          .contains("hub_eventloop_lag_seconds_count")
          .contains("resilience4j_circuitbreaker_state{name=\"redis_enqueue\",state=\"closed\"} 1.0")
          .contains("hub_ratelimit_fallback_active 0.0")
          .contains("jvm_memory_used_bytes");

      List<String> values = new ArrayList<>();
      for (String line : metrics.split("\n")) {
        if (!line.startsWith("#")) {
          Matcher m = LABEL_VALUE.matcher(line);
          while (m.find()) {
            values.add(m.group(1));
          }
        }
      }
      assertThat(values).isNotEmpty().allSatisfy(value -> assertThat(value)
          .as("label values are bounded: no dossier id, path parameter or citizen datum")
          .doesNotContainPattern("[0-9a-f]{8}-[0-9a-f]{4}-")
          .doesNotContainPattern("\\d{9,}")
          .doesNotContain("/v1/dossiers/")
          .doesNotContain("Nguyễn"));
      ids.forEach(id -> assertThat(metrics).doesNotContain(id));
      // every meter of the hub's own says what it counts: the dashboards and alerts show the HELP line
      assertThat(metrics.lines().filter(line -> line.startsWith("# HELP hub_")))
          .isNotEmpty().allSatisfy(help -> assertThat(help.split(" ", 4)).as(help).hasSize(4)
              .satisfies(parts -> assertThat(parts[3]).isNotBlank()));
    }
  }

  /**
   * Vert.x's request meters tell a new gateway's warm-up and the probes (/health, /metrics) from the clients' calls:
   * a warm-up's tens of thousands of synthetic 200s in the 5xx ratio's denominator held HubHttp5xxRatioHigh off for
   * minutes after every start (a monitoring tryout), exactly when gateways are added on deadline day, and Prometheus's
   * scrapes alone met its traffic guard.
   */
  @Test
  void shouldTellTheWarmupAndTheProbesFromTheClientsInTheRequestMeters() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("warmup.duration-ms", "300", "warmup.concurrency", "2"))) {
      gw.shared.warmup().begin();
      gw.shared.warmup().run(gw.vertx, gw.port, false).await();
      assertThat(gw.post(AdmissionTest.dossierOf(4300)).statusCode()).isEqualTo(202);
      assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);

      String metrics = gw.get("/metrics").bodyAsString();

      List<String> requests = metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total{")).toList();
      assertThat(requests).as("every request counted by origin").isNotEmpty()
          .allMatch(l -> l.matches(".*origin=\"(client|warmup|probe)\".*"), "an origin label");
      assertThat(requests).anyMatch(l -> l.contains("code=\"200\"") && l.contains("method=\"POST\"")
          && l.contains("origin=\"warmup\""), "the warm-up's submissions");
      assertThat(requests).anyMatch(l -> l.contains("code=\"202\"") && l.contains("origin=\"client\""), "the 202");
      assertThat(requests).noneMatch(l -> l.contains("code=\"202\"") && !l.contains("origin=\"client\""));
      assertThat(requests).anyMatch(l -> l.contains("method=\"GET\"") && l.contains("origin=\"probe\""),
          "the readiness probe");
      assertThat(requests).noneMatch(l -> l.contains("method=\"POST\"") && l.contains("origin=\"probe\""));
    }
  }

  /**
   * The request method is a label of Vert.x's HTTP server meters, and HTTP lets a client send any token as its
   * method: each new one made new series (unbounded, and whatever the caller wrote, a citizen ID among it), and the
   * refusal's log line wrote it as sent (glued to letters, the log masker leaves the digits alone).
   */
  @Test
  void shouldKeepTheMethodLabelAndLogBoundedWhateverMethodIsSent() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      WebClient plain = WebClient.create(gw.vertx,
          new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port));
      for (String path : List.of("/v1/dossiers", "/health/live", "/v1/nothing")) {
        HttpResponse<Buffer> response = plain.request(HttpMethod.valueOf("CCCD079123456789"), path)
            .putHeader("X-Api-Key", GatewayFixture.API_KEY).send().await();
        assertThat(response.statusCode()).as(path).isBetween(400, 499);
      }
      plain.close();

      String metrics = gw.get("/metrics").bodyAsString();

      assertThat(metrics).doesNotContain("079123456789").contains("method=\"OTHER\"");
      assertThat(logged.lines("refused")).isNotEmpty()
          .allSatisfy(line -> assertThat(line).doesNotContain("079123456789"));
    }
  }
}
