package vn.onewindow.common.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import vn.onewindow.common.http.Loopback;

/**
 * Frontend authentication, citizen identity, TLS, browser hygiene and the proxies trusted to name a caller's address
 * (config/security.properties). Validated when
 * built: a half-configured token verifier or a TLS switch without its files stops the process at start-up, naming the
 * key, instead of failing on the first request.
 */
public record SecurityConfig(
    boolean requireApiKey,
    String clientsFile,
    boolean developmentClients,
    CitizenToken citizenToken,
    Jwt jwt,
    Tls tls,
    List<String> corsAllowedOrigins,
    int maxHeaderCount,
    int maxHeaderBytes,
    int maxInitialLineBytes,
    Duration idleTimeout,
    int http2MaxConcurrentStreams,
    Duration requestTimeout,
    TrustedProxies trustedProxies,
    int maxConnections) {

  /** Signature algorithms a citizen token may use; symmetric (HS*) and "none" are never accepted. */
  public static final Set<String> SUPPORTED_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "ES256", "ES384");
  private static final Pattern ORIGIN = Pattern.compile("(https?)://([a-z0-9.-]+)(?::(\\d{1,5}))?",
      Pattern.CASE_INSENSITIVE);

  /** Whether a bearer token identifying the citizen is ignored, checked when present, or demanded. */
  public enum CitizenToken { OFF, OPTIONAL, REQUIRED }

  /**
   * How citizen tokens (JWT from the national sign-in) are verified. {@code jwks} is an https URL or a file path of a
   * JWK Set; {@code publicKeyFiles} are PEM public keys or certificates. Both may be given. {@code maxLifetime} bounds
   * exp - iat (zero: not bounded).
   */
  public record Jwt(String issuer, List<String> audiences, String jwks, List<String> publicKeyFiles,
                    Set<String> algorithms, Duration clockSkew, String citizenClaim, Duration maxLifetime) {

    /** True when enough is configured to verify a token: an issuer, an audience and at least one key source. */
    public boolean configured() {
      return !issuer.isEmpty() && !audiences.isEmpty() && (!jwks.isEmpty() || !publicKeyFiles.isEmpty());
    }

    public boolean jwksIsUrl() {
      return jwks.startsWith("https://") || jwks.startsWith("http://");
    }
  }

  /** HTTPS with a PEM certificate chain and private key; HTTP/2 is negotiated by ALPN when enabled. */
  public record Tls(boolean enabled, String certFile, String keyFile, Duration hstsMaxAge) {
  }

  public static SecurityConfig from(Settings s) {
    CitizenToken mode = s.oneOf("security.citizen-token", CitizenToken.class);
    Jwt jwt = jwt(s);
    boolean anyJwt = !jwt.issuer().isEmpty() || !jwt.audiences().isEmpty() || !jwt.jwks().isEmpty()
        || !jwt.publicKeyFiles().isEmpty();
    if (anyJwt && !jwt.configured()) {
      java.util.List<String> missing = new java.util.ArrayList<>();
      if (jwt.issuer().isEmpty()) {
        missing.add("security.jwt.issuer (env " + Settings.envName("security.jwt.issuer") + ")");
      }
      if (jwt.audiences().isEmpty()) {
        missing.add("security.jwt.audience (env " + Settings.envName("security.jwt.audience") + ")");
      }
      if (jwt.jwks().isEmpty() && jwt.publicKeyFiles().isEmpty()) {
        missing.add("security.jwt.jwks or security.jwt.public-keys (env " + Settings.envName("security.jwt.jwks")
            + ", " + Settings.envName("security.jwt.public-keys") + ")");
      }
      throw new ConfigException("citizen token verification is half-configured: security.jwt.issuer, "
          + "security.jwt.audience and one of security.jwt.jwks / security.jwt.public-keys must all be set; missing: "
          + String.join(", ", missing));
    }
    if (mode == CitizenToken.REQUIRED && !jwt.configured()) {
      throw s.invalid("security.citizen-token", "required",
          "needs security.jwt.issuer, security.jwt.audience and security.jwt.jwks or security.jwt.public-keys");
    }
    return new SecurityConfig(
        s.bool("security.require-api-key"),
        s.nonBlank("security.clients-file"),
        s.bool("security.development-clients"),
        mode,
        jwt,
        tls(s),
        origins(s),
        s.intIn("security.max-header-count", 8, 1000),
        s.intIn("security.max-header-bytes", 1024, 1024 * 1024),
        s.intIn("security.max-initial-line-bytes", 256, 64 * 1024),
        Duration.ofSeconds(s.intIn("security.idle-timeout-seconds", 1, 3600)),
        s.intIn("security.http2-max-concurrent-streams", 1, 10_000),
        s.millis("security.request-timeout-ms", 100, 600_000),
        TrustedProxies.from(s),
        s.intIn("security.max-connections", 0, 10_000_000));
  }

  /** The same, with development clients accepted (a hub that starts its own servers is a local run). */
  public SecurityConfig withDevelopmentClients() {
    return new SecurityConfig(requireApiKey, clientsFile, true, citizenToken, jwt, tls, corsAllowedOrigins,
        maxHeaderCount, maxHeaderBytes, maxInitialLineBytes, idleTimeout, http2MaxConcurrentStreams, requestTimeout,
        trustedProxies, maxConnections);
  }

  /** Largest header block the HTTP codec reads at all; between the two limits the edge answers a 431 problem. */
  public int codecMaxHeaderBytes() {
    return maxHeaderBytes * 2;
  }

  /**
   * Longest request line the HTTP codec reads at all; between the two limits the edge answers the 414 problem, with
   * the request's headers read (an allowed page's Origin among them: the page can read it).
   */
  public int codecMaxInitialLineBytes() {
    return maxInitialLineBytes * 2;
  }

  private static Jwt jwt(Settings s) {
    String jwks = s.string("security.jwt.jwks");
    if (jwks.startsWith("http://") && !isLoopback(jwks)) {
      throw s.invalid("security.jwt.jwks", jwks, "must be an https URL (plain http only for a loopback address)");
    }
    if (!jwks.isEmpty() && !jwks.startsWith("https://") && !jwks.startsWith("http://")) {
      requireReadable(s, "security.jwt.jwks", jwks);
    }
    List<String> keys = list(s.string("security.jwt.public-keys"));
    for (String key : keys) {
      requireReadable(s, "security.jwt.public-keys", key);
    }
    Set<String> algorithms = new LinkedHashSet<>();
    for (String alg : list(s.string("security.jwt.algorithms"))) {
      if (!SUPPORTED_ALGORITHMS.contains(alg)) {
        throw s.invalid("security.jwt.algorithms", s.string("security.jwt.algorithms"),
            "may only list " + new java.util.TreeSet<>(SUPPORTED_ALGORITHMS));
      }
      algorithms.add(alg);
    }
    if (algorithms.isEmpty()) {
      throw s.invalid("security.jwt.algorithms", "", "must list at least one algorithm");
    }
    String claim = s.nonBlank("security.jwt.citizen-claim");
    return new Jwt(s.string("security.jwt.issuer"), list(s.string("security.jwt.audience")), jwks, keys,
        Set.copyOf(algorithms), Duration.ofSeconds(s.intIn("security.jwt.clock-skew-seconds", 0, 300)), claim,
        maxLifetime(s));
  }

  /**
   * Zero, or at least a minute (shorter would refuse tokens within the clock skew of their issue) and at most 30 days:
   * a bound of months is no bound on a stolen token.
   */
  private static Duration maxLifetime(Settings s) {
    String key = "security.jwt.max-lifetime-seconds";
    String why = "must be 0 (not bounded) or an integer in 60..2592000";
    try {
      long seconds = Long.parseLong(s.string(key));
      if (seconds == 0 || seconds >= 60 && seconds <= 2_592_000) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // the same refusal as a number out of range
    }
    throw s.invalid(key, s.string(key), why);
  }

  private static Tls tls(Settings s) {
    boolean enabled = s.bool("security.tls.enabled");
    String cert = s.string("security.tls.cert-file");
    String key = s.string("security.tls.key-file");
    if (enabled) {
      requireReadable(s, "security.tls.cert-file", cert);
      requireReadable(s, "security.tls.key-file", key);
      TlsFiles.check(s, cert, key);
    }
    return new Tls(enabled, cert, key, Duration.ofSeconds(s.longIn("security.hsts-max-age-seconds", 0, 63_072_000)));
  }

  /**
   * The allowed origins as a browser writes its Origin header (RFC 6454 6.1): scheme and host in lower case, no
   * default port (443 for https, 80 for http), the port without leading zeros. The origin check compares the header
   * as sent, so "https://dichvucong.gov.vn:443" started fine and then refused every call from that site (a frontend
   * tryout). Duplicates so written are listed once: CorsHandler would count them as two origins.
   */
  private static List<String> origins(Settings s) {
    Set<String> origins = new LinkedHashSet<>();
    for (String origin : list(s.string("security.cors.allowed-origins"))) {
      Matcher parts = ORIGIN.matcher(origin);
      boolean matches = parts.matches();
      int port = matches && parts.group(3) != null ? Integer.parseInt(parts.group(3)) : -1;
      if (!matches || port == 0 || port > 65_535) {
        throw s.invalid("security.cors.allowed-origins", origin, "must be origins like https://dichvucong.gov.vn "
            + "(scheme, host, optional port 1..65535; no path, no wildcard)");
      }
      String scheme = parts.group(1).toLowerCase(Locale.ROOT);
      boolean defaultPort = port == (scheme.equals("https") ? 443 : 80);
      origins.add(scheme + "://" + parts.group(2).toLowerCase(Locale.ROOT)
          + (port < 0 || defaultPort ? "" : ":" + port));
    }
    return List.copyOf(origins);
  }

  private static void requireReadable(Settings s, String key, String file) {
    if (file.isEmpty() || !Files.isRegularFile(Path.of(file)) || !Files.isReadable(Path.of(file))) {
      throw s.invalid(key, file, "must name a readable file");
    }
  }

  private static boolean isLoopback(String url) {
    try {
      return Loopback.isHost(URI.create(url).getHost());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static List<String> list(String raw) {
    return Arrays.stream(raw.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
  }
}
