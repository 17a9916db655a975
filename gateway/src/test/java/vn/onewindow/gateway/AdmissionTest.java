package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.testing.TestServers;

/** Rate limits shared across instances, per-applicant limits, backlog shedding and the concurrency bulkhead. */
class AdmissionTest {

  static String dossierOf(int applicant) {
    JsonObject dossier = GatewayFixture.birthRegistration();
    dossier.getJsonObject("applicant").put("citizenId", String.format("0011%08d", applicant));
    return dossier.encode();
  }

  static Future<HttpResponse<Buffer>> postAsync(GatewayFixture gw, String body) {
    return gw.client.post("/v1/dossiers").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body));
  }

  @Test
  void shouldAdmitNoMoreThanTheConfiguredRateAcrossTwoInstances() {
    HubConfig config = TestServers.get().config(Map.of(
        "ratelimit.client-classes", "standard:20/20", "ratelimit.applicant-per-minute", "100000",
        "ratelimit.applicant-burst", "100000", "ratelimit.redis-timeout-ms", "2000"));
    try (GatewayFixture first = new GatewayFixture(config); GatewayFixture second = new GatewayFixture(config)) {
      long started = System.nanoTime();
      long deadline = started + 4_000_000_000L;
      List<HttpResponse<Buffer>> responses = new ArrayList<>();
      int n = 0;
      while (System.nanoTime() < deadline) {
        List<Future<HttpResponse<Buffer>>> round = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          round.add(postAsync(i % 2 == 0 ? first : second, dossierOf(n++)));
        }
        Future.all(round).await();
        round.forEach(f -> responses.add(f.result()));
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      long accepted = responses.stream().filter(r -> r.statusCode() == 202).count();
      long limited = responses.stream().filter(r -> r.statusCode() == 429).count();
      double allowed = 20 + 20 * seconds;

      System.out.printf("two instances: %d requests in %.1f s, %d accepted (configured at most %.0f), %d limited%n",
          responses.size(), seconds, accepted, allowed, limited);
      assertThat(accepted + limited).isEqualTo(responses.size());
      assertThat((double) accepted).isLessThanOrEqualTo(allowed * 1.05).isGreaterThanOrEqualTo(allowed * 0.85);
      assertThat(first.queued()).isEqualTo(accepted);
      HttpResponse<Buffer> refused = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
      assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
      assertThat(refused.bodyAsJsonObject().getString("type")).endsWith("/problems/rate-limited");
      assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isBetween(1, 2);
      assertThat(refused.getHeader("RateLimit-Limit")).isEqualTo("20");
      assertThat(refused.getHeader("RateLimit-Remaining")).isEqualTo("0");
      assertThat(Integer.parseInt(refused.getHeader("RateLimit-Reset"))).isBetween(1, 2);
      HttpResponse<Buffer> admitted = responses.stream().filter(r -> r.statusCode() == 202).findFirst().orElseThrow();
      assertThat(admitted.getHeader("RateLimit-Limit")).isEqualTo("20");
      assertThat(admitted.getHeader("RateLimit-Remaining")).isNotNull();
    }
  }

  @Test
  void shouldLimitTheAbusiveClientWithoutAffectingTheOthers() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.applicant-per-minute", "100000",
        "ratelimit.applicant-burst", "100000", "ratelimit.redis-timeout-ms", "2000"))) {
      WebClient abuser = WebClient.create(gw.vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(gw.port));
      List<Future<HttpResponse<Buffer>>> abusive = new ArrayList<>();
      List<Future<HttpResponse<Buffer>>> others = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        abusive.add(abuser.post("/v1/dossiers").putHeader("Content-Type", "application/json")
            .putHeader("X-Api-Key", "dev-loadtest-abuser-key").sendBuffer(Buffer.buffer(dossierOf(9000 + i))));
        if (i % 2 == 0) {
          others.add(postAsync(gw, dossierOf(9500 + i)));
        }
      }
      Future.all(abusive).await();
      Future.all(others).await();

      List<HttpResponse<Buffer>> abuserAnswers = abusive.stream().map(Future::result).toList();
      long abuserAccepted = abuserAnswers.stream().filter(r -> r.statusCode() == 202).count();
      System.out.printf("abusive client: %d of 40 accepted (quota class abuse-test 5/s, burst 10); "
          + "well-behaved client: %d of 20 accepted%n", abuserAccepted,
          others.stream().filter(f -> f.result().statusCode() == 202).count());
      assertThat(abuserAccepted).isBetween(10L, 20L);
      assertThat(abuserAnswers.stream().filter(r -> r.statusCode() == 429)).hasSize(40 - (int) abuserAccepted)
          .allSatisfy(r -> assertThat(r.getHeader("RateLimit-Limit")).isEqualTo("10"));
      assertThat(others).allSatisfy(f -> assertThat(f.result().statusCode()).isEqualTo(202));
    }
  }

  @Test
  void shouldLimitEachApplicantWithoutChargingIdempotentReplays() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.applicant-per-minute", "10",
        "ratelimit.applicant-burst", "10"))) {
      String firstKey = "applicant-" + UUID.randomUUID();
      String first = dossierOf(777);
      assertThat(gw.post(first, firstKey).statusCode()).isEqualTo(202);
      for (int i = 1; i < 10; i++) {
        JsonObject another = new JsonObject(dossierOf(777)).put("note", "dossier " + i);
        assertThat(gw.post(another.encode()).statusCode()).isEqualTo(202);
      }

      HttpResponse<Buffer> eleventh = gw.post(new JsonObject(dossierOf(777)).put("note", "one too many").encode());
      HttpResponse<Buffer> replay = gw.post(first, firstKey);
      HttpResponse<Buffer> otherApplicant = gw.post(dossierOf(778));

      assertThat(eleventh.statusCode()).isEqualTo(429);
      assertThat(eleventh.bodyAsJsonObject().getString("detail")).contains("applicant");
      assertThat(eleventh.getHeader("RateLimit-Limit")).isEqualTo("10");
      assertThat(eleventh.getHeader("RateLimit-Remaining")).isEqualTo("0");
      assertThat(Integer.parseInt(eleventh.getHeader("Retry-After"))).isBetween(5, 7);
      assertThat(replay.statusCode()).isEqualTo(202);
      assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(otherApplicant.statusCode()).isEqualTo(202);
      assertThat(gw.queued()).isEqualTo(11);
      assertThat(gw.get("/metrics").bodyAsString())
          .containsPattern("hub_ratelimit_decisions_total\\{decision=\"limited\",limit=\"applicant\"} 1.0");
    }
  }

  @Test
  void shouldShedWhileTheBacklogIsOverItsWatermarkAndRecoverWhenItDrains() throws InterruptedException {
    try (GatewayFixture gw = new GatewayFixture(Map.of("shed.backlog-max-entries", "5",
        "shed.backlog-poll-ms", "100", "ratelimit.applicant-per-minute", "6000"))) {
      for (int i = 0; i < 5; i++) {
        assertThat(gw.post(dossierOf(100 + i)).statusCode()).isEqualTo(202);
      }
      Thread.sleep(400);

      long started = System.nanoTime();
      HttpResponse<Buffer> shed = gw.post(dossierOf(200));
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;

      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.getHeader("Retry-After")).isEqualTo("5");
      assertThat(shed.bodyAsJsonObject().getString("type")).endsWith("/problems/overloaded");
      assertThat(elapsedMs).as("a shed request is answered without waiting").isLessThan(500);
      assertThat(gw.queued()).isEqualTo(5);

      gw.redis(Command.XTRIM, gw.keys.stream(), "MAXLEN", "0");
      Thread.sleep(400);
      assertThat(gw.post(dossierOf(201)).statusCode()).isEqualTo(202);
      assertThat(gw.get("/metrics").bodyAsString()).containsPattern("hub_refusals_total\\{reason=\"backlog\"} 1.0");
    }
  }
}
