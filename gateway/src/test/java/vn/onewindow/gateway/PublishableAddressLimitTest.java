package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.config.TrustedProxies;
import vn.onewindow.common.dossier.PartitionTags;
import vn.onewindow.common.testing.ContractCheck;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.admission.Admission;
import vn.onewindow.gateway.admission.RateLimiter;
import vn.onewindow.gateway.security.CallerAddress;

/**
 * The per-address limit of callers with a publishable key (browser pages, apps: anyone may hold it), against a real
 * gateway and Redis: each address behind a trusted proxy has its own budget before the client's, a forwarding header
 * from any other peer is ignored, secret keys keep only their client's limit, Redis keeps a hash and never the
 * address, and the local fallback applies the same limit while Redis is cut. The peer of every call here is
 * 127.0.0.1, which, unless trusted as a proxy, has no address to count (a balancer's, every citizen's); the addresses
 * are documentation ranges (RFC 5737, RFC 3849).
 */
class PublishableAddressLimitTest {
  /** Publishable key of the development client "mobile-app" (quota class high). */
  private static final String APP_KEY = "dev-mobile-app-key";
  private static final String APP = "mobile-app";
  /** Three calls per address at once, then one per 100 s: nothing refills while a test runs. */
  private static final String PER_ADDRESS = "0.01/3";
  private static final String PROCEDURES = "/v1/procedures";

  @RegisterExtension
  final LogCapture logged = LogCapture.of(RateLimiter.class);
  @RegisterExtension
  final LogCapture admission = LogCapture.of(Admission.class);

  @Test
  void shouldGiveEachAddressBehindATrustedProxyItsOwnBudget() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.publishable-per-address", PER_ADDRESS,
        "security.trusted-proxies", "127.0.0.1"))) {
      WebClient app = appClient(gw);
      for (int remaining = 2; remaining >= 0; remaining--) {
        HttpResponse<Buffer> ok = get(app, "X-Forwarded-For", "203.0.113.7");
        assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(200);
        assertThat(ok.getHeader("RateLimit-Limit")).isEqualTo("3");
        assertThat(ok.getHeader("RateLimit-Remaining")).isEqualTo(Integer.toString(remaining));
      }

      HttpResponse<Buffer> refused = get(app, "X-Forwarded-For", "203.0.113.7");
      // what a client wrote left of the proxy's own entry changes nothing: the right-most untrusted one counts
      HttpResponse<Buffer> spoofed = get(app, "X-Forwarded-For", "198.51.100.1, 203.0.113.7");
      HttpResponse<Buffer> otherAddress = get(app, "X-Forwarded-For", "203.0.113.8");
      HttpResponse<Buffer> otherSubmits = app.post("/v1/dossiers").putHeader("X-Api-Key", APP_KEY)
          .putHeader("X-Forwarded-For", "203.0.113.8").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(AdmissionTest.dossierOf(4242))).await();

      JsonObject problem = assertProblem(refused, 429, "rate-limited");
      assertThat(problem.getString("detail")).contains("this address").doesNotContain("203.0.113")
          .doesNotContain("client");
      assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isBetween(90, 101);
      assertThat(refused.getHeader("RateLimit-Limit")).isEqualTo("3");
      assertThat(refused.getHeader("RateLimit-Remaining")).isEqualTo("0");
      assertThat(spoofed.statusCode()).isEqualTo(429);
      assertThat(otherAddress.statusCode()).as(otherAddress.bodyAsString()).isEqualTo(200);
      assertThat(otherSubmits.statusCode()).as(otherSubmits.bodyAsString()).isEqualTo(202);
      assertThat(gw.queued()).isEqualTo(1);
      assertThat(gw.get("/metrics").bodyAsString())
          .contains("hub_ratelimit_decisions_total{decision=\"limited\",limit=\"address\"} 2.0")
          .contains("hub_ratelimit_decisions_total{decision=\"allowed\",limit=\"address\"} 5.0")
          .contains("hub_ratelimit_decisions_total{decision=\"limited\",limit=\"client_reads\"} 0.0")
          .contains("hub_ratelimit_decisions_total{decision=\"allowed\",limit=\"client_reads\"} 4.0")
          .contains("hub_ratelimit_decisions_total{decision=\"allowed\",limit=\"client\"} 1.0")
          .contains("hub_refusals_total{reason=\"rate_limited\"} 2.0");

      // Redis holds one key per address, named by a hash in the client's slot, and no address anywhere
      List<String> keys = keys(gw, gw.keys.prefix() + "*");
      assertThat(keys).contains(addressKey(gw, "203.0.113.7"), addressKey(gw, "203.0.113.8"))
          .noneMatch(k -> k.contains("203.0.113") || k.contains("198.51.100"));
      // the client key's whole name is the address keys' hash tag: one slot for the script's two keys
      assertThat(addressKeys(gw, APP)).hasSize(2).allSatisfy(k -> assertThat(k)
          .isEqualTo(gw.keys.prefix() + "rl:address:{" + gw.keys.clientLimit(APP) + "}:" + k.substring(k.length() - 32))
          .matches(".*:[0-9a-f]{32}"));
      assertThat(gw.keys.clientLimit(APP)).isEqualTo(gw.keys.prefix() + "rl:client:" + APP).doesNotContain("{");
      assertThat(PartitionTags.slot(addressKey(gw, "203.0.113.7")))
          .isEqualTo(PartitionTags.slot(gw.keys.clientLimit(APP)))
          .isEqualTo(PartitionTags.slot(gw.keys.clientReadLimit(APP)));
      for (String key : keys) {
        assertThat(gw.redis(Command.TYPE, key).toString().equals("string")
            ? gw.redis(Command.GET, key).toString() : "").doesNotContain("203.0.113");
      }
    }
  }

  /**
   * A call refused by one limit spends neither: refused for its address it leaves the client's budget (one abuser
   * does not spend it for everyone), refused by the client's it leaves the address's.
   */
  @Test
  void shouldSpendNoBudgetOnARefusedCall() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.publishable-per-address", PER_ADDRESS,
        "ratelimit.client-classes", "standard:200/400,high:0.01/5", "security.trusted-proxies", "127.0.0.1"))) {
      WebClient app = appClient(gw);
      List<Integer> abuser = new ArrayList<>();
      for (int i = 0; i < 13; i++) {
        abuser.add(get(app, "X-Forwarded-For", "203.0.113.66").statusCode());
      }
      HttpResponse<Buffer> first = get(app, "X-Forwarded-For", "203.0.113.70");
      HttpResponse<Buffer> second = get(app, "X-Forwarded-For", "203.0.113.70");
      HttpResponse<Buffer> clientSpent = get(app, "X-Forwarded-For", "203.0.113.70");

      assertThat(abuser.subList(0, 3)).containsOnly(200);
      assertThat(abuser.subList(3, 13)).containsOnly(429);
      assertThat(first.statusCode()).as("the client's quota of 5 is not spent by 10 refused calls").isEqualTo(200);
      assertThat(second.statusCode()).isEqualTo(200);
      JsonObject problem = assertProblem(clientSpent, 429, "rate-limited");
      assertThat(problem.getString("detail")).contains("this client");
      assertThat(clientSpent.getHeader("RateLimit-Limit")).isEqualTo("5");
      // two calls taken from the second address: its state is two intervals (100 s each) ahead, not three
      long pttl = gw.redis(Command.PTTL, addressKey(gw, "203.0.113.70")).toLong();
      assertThat(pttl).isBetween(100_001L, 200_000L);
      assertThat(gw.get("/metrics").bodyAsString())
          .contains("hub_ratelimit_decisions_total{decision=\"limited\",limit=\"address\"} 10.0")
          .contains("hub_ratelimit_decisions_total{decision=\"limited\",limit=\"client_reads\"} 1.0");
      // the client's whole budget spent is named for the operators (HubClientRateLimited's runbook reads this line),
      // an address over its own limit is not
      assertThat(admission.lines("over its rate limit")).hasSize(1)
          .allSatisfy(line -> assertThat(line).contains(APP).contains("high").doesNotContain("203.0.113"));
    }
  }

  /**
   * By default no peer is trusted: X-Forwarded-For is the caller's own claim, and every call here comes from 127.0.0.1,
   * a loopback peer that is no trusted proxy (a balancer, a proxy or a local run, behind which every citizen would
   * share one address's budget): no per-address limit, the spoofed header creates no address key, and only the
   * client's limit applies. A secret key (a backend) has its client's limit only.
   */
  @Test
  void shouldIgnoreTheForwardingHeaderOfAnUntrustedPeerAndLeaveSecretKeysAlone() {
    for (String trusted : List.of("", "10.0.0.0/8, 2001:db8::/32")) {
      try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.publishable-per-address", PER_ADDRESS,
          "ratelimit.client-classes", "standard:200/400,high:0.01/4", "security.trusted-proxies", trusted))) {
        for (int i = 0; i < 10; i++) {
          HttpResponse<Buffer> backend = gw.client.get(PROCEDURES).putHeader("X-Forwarded-For", "203.0.113.9")
              .send().await();
          assertThat(backend.statusCode()).isEqualTo(200);
          assertThat(backend.getHeader("RateLimit-Limit")).as("the standard class's burst").isEqualTo("400");
        }
        assertThat(addressKeys(gw, GatewayFixture.CLIENT_ID)).isEmpty();

        WebClient app = appClient(gw);
        List<HttpResponse<Buffer>> answers = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
          answers.add(get(app, "X-Forwarded-For", "203.0.113." + i));
        }
        answers.add(get(app, "Forwarded", "for=203.0.113.5"));

        assertThat(answers).as("trusted: '%s'", trusted).extracting(HttpResponse::statusCode)
            .containsExactly(200, 200, 200, 200, 429);
        assertThat(answers.get(0).getHeader("RateLimit-Limit")).as("the client's burst").isEqualTo("4");
        assertThat(assertProblem(answers.get(4), 429, "rate-limited").getString("detail")).contains("this client");
        assertThat(addressKeys(gw, APP)).as("no address key, spoofed or the peer's").isEmpty();
        assertThat(keys(gw, gw.keys.clientReadLimit(APP))).as("the client's limit decided by Redis").hasSize(1);
        assertThat(gw.get("/metrics").bodyAsString())
            .contains("hub_ratelimit_decisions_total{decision=\"address_unknown\",limit=\"address\"} 5.0")
            .contains("hub_ratelimit_decisions_total{decision=\"limited\",limit=\"address\"} 0.0")
            .contains("hub_ratelimit_decisions_total{decision=\"allowed\",limit=\"address\"} 0.0")
            .contains("hub_ratelimit_decisions_total{decision=\"limited\",limit=\"client_reads\"} 1.0");
      }
    }
    assertThat(logged.lines("security.trusted-proxies")).as("the throttled warning (RateLimiterFallbackTest)")
        .isNotEmpty()
        .allSatisfy(line -> assertThat(line).contains("no per-address limit").doesNotContain("127.0.0.1")
            .doesNotContain("203.0.113"));
  }

  /**
   * The default configuration (limit 5/s with a burst of 50, no trusted proxy) behind a balancer, here a loopback
   * peer: every citizen would be that one address, so the per-address limit does not apply and a hundred calls at once
   * meet only the client's limit (the app's class, high: 1000/2000).
   */
  @Test
  void shouldNotLimitAnUntrustedNonPublicPeerPerAddressByDefault() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      WebClient app = appClient(gw);
      List<HttpResponse<Buffer>> answers = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        answers.add(get(app, "X-Forwarded-For", "203.0.113.7"));
      }

      assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200);
      assertThat(answers).extracting(a -> a.getHeader("RateLimit-Limit")).as("the client's burst").containsOnly("2000");
      assertThat(addressKeys(gw, APP)).isEmpty();
      assertThat(gw.get("/metrics").bodyAsString())
          .contains("hub_ratelimit_decisions_total{decision=\"address_unknown\",limit=\"address\"} 100.0")
          .contains("hub_ratelimit_decisions_total{decision=\"allowed\",limit=\"client_reads\"} 100.0")
          .contains("hub_ratelimit_decisions_total{decision=\"limited\",limit=\"address\"} 0.0");
    }
  }

  /**
   * A trusted proxy's call that names no caller (no header, a header of the other kind, a hop the proxy could not
   * name) is counted as no address: the proxy's own address would give every citizen behind it one budget. Its warning
   * points at the header (a proxy writing the other kind is the likely cause), not at listing a proxy already listed
   * (QA behind nginx: the warning for an untrusted peer sent operators to the knob they had already set).
   */
  @Test
  void shouldNotLimitATrustedProxyByItsOwnAddressWhenItNamesNoCaller() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.publishable-per-address", PER_ADDRESS,
        "security.trusted-proxies", "127.0.0.1"))) {
      WebClient app = appClient(gw);
      List<HttpResponse<Buffer>> answers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        answers.add(send(app, Map.of()));
        answers.add(get(app, "X-Forwarded-For", "unknown"));
        answers.add(send(app, Map.of("Forwarded", "for=203.0.113.7")));
      }

      assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200);
      assertThat(answers).extracting(a -> a.getHeader("RateLimit-Limit")).as("the client's burst").containsOnly("2000");
      assertThat(addressKeys(gw, APP)).isEmpty();
      assertThat(gw.get("/metrics").bodyAsString())
          .contains("hub_ratelimit_decisions_total{decision=\"address_unknown\",limit=\"address\"} 12.0");
    }
    assertThat(logged.lines("no per-address limit")).as("the throttled warning").hasSize(1)
        .allSatisfy(line -> assertThat(line).contains("trusted proxy").contains("security.trusted-proxy-header")
            .contains("X-Forwarded-For").doesNotContain("not a trusted proxy").doesNotContain("127.0.0.1")
            .doesNotContain("203.0.113"));
  }

  /**
   * With security.trusted-proxy-header=forwarded the RFC 7239 header names the caller and X-Forwarded-For is ignored
   * (a proxy that writes one passes the other through from the caller). An IPv6 caller is counted by its /64, the
   * block one subscriber is given.
   */
  @Test
  void shouldReadTheForwardedHeaderWhenToldAndCountIpv6ByItsSlash64() {
    try (GatewayFixture gw = new GatewayFixture(Map.of("ratelimit.publishable-per-address", PER_ADDRESS,
        "security.trusted-proxies", "127.0.0.0/8", "security.trusted-proxy-header", "forwarded"))) {
      WebClient app = appClient(gw);
      List<Integer> v4 = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        v4.add(get(app, "Forwarded", "for=198.51.100.1;proto=https, for=203.0.113.7").statusCode());
      }
      v4.add(send(app, Map.of("Forwarded", "for=203.0.113.7", "X-Forwarded-For", "203.0.113.99")).statusCode());
      List<Integer> v6 = new ArrayList<>();
      for (String host : List.of("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::9", "2001:db8:1:2::3")) {
        v6.add(get(app, "Forwarded", "for=\"[" + host + "]:4711\"").statusCode());
      }
      HttpResponse<Buffer> nextBlock = get(app, "Forwarded", "For=\"[2001:db8:1:3::1]\"");

      assertThat(v4).containsExactly(200, 200, 200, 429);
      assertThat(v6).containsExactly(200, 200, 200, 429);
      assertThat(nextBlock.statusCode()).isEqualTo(200);
      assertThat(addressKeys(gw, APP)).hasSize(3)
          .contains(addressKey(gw, "203.0.113.7"), addressKey(gw, "2001:db8:1:2::"));
    }
  }

  /**
   * Redis cut: the local fallback decides the per-address limit as it decides the client's (each instance its share,
   * here the whole of it), so an abuser is still held to its address's budget and no one else is.
   */
  @Test
  void shouldApplyThePerAddressLimitLocallyWhileRedisIsDown() throws Exception {
    URI redisUrl = URI.create(TestServers.get().redisUrl());
    try (TcpProxy proxy = new TcpProxy(redisUrl.getHost(), redisUrl.getPort())) {
      proxy.up();
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
          "ratelimit.redis-timeout-ms", "100", "ratelimit.publishable-per-address", PER_ADDRESS,
          "security.trusted-proxies", "127.0.0.1", "ratelimit.fallback", "local"))) {
        WebClient app = appClient(gw);
        proxy.down();
        List<Integer> abuser = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          abuser.add(get(app, "X-Forwarded-For", "203.0.113.66").statusCode());
        }
        HttpResponse<Buffer> refused = get(app, "X-Forwarded-For", "203.0.113.66");
        HttpResponse<Buffer> other = get(app, "X-Forwarded-For", "203.0.113.70");
        String metrics = gw.get("/metrics").bodyAsString();

        assertThat(abuser).containsExactly(200, 200, 200, 429);
        JsonObject problem = assertProblem(refused, 429, "rate-limited");
        assertThat(problem.getString("detail")).contains("this address").doesNotContain("203.0.113");
        assertThat(refused.getHeader("RateLimit-Limit")).isEqualTo("3");
        assertThat(refused.getHeader("Retry-After")).isNotNull();
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(metrics).contains("hub_ratelimit_fallback_active 1.0")
            .contains("hub_ratelimit_decisions_total{decision=\"limited\",limit=\"address\"} 2.0");
      }
    }
  }

  private static WebClient appClient(GatewayFixture gw) {
    return ContractCheck.get().validating(WebClient.create(gw.vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port)));
  }

  private static HttpResponse<Buffer> get(WebClient app, String header, String value) {
    return send(app, Map.of(header, value));
  }

  /** GET /v1/procedures with the app's publishable key and these headers. */
  private static HttpResponse<Buffer> send(WebClient app, Map<String, String> headers) {
    HttpRequest<Buffer> request = app.get(PROCEDURES).putHeader("X-Api-Key", APP_KEY);
    headers.forEach(request::putHeader);
    return request.send().await();
  }

  /** The limit key of the app's callers from {@code address}, as the gateway names it. */
  private static String addressKey(GatewayFixture gw, String address) {
    return gw.keys.addressLimit(APP, CallerAddress.limitKey(TrustedProxies.address(address)));
  }

  /** The per-address limit keys of a client's callers in Redis. */
  private static List<String> addressKeys(GatewayFixture gw, String clientId) {
    return keys(gw, gw.keys.addressLimit(clientId, "*"));
  }

  /** The keys matching a glob ({@code *} only: the rest of the run's key names has no glob characters). */
  private static List<String> keys(GatewayFixture gw, String glob) {
    List<String> found = new ArrayList<>();
    for (Response key : gw.redis(Command.KEYS, glob)) {
      found.add(key.toString());
    }
    return found;
  }
}
