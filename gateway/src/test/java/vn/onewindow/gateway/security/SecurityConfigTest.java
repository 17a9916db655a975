package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.SecurityConfig;
import vn.onewindow.common.config.SecurityConfig.CitizenToken;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.config.TrustedProxies;

/** config/security.properties: safe defaults that run out of the box, and refusals that name the key. */
class SecurityConfigTest {

  @Test
  void shouldDefaultToRequiredKeysOptionalTokensAndPlainHttpForLocalUse() {
    SecurityConfig config = SecurityConfig.from(Settings.load(Map.of()));

    assertThat(config.requireApiKey()).isTrue();
    assertThat(config.clientsFile()).isEqualTo("config/clients.json");
    assertThat(config.citizenToken()).isEqualTo(CitizenToken.OPTIONAL);
    assertThat(config.jwt().configured()).isFalse();
    assertThat(config.jwt().algorithms()).containsExactlyInAnyOrder("RS256", "ES256");
    assertThat(config.jwt().citizenClaim()).isEqualTo("citizen_id");
    assertThat(config.jwt().clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.jwt().maxLifetime()).isEqualTo(Duration.ofDays(1));
    assertThat(config.tls().enabled()).isFalse();
    assertThat(config.corsAllowedOrigins()).containsExactly("https://dichvucong.gov.vn");
    assertThat(config.maxHeaderCount()).isEqualTo(64);
    assertThat(config.maxHeaderBytes()).isEqualTo(8192);
    assertThat(config.codecMaxHeaderBytes()).isEqualTo(16384);
    assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void shouldRefuseHalfConfiguredOrUnsafeSettingsNamingTheKey() {
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_CITIZEN_TOKEN", "required")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("security.citizen-token='required'");
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_JWT_ISSUER", "https://sso.example")))
        .hasMessageContaining("half-configured");
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_JWT_ALGORITHMS", "RS256,HS256")))
        .hasMessageContaining("security.jwt.algorithms");
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_JWT_ALGORITHMS", "none")))
        .hasMessageContaining("security.jwt.algorithms");
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_JWT_JWKS", "http://sso.example/jwks")))
        .hasMessageContaining("must be an https URL");
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_JWT_PUBLIC_KEYS", "/nonexistent.pem")))
        .hasMessageContaining("security.jwt.public-keys='/nonexistent.pem'").hasMessageContaining("readable file");
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_TLS_ENABLED", "true")))
        .hasMessageContaining("security.tls.cert-file=''");
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_CORS_ALLOWED_ORIGINS", "*")))
        .hasMessageContaining("no wildcard");
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_CORS_ALLOWED_ORIGINS", "https://portal.gov.vn/")))
        .hasMessageContaining("no path");
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_MAX_HEADER_COUNT", "0")))
        .hasMessageContaining("security.max-header-count");
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_MAX_CONNECTIONS", "-1")))
        .hasMessageContaining("security.max-connections='-1'");
    for (String lifetime : new String[] {"-1", "30", "2592001", "1d", ""}) {
      assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_JWT_MAX_LIFETIME_SECONDS", lifetime))).as(lifetime)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("security.jwt.max-lifetime-seconds='" + lifetime + "'")
          .hasMessageContaining("0 (not bounded) or an integer in 60..2592000");
    }
    assertThat(from(Map.of("HUB_SECURITY_JWT_MAX_LIFETIME_SECONDS", "0")).jwt().maxLifetime()).isZero();
  }

  /** Only listed proxies may name a caller's address; a list that trusts everyone, or a host name, stops the start. */
  @Test
  void shouldTrustNoProxyByDefaultAndRefuseARangeThatIsNoAddressOrTrustsEveryone() {
    SecurityConfig shipped = from(Map.of());
    assertThat(shipped.trustedProxies().none()).isTrue();
    assertThat(shipped.trustedProxies().header()).isEqualTo(TrustedProxies.Header.X_FORWARDED_FOR);
    TrustedProxies set = from(Map.of("HUB_SECURITY_TRUSTED_PROXIES", " 10.0.0.0/8, 192.0.2.10 ,fd00::/8",
        "HUB_SECURITY_TRUSTED_PROXY_HEADER", "forwarded")).trustedProxies();
    assertThat(set.header()).isEqualTo(TrustedProxies.Header.FORWARDED);
    assertThat(set.trusts(TrustedProxies.address("10.200.0.1"))).isTrue();
    assertThat(set.trusts(TrustedProxies.address("192.0.2.10"))).isTrue();
    assertThat(set.trusts(TrustedProxies.address("192.0.2.11"))).isFalse();
    assertThat(set.trusts(TrustedProxies.address("fd12::1"))).isTrue();
    assertThat(set.trusts(TrustedProxies.address("fe80::1"))).isFalse();
    assertThat(set.trusts(TrustedProxies.address("::ffff:10.0.0.1"))).as("IPv4-mapped").isTrue();
    for (String[] bad : new String[][] {{"proxy.example", "an IP address"}, {"10.0.0.0/33", "prefix length must be 1..32"},
        {"10.1.2.3/8", "10.0.0.0/8"}, {"0.0.0.0/0", "every address"}, {"::/0", "every address"},
        {"10.0.0.0/", "prefix length"}, {"10.0.0.1/x", "prefix length"}}) {
      assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_TRUSTED_PROXIES", "192.0.2.10, " + bad[0]))).as(bad[0])
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("security.trusted-proxies='192.0.2.10, " + bad[0] + "'")
          .hasMessageContaining("(env HUB_SECURITY_TRUSTED_PROXIES)")
          .hasMessageContaining(bad[1]);
    }
    assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_TRUSTED_PROXY_HEADER", "x-real-ip")))
        .hasMessageContaining("security.trusted-proxy-header='x-real-ip'")
        .hasMessageContaining("must be one of [x-forwarded-for, forwarded]");
  }

  @Test
  void shouldAcceptAFullyConfiguredVerifier() throws Exception {
    TestTokens tokens = new TestTokens();
    Map<String, String> env = Map.of("HUB_SECURITY_CITIZEN_TOKEN", "required",
        "HUB_SECURITY_JWT_ISSUER", TestTokens.ISSUER, "HUB_SECURITY_JWT_AUDIENCE", "a, b",
        "HUB_SECURITY_JWT_PUBLIC_KEYS", tokens.pemFile().toString(),
        "HUB_SECURITY_CORS_ALLOWED_ORIGINS", "https://dichvucong.gov.vn, http://localhost:3000");

    SecurityConfig config = from(env);

    assertThat(config.jwt().configured()).isTrue();
    assertThat(config.jwt().audiences()).containsExactly("a", "b");
    assertThat(config.corsAllowedOrigins()).containsExactly("https://dichvucong.gov.vn", "http://localhost:3000");
    assertThat(CitizenTokens.readPem(config.jwt().publicKeyFiles().get(0))).hasSize(2)
        .extracting(java.security.PublicKey::getAlgorithm).containsExactly("RSA", "EC");
  }

  /**
   * A PEM block whose base64 is cut short (a bad copy of the sign-in's key) stopped the start with the decoder's own
   * words alone, "could not start: java.lang.IllegalArgumentException: Last unit does not have enough valid bits",
   * naming neither the setting nor the file (a JWT tryout).
   */
  @Test
  void shouldNameTheFileAndTheSettingWhenAPemBlockIsNotBase64() {
    for (String body : new String[] {"A", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA="}) {
      String file = SecurityTestSupport.tempFile("cut-short", ".pem",
          "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n").toString();

      assertThatThrownBy(() -> CitizenTokens.readPem(file)).as(body).isInstanceOf(ConfigException.class)
          .hasMessageContaining("security.jwt.public-keys").hasMessageContaining(file)
          .hasMessageContaining("not valid base64");
    }
  }

  /**
   * A JWK Set file with no public key (empty, or symmetric keys only, which verification drops) started a hub that
   * refused every token: with tokens required, every citizen (JWT tryout).
   */
  @Test
  void shouldRefuseAJwkSetFileWithoutAPublicKey() {
    for (String set : new String[] {"{\"keys\":[]}",
        "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"s\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\"}]}"}) {
      String file = SecurityTestSupport.tempFile("no-public-key", ".json", set).toString();
      SecurityConfig config = from(Map.of("HUB_SECURITY_JWT_ISSUER", "https://sso.example", "HUB_SECURITY_JWT_AUDIENCE",
          "hub", "HUB_SECURITY_JWT_JWKS", file));

      assertThatThrownBy(() -> CitizenTokens.jwkSource(config.jwt())).as(set).isInstanceOf(ConfigException.class)
          .hasMessageContaining("security.jwt.jwks").hasMessageContaining(file).hasMessageContaining("no public key");
    }
  }

  /**
   * A browser writes its Origin header with scheme and host in lower case and without the scheme's default port (RFC
   * 6454 6.1). An allowed origin written "https://dichvucong.gov.vn:443" started fine, then every call from that site
   * got 403 origin-not-allowed (a frontend tryout): the setting is kept as a browser would send it. A port no browser
   * could send stops the start.
   */
  @Test
  void shouldKeepAllowedOriginsAsABrowserWritesThem() {
    SecurityConfig config = from(Map.of("HUB_SECURITY_CORS_ALLOWED_ORIGINS", "https://dichvucong.gov.vn:443, "
        + "HTTP://LocalHost:80, https://M.DichVuCong.gov.vn:8443, http://localhost:443, https://portal.gov.vn:0443, "
        + "HTTPS://DICHVUCONG.GOV.VN"));

    assertThat(config.corsAllowedOrigins()).containsExactly("https://dichvucong.gov.vn", "http://localhost",
        "https://m.dichvucong.gov.vn:8443", "http://localhost:443", "https://portal.gov.vn");
    for (String port : new String[] {"0", "65536", "99999"}) {
      assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_CORS_ALLOWED_ORIGINS", "https://portal.gov.vn:" + port)))
          .as(port).isInstanceOf(ConfigException.class)
          .hasMessageContaining("security.cors.allowed-origins='https://portal.gov.vn:" + port + "'")
          .hasMessageContaining("port 1..65535");
    }
  }

  private static SecurityConfig from(Map<String, String> env) {
    return SecurityConfig.from(Settings.load(env));
  }
}
