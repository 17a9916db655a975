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
    for (String lifetime : new String[] {"-1", "30", "2592001", "1d", ""}) {
      assertThatThrownBy(() -> from(Map.of("HUB_SECURITY_JWT_MAX_LIFETIME_SECONDS", lifetime))).as(lifetime)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("security.jwt.max-lifetime-seconds='" + lifetime + "'")
          .hasMessageContaining("0 (not bounded) or an integer in 60..2592000");
    }
    assertThat(from(Map.of("HUB_SECURITY_JWT_MAX_LIFETIME_SECONDS", "0")).jwt().maxLifetime()).isZero();
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

  private static SecurityConfig from(Map<String, String> env) {
    return SecurityConfig.from(Settings.load(env));
  }
}
