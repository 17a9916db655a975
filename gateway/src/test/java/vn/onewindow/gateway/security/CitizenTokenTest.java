package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.KIOSK_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.MOBILE_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.PORTAL_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.post;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;
import static vn.onewindow.gateway.security.SecurityTestSupport.send;

import com.nimbusds.jose.JWSAlgorithm;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * Citizen bearer tokens from the national sign-in (optional by default), verified against the test's own RSA and EC
 * keys; and who may read a dossier's status (submitting client, or the applicant proven by a token).
 */
class CitizenTokenTest extends OneGatewayPerClass {
  private static final TestTokens TOKENS = new TestTokens();
  @RegisterExtension
  final LogCapture logged = LogCapture.of(Authentication.class);
  private static final String INVALID_TOKEN_DETAIL = "the citizen token is invalid or expired; sign in again";
  private static WebClient bare;

  @BeforeAll
  static void start() throws Exception {
    gw = new GatewayFixture(TOKENS.pemConfig());
    bare = SecurityTestSupport.bareClient(gw.vertx, gw.port);
  }

  @Test
  void shouldAcceptAnRs256OrEs256TokenOfTheApplicant() {
    String citizen = randomCitizenId();
    for (String token : new String[] {TOKENS.rs256(citizen), TOKENS.es256(citizen)}) {
      HttpResponse<Buffer> response = post(bare, Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + token),
          dossierOf(citizen).encode());
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
      SecurityTestSupport.assertSecurityHeaders(response);
    }
    HttpResponse<Buffer> lowerCaseScheme = post(bare,
        Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "bearer " + TOKENS.rs256(citizen)), dossierOf(citizen).encode());
    assertThat(lowerCaseScheme.statusCode()).isEqualTo(202);
    assertThat(gw.queued()).isEqualTo(queuedBefore + 3);
  }

  @Test
  void shouldAcceptASubmissionWithoutTokenWhenTokensAreOptional() {
    HttpResponse<Buffer> response = post(bare, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(randomCitizenId()).encode());

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  @Test
  void shouldRefuseForgedExpiredMisaddressedAndMalformedTokensAlike() {
    String citizen = randomCitizenId();
    Instant now = Instant.now();
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("forged (same kid, other key)", TOKENS.forged(citizen));
    bad.put("expired beyond the skew", TOKENS.rs256(citizen,
        c -> c.expirationTime(Date.from(now.minus(Duration.ofMinutes(2))))));
    bad.put("not yet valid", TOKENS.rs256(citizen, c -> c.notBeforeTime(Date.from(now.plus(Duration.ofMinutes(5))))));
    bad.put("wrong audience", TOKENS.rs256(citizen, c -> c.audience("another-service")));
    bad.put("wrong issuer", TOKENS.rs256(citizen, c -> c.issuer("https://evil.example")));
    bad.put("no expiry", TOKENS.rs256(citizen, c -> c.expirationTime(null)));
    bad.put("valid for ten years", TOKENS.rs256(citizen,
        c -> c.expirationTime(Date.from(now.plus(Duration.ofDays(3653))))));
    // issued at the same instant: claims() stamps its own, later, and JWT times are whole seconds, so one crossing a
    // second's boundary after `now` made this lifetime exactly a day, which is allowed (a CI run's flake)
    bad.put("a day and a second", TOKENS.rs256(citizen, c -> c.issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(86_401)))));
    bad.put("no issue time", TOKENS.rs256(citizen, c -> c.issueTime(null)));
    bad.put("issued in ten years, for an hour", TOKENS.rs256(citizen, c -> c
        .issueTime(Date.from(now.plus(Duration.ofDays(3653))))
        .expirationTime(Date.from(now.plus(Duration.ofDays(3653)).plus(Duration.ofHours(1))))));
    bad.put("no citizen claim", TOKENS.rs256(citizen, c -> c.claim("citizen_id", null)));
    bad.put("citizen claim not an ID", TOKENS.rs256(citizen, c -> c.claim("citizen_id", "12345")));
    bad.put("citizen claim of 12 non-ASCII digits",
        TOKENS.rs256(citizen, c -> c.claim("citizen_id", "\u0661".repeat(12))));
    bad.put("citizen claim a number", TOKENS.rs256(citizen, c -> c.claim("citizen_id", 1234567890123L)));
    bad.put("alg none", TOKENS.unsigned(citizen));
    bad.put("HS256 keyed with the public key", TOKENS.hmacWithPublicKey(citizen));
    bad.put("RS256 signature, payload swapped", swapPayload(TOKENS.rs256(citizen), TOKENS.rs256(randomCitizenId())));
    bad.put("RS512, not a configured algorithm", TestTokens.sign(TOKENS.rsa, JWSAlgorithm.RS512,
        TestTokens.claims(citizen).build()));
    bad.put("garbage", "not.a.token");
    bad.put("empty", "");
    bad.forEach((why, token) -> {
      HttpResponse<Buffer> response = post(bare, Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + token),
          dossierOf(citizen).encode());
      JsonObject problem = assertProblem(response, 401, "unauthorized");
      assertThat(problem.getString("detail")).as(why).isEqualTo(INVALID_TOKEN_DETAIL);
      assertThat(response.getHeader("WWW-Authenticate")).as(why)
          .isEqualTo("Bearer realm=\"onewindow\", error=\"invalid_token\"");
    });
    HttpResponse<Buffer> basic = post(bare, Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Basic dXNlcjpwYXNz"),
        dossierOf(citizen).encode());
    assertThat(assertProblem(basic, 401, "unauthorized").getString("detail"))
        .isEqualTo("Authorization takes exactly one citizen token from the national sign-in, as Bearer <token>");
    assertThat(basic.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"onewindow\"");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /**
   * A token whose exp is JSON null: nimbus takes the claim as present (so "exp" is not missing) and as no expiry at
   * all (so nothing is checked), and the token was accepted for ever.
   */
  @Test
  void shouldRefuseATokenWhoseExpiryIsNull() {
    String citizen = randomCitizenId();
    String token = TOKENS.rs256Payload(new JsonObject().put("iss", TestTokens.ISSUER).put("aud", TestTokens.AUDIENCE)
        .put("exp", (Object) null).put("citizen_id", citizen).encode());

    HttpResponse<Buffer> response = post(bare, Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + token),
        dossierOf(citizen).encode());

    assertThat(assertProblem(response, 401, "unauthorized").getString("detail")).isEqualTo(INVALID_TOKEN_DETAIL);
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /**
   * Why a token was refused is logged (at DEBUG) in the hub's words: nimbus's messages quote what the token says
   * ("JOSE header typ (type) ... not allowed"), which is whatever the caller wrote there.
   */
  @Test
  void shouldNotLogWhatARefusedTokenSays() {
    withRefusalsLogged(() -> {
      String citizen = randomCitizenId();
      String token = TOKENS.rs256Typed(citizen, "Nguyễn Văn An 0912345678 " + citizen);

      HttpResponse<Buffer> response = post(bare, Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + token),
          dossierOf(citizen).encode());

      assertProblem(response, 401, "unauthorized");
      assertThat(logged.lines("citizen token refused")).singleElement().asString()
          .doesNotContain("Nguy", "0912345678", citizen.substring(0, 9));
    });
  }

  /**
   * security.jwt.max-lifetime-seconds (a day by default): a token the sign-in issued for longer, or without saying
   * when it issued it, is refused, and the log says why in fixed words; one of exactly the maximum, issued within the
   * clock skew ahead of the hub's clock, is accepted.
   */
  @Test
  void shouldBoundATokensLifetimeAndLogTheRefusalInFixedWords() {
    withRefusalsLogged(() -> {
      String citizen = randomCitizenId();
      Instant now = Instant.now();
      String decade = TOKENS.rs256(citizen, c -> c.expirationTime(Date.from(now.plus(Duration.ofDays(3653)))));
      String noIat = TOKENS.rs256(citizen, c -> c.issueTime(null));
      String ahead = TOKENS.rs256(citizen, c -> c.issueTime(Date.from(now.plusSeconds(3600)))
          .expirationTime(Date.from(now.plusSeconds(7200))));
      String aDay = TOKENS.rs256(citizen, c -> c.issueTime(Date.from(now.plusSeconds(20)))
          .expirationTime(Date.from(now.plusSeconds(20 + 86_400))));

      for (String token : List.of(decade, noIat, ahead)) {
        assertProblem(post(bare, Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + token),
            dossierOf(citizen).encode()), 401, "unauthorized");
      }
      HttpResponse<Buffer> accepted = post(bare, Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + aDay),
          dossierOf(citizen).encode());

      assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
      assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
      assertThat(logged.lines("citizen token refused")).containsExactly(
          "citizen token refused: lifetime (exp - iat) beyond security.jwt.max-lifetime-seconds",
          "citizen token refused: no issue time (iat)",
          "citizen token refused: issued in the future (iat)");
    });
  }

  /**
   * exp - iat computed in milliseconds overflows for an iat near the smallest long: a signed token "issued" that far
   * back and valid for ten years came out with a negative lifetime and was accepted, however low the bound.
   */
  @Test
  void shouldRefuseATokenWhoseLifetimeOverflowsALong() {
    withRefusalsLogged(() -> {
      String citizen = randomCitizenId();
      long tenYears = Instant.now().plus(Duration.ofDays(3653)).getEpochSecond();
      String token = TOKENS.rs256Payload(new JsonObject().put("iss", TestTokens.ISSUER).put("aud", TestTokens.AUDIENCE)
          .put("iat", Long.MIN_VALUE / 1000).put("exp", tenYears).put("citizen_id", citizen).encode());

      HttpResponse<Buffer> response = post(bare, Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + token),
          dossierOf(citizen).encode());

      assertThat(assertProblem(response, 401, "unauthorized").getString("detail")).isEqualTo(INVALID_TOKEN_DETAIL);
      assertThat(gw.queued()).isEqualTo(queuedBefore);
      assertThat(logged.lines("citizen token refused")).containsExactly(
          "citizen token refused: lifetime (exp - iat) beyond security.jwt.max-lifetime-seconds");
    });
  }

  /** 0 turns the bound off: a token without iat, or valid for years, is accepted as before. */
  @Test
  void shouldAcceptLongLivedTokensWhenTheLifetimeIsNotBounded() throws Exception {
    Map<String, String> config = new java.util.HashMap<>(TOKENS.pemConfig());
    config.put("security.jwt.max-lifetime-seconds", "0");
    try (GatewayFixture unbounded = new GatewayFixture(config)) {
      WebClient client = SecurityTestSupport.bareClient(unbounded.vertx, unbounded.port);
      long before = unbounded.queued();
      String citizen = randomCitizenId();
      String token = TOKENS.rs256(citizen, c -> c.issueTime(null)
          .expirationTime(Date.from(Instant.now().plus(Duration.ofDays(3653)))));

      HttpResponse<Buffer> response = post(client, Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + token),
          dossierOf(citizen).encode());

      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
      assertThat(unbounded.queued()).isEqualTo(before + 1);
    }
  }

  @Test
  void shouldTolerateExpiryWithinTheClockSkew() {
    String citizen = randomCitizenId();
    String justExpired = TOKENS.rs256(citizen, c -> c.expirationTime(Date.from(Instant.now().minusSeconds(10))));

    HttpResponse<Buffer> response = post(bare,
        Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + justExpired), dossierOf(citizen).encode());

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  /** The applicant check runs as its own router step, after validation. */
  @Test
  void shouldRefuseADossierInAnotherCitizensNameWith403() {
    String citizen = randomCitizenId();
    HttpResponse<Buffer> response = post(bare,
        Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.rs256(citizen)),
        dossierOf(randomCitizenId()).encode());

    JsonObject problem = assertProblem(response, 403, "applicant-mismatch");
    assertThat(problem.getString("detail")).doesNotContain(citizen);
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldLetOnlyTheSubmittingClientOrTheProvenApplicantReadTheStatus() {
    String citizen = randomCitizenId();
    String id = post(bare, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(citizen).encode()).bodyAsJsonObject()
        .getString("id");
    String path = "/v1/dossiers/" + id;

    HttpResponse<Buffer> owner = send(bare, HttpMethod.GET, path, Map.of("X-Api-Key", PORTAL_KEY), null);
    HttpResponse<Buffer> otherClient = send(bare, HttpMethod.GET, path, Map.of("X-Api-Key", MOBILE_KEY), null);
    HttpResponse<Buffer> applicantViaOtherClient = send(bare, HttpMethod.GET, path,
        Map.of("X-Api-Key", MOBILE_KEY, "Authorization", "Bearer " + TOKENS.es256(citizen)), null);
    HttpResponse<Buffer> otherCitizen = send(bare, HttpMethod.GET, path,
        Map.of("X-Api-Key", MOBILE_KEY, "Authorization", "Bearer " + TOKENS.rs256(randomCitizenId())), null);
    HttpResponse<Buffer> unknown = send(bare, HttpMethod.GET, "/v1/dossiers/" + java.util.UUID.randomUUID(),
        Map.of("X-Api-Key", MOBILE_KEY), null);

    assertThat(owner.statusCode()).isEqualTo(200);
    assertThat(owner.bodyAsJsonObject().getString("id")).isEqualTo(id);
    assertThat(owner.bodyAsJsonObject().encode()).doesNotContain(citizen).doesNotContain("client");
    JsonObject hidden = assertProblem(otherClient, 404, "not-found");
    assertThat(applicantViaOtherClient.statusCode()).as(applicantViaOtherClient.bodyAsString()).isEqualTo(200);
    assertThat(applicantViaOtherClient.bodyAsJsonObject().getString("id")).isEqualTo(id);
    SecurityTestSupport.assertSecurityHeaders(applicantViaOtherClient);
    JsonObject wrongCitizen = assertProblem(otherCitizen, 404, "not-found");
    JsonObject missing = assertProblem(unknown, 404, "not-found");
    // Indistinguishable from a dossier that does not exist.
    assertThat(hidden.getString("detail")).isEqualTo(missing.getString("detail"));
    assertThat(wrongCitizen.getString("detail")).isEqualTo(missing.getString("detail"));
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  @Test
  void shouldDemandATokenWhenRequiredAndVerifyAgainstAJwkSetUrl() {
    AtomicInteger fetches = new AtomicInteger();
    HttpServer jwksServer = gw.vertx.createHttpServer().requestHandler(req -> {
      fetches.incrementAndGet();
      req.response().putHeader("Content-Type", "application/jwk-set+json").end(TOKENS.jwks());
    }).listen(0, "127.0.0.1").await();
    Map<String, String> config = Map.of("security.citizen-token", "required",
        "security.jwt.issuer", TestTokens.ISSUER, "security.jwt.audience", "other-aud," + TestTokens.AUDIENCE,
        "security.jwt.jwks", "http://127.0.0.1:" + jwksServer.actualPort() + "/jwks.json");
    try (GatewayFixture strict = new GatewayFixture(config)) {
      WebClient client = SecurityTestSupport.bareClient(strict.vertx, strict.port);
      long before = strict.queued();
      String citizen = randomCitizenId();

      HttpResponse<Buffer> noToken = post(client, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(citizen).encode());
      HttpResponse<Buffer> rsa = post(client,
          Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.rs256(citizen)), dossierOf(citizen).encode());
      HttpResponse<Buffer> ec = post(client,
          Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.es256(citizen)), dossierOf(citizen).encode());
      HttpResponse<Buffer> forged = post(client,
          Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.forged(citizen)), dossierOf(citizen).encode());

      assertProblem(noToken, 401, "unauthorized");
      assertThat(noToken.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"onewindow\"");
      assertThat(rsa.statusCode()).as(rsa.bodyAsString()).isEqualTo(202);
      assertThat(ec.statusCode()).as(ec.bodyAsString()).isEqualTo(202);
      assertProblem(forged, 401, "unauthorized");
      assertThat(fetches.get()).as("JWK Set fetched once, then cached").isEqualTo(1);
      assertThat(strict.queued()).isEqualTo(before + 2);
    } finally {
      jwksServer.close().await();
    }
  }

  /**
   * "required" is about citizens: a frontend's dossier calls (submit, look-ups, rating) need a signed-in citizen, but
   * an agency system or the portal's backend reading its change feed has none to give, and the public catalogue and
   * statistics name no one. Required everywhere, agencies could not report progress without carrying some citizen's
   * token, which proves nothing (a JWT tryout: 401 on the agency feed, on events and on /v1/changes).
   */
  @Test
  void shouldRequireATokenOnlyOfAFrontendsDossierCalls() {
    Map<String, String> config = new LinkedHashMap<>(uncheckedPemConfig());
    config.put("security.citizen-token", "required");
    try (GatewayFixture strict = new GatewayFixture(config)) {
      WebClient client = SecurityTestSupport.bareClient(strict.vertx, strict.port);
      String citizen = randomCitizenId();
      HttpResponse<Buffer> submitted = post(client,
          Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.rs256(citizen)),
          dossierOf(citizen).encode());
      assertThat(submitted.statusCode()).as(submitted.bodyAsString()).isEqualTo(202);
      String id = submitted.bodyAsJsonObject().getString("id");

      // a frontend's dossier calls without a citizen: 401, as before
      assertProblem(post(client, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(citizen).encode()), 401, "unauthorized");
      assertProblem(send(client, HttpMethod.GET, "/v1/dossiers/" + id, Map.of("X-Api-Key", PORTAL_KEY), null), 401,
          "unauthorized");
      // an agency system, the backend's change feed, the public catalogue: no citizen to ask for
      Map<String, String> agency = Map.of("X-Api-Key", "dev-agency-key");
      HttpResponse<Buffer> agencyView = send(client, HttpMethod.GET, "/v1/dossiers/" + id, agency, null);
      assertThat(agencyView.statusCode()).as(agencyView.bodyAsString()).isEqualTo(200);
      HttpResponse<Buffer> feed = send(client, HttpMethod.GET,
          "/v1/agencies/" + dossierOf(citizen).getString("handlingAgency") + "/dossiers", agency, null);
      assertThat(feed.statusCode()).as(feed.bodyAsString()).isEqualTo(200);
      HttpResponse<Buffer> changes = send(client, HttpMethod.GET, "/v1/changes", Map.of("X-Api-Key", PORTAL_KEY),
          null);
      assertThat(changes.statusCode()).as(changes.bodyAsString()).isEqualTo(200);
      HttpResponse<Buffer> procedures = send(client, HttpMethod.GET, "/v1/procedures",
          Map.of("X-Api-Key", PORTAL_KEY), null);
      assertThat(procedures.statusCode()).as(procedures.bodyAsString()).isEqualTo(200);
      // a token sent where none is required is still verified
      assertProblem(send(client, HttpMethod.GET, "/v1/changes",
          Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.forged(citizen)), null), 401,
          "unauthorized");
    }
  }

  /**
   * The router answers the normalised path (RFC 3986: percent-encoded unreserved characters decoded), so a frontend's
   * dossier call spelled /v1/%64ossiers reaches the submit and look-up routes: "required" must ask its token there too.
   */
  @Test
  void shouldRequireATokenOfAFrontendsDossierCallsWhateverTheirPathsSpelling() {
    Map<String, String> config = new LinkedHashMap<>(uncheckedPemConfig());
    config.put("security.citizen-token", "required");
    try (GatewayFixture strict = new GatewayFixture(config)) {
      WebClient client = SecurityTestSupport.hostileClient(strict.vertx, strict.port);
      String citizen = randomCitizenId();
      long before = strict.queued();
      for (String path : List.of("/v1/%64ossiers", "/v1/dossier%73", "/%761/dossiers")) {
        HttpResponse<Buffer> submitted = send(client, HttpMethod.POST, path,
            Map.of("X-Api-Key", PORTAL_KEY, "Content-Type", "application/json"), dossierOf(citizen).encode());
        // refused at the edge (an encoded unreserved character) or for the missing token: never served
        assertThat(submitted.statusCode()).as(path + ": " + submitted.bodyAsString()).isIn(400, 401);
      }
      HttpResponse<Buffer> lookUp = send(client, HttpMethod.GET,
          "/v1/%64ossiers/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", Map.of("X-Api-Key", PORTAL_KEY), null);
      assertThat(lookUp.statusCode()).as(lookUp.bodyAsString()).isIn(400, 401);
      assertThat(strict.queued()).isEqualTo(before);
    }
  }

  @Test
  void shouldRefuseBearerTokensWhenNoVerifierIsConfiguredButServeCallsWithout() {
    try (GatewayFixture unconfigured = new GatewayFixture(Map.of())) {
      WebClient client = SecurityTestSupport.bareClient(unconfigured.vertx, unconfigured.port);
      long before = unconfigured.queued();
      String citizen = randomCitizenId();

      HttpResponse<Buffer> withToken = post(client,
          Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.rs256(citizen)), dossierOf(citizen).encode());
      HttpResponse<Buffer> without = post(client, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(citizen).encode());

      assertProblem(withToken, 401, "unauthorized");
      assertThat(without.statusCode()).isEqualTo(202);
      assertThat(unconfigured.queued()).isEqualTo(before + 1);
    }
  }

  @Test
  void shouldIgnoreTokensWhenTurnedOff() {
    Map<String, String> config = new java.util.HashMap<>(uncheckedPemConfig());
    config.put("security.citizen-token", "off");
    try (GatewayFixture off = new GatewayFixture(config)) {
      WebClient client = SecurityTestSupport.bareClient(off.vertx, off.port);
      long before = off.queued();
      String citizen = randomCitizenId();

      HttpResponse<Buffer> forged = post(client,
          Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.forged(citizen)), dossierOf(citizen).encode());
      String id = forged.bodyAsJsonObject().getString("id");
      HttpResponse<Buffer> statusViaToken = send(client, HttpMethod.GET, "/v1/dossiers/" + id,
          Map.of("X-Api-Key", MOBILE_KEY, "Authorization", "Bearer " + TOKENS.rs256(citizen)), null);

      assertThat(forged.statusCode()).isEqualTo(202);
      assertProblem(statusViaToken, 404, "not-found");
      assertThat(off.queued()).isEqualTo(before + 1);
    }
  }

  /**
   * Every browser and app holds a publishable key, and citizen tokens are optional: anyone can file dossiers in a
   * citizen's name without one. Those must not spend the budget of the citizen's own submissions, signed in or
   * through another client, or one griefer locks a citizen out on deadline day (found by a security QA pass).
   */
  @Test
  void shouldNotLetUnprovenSubmissionsInACitizensNameSpendTheCitizensOwnBudget() {
    String victim = randomCitizenId();
    int burst = gw.config.resilience().rateLimits().applicant().burst();
    for (int i = 0; i < burst; i++) {
      HttpResponse<Buffer> junk = post(bare, Map.of("X-Api-Key", MOBILE_KEY), dossierOf(victim).encode());
      assertThat(junk.statusCode()).as(junk.bodyAsString()).isEqualTo(202);
    }
    JsonObject limited = assertProblem(post(bare, Map.of("X-Api-Key", MOBILE_KEY), dossierOf(victim).encode()), 429,
        "rate-limited");
    assertThat(limited.getString("detail")).contains("applicant");

    HttpResponse<Buffer> signedIn = post(bare,
        Map.of("X-Api-Key", MOBILE_KEY, "Authorization", "Bearer " + TOKENS.rs256(victim)), dossierOf(victim).encode());
    HttpResponse<Buffer> atTheKiosk = post(bare, Map.of("X-Api-Key", KIOSK_KEY), dossierOf(victim).encode());
    assertThat(signedIn.statusCode()).as("signed in: %s", signedIn.bodyAsString()).isEqualTo(202);
    assertThat(atTheKiosk.statusCode()).as("another client: %s", atTheKiosk.bodyAsString()).isEqualTo(202);
    // the signed-in budget is the citizen's own, whichever client: spent, it refuses them on every client
    for (int i = 1; i < burst; i++) {
      assertThat(post(bare, Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.es256(victim)),
          dossierOf(victim).encode()).statusCode()).isEqualTo(202);
    }
    assertProblem(post(bare, Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.rs256(victim)),
        dossierOf(victim).encode()), 429, "rate-limited");
  }

  /** Runs {@code test} with Authentication's DEBUG lines (why a token was refused) logged. */
  private static void withRefusalsLogged(Runnable test) {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Authentication.class);
    ch.qos.logback.classic.Level level = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      test.run();
    } finally {
      logger.setLevel(level);
    }
  }

  private static Map<String, String> uncheckedPemConfig() {
    try {
      return TOKENS.pemConfig();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Header and signature of one token around the payload of another. */
  private static String swapPayload(String signed, String other) {
    String[] a = signed.split("\\.");
    String[] b = other.split("\\.");
    return a[0] + "." + b[1] + "." + a[2];
  }
}
