package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * A client's reads (status look-ups by its pages' publishable key and by its backend's secret key) and its
 * submissions have a budget each, against a real gateway and Redis: a results-day polling tryout saw the portal's
 * citizens refreshing status pages spend the portal's whole quota, and its backend's submissions got 429s. Every
 * limit here refills at one call per 100 s, so nothing refills while a test runs.
 */
class ClientReadQuotaTest {
  /** The portal's pages' publishable key (client portal-web, quota class standard, as GatewayFixture's secret key). */
  private static final String PAGE_KEY = "dev-portal-web-page-key";
  private static final String TINY = "standard:0.01/5";

  /**
   * Look-ups spend their budget and are refused (429, problem+json, Retry-After); the same client's submissions
   * still get their whole budget, and are refused by it alone. The page key's calls come through a trusted proxy,
   * so they take the address's limit and the client's in one script call (RedisKeys#addressLimit: one slot).
   */
  @Test
  void shouldAcceptAClientsSubmissionsAfterItsLookUpsSpentTheirQuota() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.client-classes", TINY,
        "ratelimit.publishable-per-address", "100/100", "security.trusted-proxies", "127.0.0.1"))) {
      WebClient pages = pageClient(gw);
      HttpResponse<Buffer> first = gw.post(AdmissionTest.dossierOf(7001));
      assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
      String id = first.bodyAsJsonObject().getString("id");
      String code = first.bodyAsJsonObject().getString("code");

      List<HttpResponse<Buffer>> lookUps = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        lookUps.add(i % 2 == 0 ? gw.get("/v1/dossiers/" + id)
            : pages.get("/v1/dossiers").addQueryParam("code", code).putHeader("X-Api-Key", PAGE_KEY)
                .putHeader("X-Forwarded-For", "203.0.113.7").send().await());
      }
      List<HttpResponse<Buffer>> submissions = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        submissions.add(gw.post(AdmissionTest.dossierOf(7002 + i)));
      }

      assertThat(submissions.subList(0, 4)).as("submissions after the look-ups spent their quota")
          .allSatisfy(s -> assertThat(s.statusCode()).as(s.bodyAsString()).isEqualTo(202))
          .allSatisfy(s -> assertThat(s.getHeader("RateLimit-Limit")).isEqualTo("5"));
      JsonObject overOwn = assertProblem(submissions.get(4), 429, "rate-limited");
      assertThat(overOwn.getString("detail")).as("the sixth submission meets its own budget")
          .contains("this client is over");
      assertThat(lookUps).extracting(HttpResponse::statusCode).containsExactly(200, 200, 200, 200, 200, 429, 429, 429);
      for (HttpResponse<Buffer> refused : lookUps.subList(5, 8)) {
        JsonObject problem = assertProblem(refused, 429, "rate-limited");
        assertThat(problem.getString("detail")).contains("this client").doesNotContain("203.0.113");
        assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
        assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isBetween(90, 101);
        assertThat(refused.getHeader("RateLimit-Limit")).isEqualTo("5");
        assertThat(refused.getHeader("RateLimit-Remaining")).isEqualTo("0");
      }
      assertThat(gw.queued()).isEqualTo(5);
      // each budget holds its own five takes (a state five intervals of 100 s ahead), and the refused calls took none
      assertThat(gw.redis(Command.PTTL, gw.keys.clientLimit(GatewayFixture.CLIENT_ID)).toLong())
          .isBetween(400_001L, 500_000L);
      assertThat(gw.redis(Command.PTTL, gw.keys.clientReadLimit(GatewayFixture.CLIENT_ID)).toLong())
          .isBetween(400_001L, 500_000L);
      assertThat(gw.get("/metrics").bodyAsString())
          .contains("hub_ratelimit_decisions_total{decision=\"allowed\",limit=\"client\"} 5.0")
          .contains("hub_ratelimit_decisions_total{decision=\"limited\",limit=\"client\"} 1.0")
          .contains("hub_ratelimit_decisions_total{decision=\"allowed\",limit=\"client_reads\"} 5.0")
          .contains("hub_ratelimit_decisions_total{decision=\"limited\",limit=\"client_reads\"} 3.0");
    }
  }

  /**
   * ratelimit.client-read-classes gives a class's reads a limit of their own (here smaller than its writes'); a class
   * it does not list reads at its writes' limit, in its own budget still.
   */
  @Test
  void shouldGiveReadsTheLimitOfTheirClass() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.client-classes", TINY + ",kiosk:0.01/4",
        "ratelimit.client-read-classes", "standard:0.01/2"))) {
      List<HttpResponse<Buffer>> portal = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        portal.add(gw.client.get("/v1/procedures").send().await());
      }
      WebClient kiosk = pageClient(gw);
      List<Integer> kioskReads = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        kioskReads.add(kiosk.get("/v1/procedures").putHeader("X-Api-Key", "dev-kiosk-key").send().await().statusCode());
      }
      HttpResponse<Buffer> submission = gw.post(AdmissionTest.dossierOf(7201));

      assertThat(portal).extracting(HttpResponse::statusCode).containsExactly(200, 200, 429);
      assertThat(portal).extracting(r -> r.getHeader("RateLimit-Limit")).containsOnly("2");
      assertThat(assertProblem(portal.get(2), 429, "rate-limited").getString("detail")).contains("this client (reads)");
      assertThat(kioskReads).containsExactly(200, 200, 200, 200, 429);
      assertThat(submission.statusCode()).as(submission.bodyAsString()).isEqualTo(202);
      assertThat(submission.getHeader("RateLimit-Limit")).isEqualTo("5");
      assertThat(submission.getHeader("RateLimit-Remaining")).isEqualTo("4");
    }
  }

  /**
   * Redis cut: the local fallback keeps the two budgets apart as Redis does (the same keys), so look-ups spent
   * locally do not refuse the submissions, which go to PostgreSQL directly meanwhile.
   */
  @Test
  void shouldKeepTheBudgetsApartInTheLocalFallback() throws Exception {
    URI redisUrl = URI.create(TestServers.get().redisUrl());
    try (TcpProxy proxy = new TcpProxy(redisUrl.getHost(), redisUrl.getPort())) {
      proxy.up();
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
          "ratelimit.redis-timeout-ms", "100", "ratelimit.client-classes", TINY, "ratelimit.fallback", "local",
          "degraded.redis-down", "postgres"))) {
        WebClient pages = pageClient(gw);
        proxy.down();
        List<Integer> lookUps = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
          lookUps.add((i % 2 == 0 ? gw.client.get("/v1/procedures")
              : pages.get("/v1/procedures").putHeader("X-Api-Key", PAGE_KEY)).send().await().statusCode());
        }
        List<HttpResponse<Buffer>> submissions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          submissions.add(gw.post(AdmissionTest.dossierOf(7101 + i)));
        }
        HttpResponse<Buffer> overOwn = gw.post(AdmissionTest.dossierOf(7106));

        assertThat(submissions).as("submissions after the look-ups spent their quota, Redis down")
            .allSatisfy(s -> assertThat(s.statusCode()).as(s.bodyAsString()).isEqualTo(202));
        assertThat(assertProblem(overOwn, 429, "rate-limited").getString("detail")).contains("this client is over");
        assertThat(lookUps).containsExactly(200, 200, 200, 200, 200, 429, 429);
        List<String> ids = submissions.stream().map(s -> "'" + s.bodyAsJsonObject().getString("id") + "'").toList();
        assertThat(TestServers.queryLong(gw.config.postgres().url(), "SELECT count(*) FROM dossier WHERE id IN ("
            + String.join(",", ids) + ")")).as("written directly").isEqualTo(5);
        assertThat(gw.get("/metrics").bodyAsString()).contains("hub_ratelimit_fallback_active 1.0");
      }
    }
  }

  private static WebClient pageClient(GatewayFixture gw) {
    return ContractCheck.get().validating(WebClient.create(gw.vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port)));
  }
}
