package vn.onewindow.gateway.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.SecurityConfig;
import vn.onewindow.common.dossier.CitizenId;

/**
 * Verifies citizen bearer tokens (JWT from the national sign-in, OIDC) with nimbus-jose-jwt: signature against the
 * configured JWK Set and/or PEM keys (only the configured asymmetric algorithms), issuer, audience, exp and nbf
 * within the clock skew, the citizen ID claim, and here the token's lifetime (exp - iat, bounded by
 * security.jwt.max-lifetime-seconds). No cryptography is written here.
 */
final class CitizenTokens {
  /** A compact JWS: three base64url parts. Checked before parsing so junk never reaches the JOSE parser. */
  private static final Pattern COMPACT_JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
  /** Far above a national sign-in token (about 1-2 kB): anything longer is refused before parsing. */
  private static final int MAX_TOKEN_CHARS = 8192;
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private static final String LIFETIME_EXCEEDED = "lifetime (exp - iat) beyond security.jwt.max-lifetime-seconds";
  /**
   * Refusal reasons of nimbus (and of {@link #citizenOf}) that are fixed text. Its other messages may quote the
   * token's own header or claims ("JOSE header typ (type) ... not allowed"), whatever the caller wrote there.
   */
  private static final Set<String> FIXED_REASONS = Set.of("Expired JWT", "JWT before use time",
      "JWT iss claim value rejected", "JWT aud claim rejected", "Signed JWT rejected: Invalid signature",
      "Signed JWT rejected: Another algorithm expected, or no matching key(s) found",
      "Payload of JWS object is not a valid JSON object", "not a compact JWS", "no expiry (exp)",
      "no issue time (iat)", "issued in the future (iat)", LIFETIME_EXCEEDED);
  private static final String MISSING_CLAIMS = "JWT missing required claims: ";

  private final Vertx vertx;
  private final DefaultJWTProcessor<SecurityContext> processor;
  private final boolean remoteKeys;
  private final String claim;
  /** Longest exp - iat accepted, in milliseconds; 0 = not bounded. */
  private final long maxLifetimeMs;
  private final long clockSkewMs;

  private CitizenTokens(Vertx vertx, DefaultJWTProcessor<SecurityContext> processor, boolean remoteKeys,
                        SecurityConfig.Jwt jwt) {
    this.vertx = vertx;
    this.processor = processor;
    this.remoteKeys = remoteKeys;
    this.claim = jwt.citizenClaim();
    this.maxLifetimeMs = jwt.maxLifetime().toMillis();
    this.clockSkewMs = jwt.clockSkew().toMillis();
  }

  /** Blocking (reads key files): call at start-up. The JWK Set URL itself is fetched lazily and cached. */
  static CitizenTokens create(Vertx vertx, SecurityConfig.Jwt jwt) {
    Set<JWSAlgorithm> algorithms = jwt.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
    JWSKeySelector<SecurityContext> fromJwks = jwt.jwks().isEmpty() ? null
        : new JWSVerificationKeySelector<>(algorithms, jwkSource(jwt));
    List<PublicKey> pemKeys = new ArrayList<>();
    for (String file : jwt.publicKeyFiles()) {
      pemKeys.addAll(readPem(file));
    }

    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    processor.setJWSKeySelector(new KeySelector(algorithms, fromJwks, List.copyOf(pemKeys)));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        Set.copyOf(jwt.audiences()),
        new JWTClaimsSet.Builder().issuer(jwt.issuer()).build(),
        Set.of("exp", jwt.citizenClaim()),
        Set.of());
    claims.setMaxClockSkew((int) jwt.clockSkew().toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
    return new CitizenTokens(vertx, processor, jwt.jwksIsUrl(), jwt);
  }

  /** The verified citizen ID, or a failed future whose message says why (for logs, never for the caller). */
  Future<String> verify(String token) {
    if (token.length() > MAX_TOKEN_CHARS || !COMPACT_JWS.matcher(token).matches()) {
      return Future.failedFuture(new BadJWTException("not a compact JWS"));
    }
    if (remoteKeys) {
      // A JWK Set cache miss is a blocking HTTP fetch: keep it off the event loop.
      return vertx.executeBlocking(() -> citizenOf(token), false);
    }
    try {
      return Future.succeededFuture(citizenOf(token));
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private String citizenOf(String token) throws Exception {
    JWTClaimsSet claims = processor.process(token, null);
    if (claims.getExpirationTime() == null) {
      // "exp": null passes nimbus's required-claims check (the name is there) and its expiry check (no date)
      throw new BadJWTException("no expiry (exp)");
    }
    if (maxLifetimeMs > 0) {
      checkLifetime(claims);
    }
    Object value = claims.getClaim(claim);
    if (!(value instanceof String citizen) || !CitizenId.isWellFormed(citizen)) {
      throw new BadJWTException("claim " + claim + " is not a 12-digit citizen ID");
    }
    return citizen;
  }

  /**
   * exp - iat within the configured maximum, and iat not ahead of the hub's clock by more than the skew: a token
   * dated years ahead would otherwise carry a short exp - iat and stay valid for those years. Like a null exp, a null
   * iat passes nimbus's checks, so it is looked at here, not made a required claim.
   */
  private void checkLifetime(JWTClaimsSet claims) throws ParseException, BadJWTException {
    Date issued = claims.getDateClaim("iat");
    if (issued == null) {
      throw new BadJWTException("no issue time (iat)");
    }
    if (issued.getTime() > System.currentTimeMillis() + clockSkewMs) {
      throw new BadJWTException("issued in the future (iat)");
    }
    // exp - max, not exp - iat: exp passed nimbus's check (now or later) and max is at most 30 days, so this cannot
    // overflow, while an iat near Long.MIN_VALUE ms made exp - iat wrap negative and a ten-year token pass
    if (claims.getExpirationTime().getTime() - maxLifetimeMs > issued.getTime()) {
      throw new BadJWTException(LIFETIME_EXCEEDED);
    }
  }

  /** Why {@link #verify} refused a token, for a log line: a fixed reason, or only the failure's class. */
  static String reasonOf(Throwable failure) {
    String message = failure.getMessage();
    if (message != null && (FIXED_REASONS.contains(message) || message.startsWith(MISSING_CLAIMS)
        || message.startsWith("claim ") && message.endsWith(" is not a 12-digit citizen ID"))) {
      return message;
    }
    return "refused (" + failure.getClass().getSimpleName() + ")";
  }

  static JWKSource<SecurityContext> jwkSource(SecurityConfig.Jwt jwt) {
    if (jwt.jwksIsUrl()) {
      try {
        URL url = URI.create(jwt.jwks()).toURL();
        // Defaults kept: 5 min cache, refetch on an unknown kid at most every 30 s (a flood of random kids cannot
        // turn into a flood of fetches); 2 s timeouts and a 256 KiB cap on the document.
        return JWKSourceBuilder.<SecurityContext>create(url, new DefaultResourceRetriever(2000, 2000, 256 * 1024))
            .retrying(true)
            .build();
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException("security.jwt.jwks='" + jwt.jwks() + "' is not a usable URL: " + e.getMessage());
      }
    }
    JWKSet keys;
    try {
      keys = JWKSet.load(Path.of(jwt.jwks()).toFile()).toPublicJWKSet();
    } catch (IOException | ParseException e) {
      throw new ConfigException("security.jwt.jwks='" + jwt.jwks() + "' is not a readable JWK Set: " + e.getMessage());
    }
    if (keys.isEmpty()) {
      // empty, or symmetric keys only (dropped above): every token would be refused, every citizen with tokens required
      throw new ConfigException("security.jwt.jwks='" + jwt.jwks() + "' holds no public key (RSA or EC): no citizen "
          + "token could be verified");
    }
    return new ImmutableJWKSet<>(keys);
  }

  /** PEM "PUBLIC KEY" (X.509 SubjectPublicKeyInfo, RSA or EC) and "CERTIFICATE" blocks of one file. */
  static List<PublicKey> readPem(String file) {
    String text;
    try {
      text = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException("security.jwt.public-keys: cannot read '" + file + "': " + e.getMessage());
    }
    List<PublicKey> keys = new ArrayList<>();
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2));
      } catch (IllegalArgumentException e) {
        // a block cut short: the decoder's words alone named neither the setting nor the file
        throw new ConfigException("security.jwt.public-keys: '" + file + "' holds a " + m.group(1)
            + " block that is not valid base64 (" + e.getMessage() + ")");
      }
      keys.add(switch (m.group(1)) {
        case "PUBLIC KEY" -> publicKey(der, file);
        case "CERTIFICATE" -> certificateKey(der, file);
        default -> throw new ConfigException("security.jwt.public-keys: '" + file + "' holds a " + m.group(1)
            + "; give PEM 'PUBLIC KEY' or 'CERTIFICATE' blocks (openssl pkey -pubout converts)");
      });
    }
    if (keys.isEmpty()) {
      throw new ConfigException("security.jwt.public-keys: '" + file + "' holds no PEM public key or certificate");
    }
    return keys;
  }

  private static PublicKey publicKey(byte[] der, String file) {
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
        // try the next key type
      }
    }
    throw new ConfigException("security.jwt.public-keys: '" + file + "' holds a public key that is neither RSA nor EC");
  }

  private static PublicKey certificateKey(byte[] der, String file) {
    try {
      return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
    } catch (CertificateException e) {
      throw new ConfigException("security.jwt.public-keys: '" + file + "' holds an unreadable certificate: "
          + e.getMessage());
    }
  }

  /**
   * Keys for one token: those of the JWK Set matching its header (kid, key type, algorithm), plus the configured PEM
   * keys of the algorithm's key type (PEM keys have no kid, so the token's kid cannot select among them).
   */
  private record KeySelector(Set<JWSAlgorithm> algorithms, JWSKeySelector<SecurityContext> jwks,
                             List<PublicKey> pemKeys) implements JWSKeySelector<SecurityContext> {
    @Override
    public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
      if (!algorithms.contains(header.getAlgorithm())) {
        return List.of();
      }
      List<Key> keys = new ArrayList<>();
      if (jwks != null) {
        keys.addAll(jwks.selectJWSKeys(header, context));
      }
      String keyType = JWSAlgorithm.Family.EC.contains(header.getAlgorithm()) ? "EC" : "RSA";
      for (PublicKey key : pemKeys) {
        if (key.getAlgorithm().equals(keyType)) {
          keys.add(key);
        }
      }
      return keys;
    }
  }
}
