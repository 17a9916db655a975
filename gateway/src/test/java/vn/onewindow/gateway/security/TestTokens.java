package vn.onewindow.gateway.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The test's own national sign-in: fresh RSA and EC key pairs, their public keys as PEM / JWK Set, and tokens. */
final class TestTokens {
  static final String ISSUER = "https://sso.test.dichvucong.gov.vn";
  static final String AUDIENCE = "onewindow-hub";

  final RSAKey rsa;
  final ECKey ec;
  /** Same kid as {@link #rsa}, different key: what a forger would sign with. */
  final RSAKey forger;

  TestTokens() {
    try {
      rsa = new RSAKeyGenerator(2048).keyID("sso-rsa-1").generate();
      ec = new ECKeyGenerator(Curve.P_256).keyID("sso-ec-1").generate();
      forger = new RSAKeyGenerator(2048).keyID("sso-rsa-1").generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM file with both public keys (SubjectPublicKeyInfo). */
  Path pemFile() throws JOSEException {
    return SecurityTestSupport.tempFile("sso-keys", ".pem", pem(rsa.toPublicKey()) + pem(ec.toPublicKey()));
  }

  String jwks() {
    return new JWKSet(List.<JWK>of(rsa.toPublicJWK(), ec.toPublicJWK())).toString();
  }

  Map<String, String> pemConfig() throws JOSEException {
    return Map.of("security.jwt.issuer", ISSUER, "security.jwt.audience", AUDIENCE,
        "security.jwt.public-keys", pemFile().toString(), "security.jwt.clock-skew-seconds", "30");
  }

  String rs256(String citizenId) {
    return sign(rsa, JWSAlgorithm.RS256, claims(citizenId).build());
  }

  String es256(String citizenId) {
    return sign(ec, JWSAlgorithm.ES256, claims(citizenId).build());
  }

  String rs256(String citizenId, UnaryOperator<JWTClaimsSet.Builder> change) {
    return sign(rsa, JWSAlgorithm.RS256, change.apply(claims(citizenId)).build());
  }

  String forged(String citizenId) {
    return sign(forger, JWSAlgorithm.RS256, claims(citizenId).build());
  }

  /** RS256 over a payload written as it is ({@code "exp": null}: what the claims builder cannot write). */
  String rs256Payload(String json) {
    return signRaw(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), json);
  }

  /** RS256 with a header {@code typ} of the caller's choosing, over valid claims. */
  String rs256Typed(String citizenId, String type) {
    return signRaw(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).type(new JOSEObjectType(type))
        .build(), claims(citizenId).build().toString());
  }

  private String signRaw(JWSHeader header, String json) {
    try {
      JWSObject jws = new JWSObject(header, new Payload(json));
      jws.sign(new RSASSASigner(rsa));
      return jws.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** alg=none: an unsigned token. */
  String unsigned(String citizenId) {
    return new PlainJWT(claims(citizenId).build()).serialize();
  }

  /** HS256 keyed with the public RSA key: the classic algorithm-confusion forgery. */
  String hmacWithPublicKey(String citizenId) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsa.getKeyID()).build(),
          claims(citizenId).build());
      jwt.sign(new MACSigner(rsa.toPublicKey().getEncoded()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static JWTClaimsSet.Builder claims(String citizenId) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("citizen-" + citizenId.hashCode())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
        .claim("citizen_id", citizenId);
  }

  static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
    try {
      JWSSigner signer = key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key);
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }
}
