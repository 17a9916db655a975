package vn.onewindow.common.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.impl.KeyStoreHelper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * The gateway's certificate chain and key, read when the configuration is, by the loader Vert.x's server uses
 * ({@code PemKeyCertOptions}): a file holding no PEM, an encrypted key, a key that is not the certificate's or a
 * certificate out of its validity stops the start on one line naming the setting and the file, before any server
 * starts. Vert.x itself found the first two only at the listen, as a bare "Missing -----BEGIN ... delimiter", and the
 * last two never: that hub said ready and failed every handshake.
 */
final class TlsFiles {
  /** How far in the future a certificate's notBefore may lie (a CA's clock ahead of this host's). */
  private static final long NOT_BEFORE_SKEW_MS = 5 * 60_000L;
  private static final String CERT = "security.tls.cert-file";
  private static final String KEY = "security.tls.key-file";

  private TlsFiles() {
  }

  static void check(Settings s, String certFile, String keyFile) {
    byte[] certPem = read(s, CERT, certFile);
    byte[] keyPem = read(s, KEY, keyFile);
    X509Certificate leaf = leaf(s, certFile, certPem);
    PrivateKey key = privateKey(s, keyFile, keyPem, certPem);
    if (!belongTogether(key, leaf.getPublicKey())) {
      throw s.invalid(KEY, keyFile, "does not match the certificate of " + CERT + "='" + certFile
          + "' (the key of another certificate; the certificate must come first in its file)");
    }
    long now = System.currentTimeMillis();
    if (leaf.getNotAfter().getTime() < now) {
      throw s.invalid(CERT, certFile, "holds a certificate that expired on " + leaf.getNotAfter().toInstant());
    }
    // a CA whose clock runs ahead of this host's issues certificates valid from a moment "in the future": clients with
    // the CA's time accept them, and refusing the start over minutes of skew would take the gateway down for nothing
    if (leaf.getNotBefore().getTime() > now + NOT_BEFORE_SKEW_MS) {
      throw s.invalid(CERT, certFile, "holds a certificate not valid before " + leaf.getNotBefore().toInstant());
    }
  }

  private static byte[] read(Settings s, String setting, String file) {
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      throw s.invalid(setting, file, "could not be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The first certificate of the chain: the gateway's own. */
  private static X509Certificate leaf(Settings s, String file, byte[] pem) {
    String why = "must hold a PEM certificate chain (-----BEGIN CERTIFICATE-----), the gateway's certificate first";
    if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw s.invalid(CERT, file, why);
    }
    try {
      Collection<? extends java.security.cert.Certificate> chain =
          CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
      if (chain.isEmpty()) {
        throw s.invalid(CERT, file, why);
      }
      return (X509Certificate) chain.iterator().next();
    } catch (GeneralSecurityException e) {
      throw s.invalid(CERT, file, "holds a certificate that could not be read (" + e.getMessage() + ")");
    }
  }

  private static PrivateKey privateKey(Settings s, String file, byte[] keyPem, byte[] certPem) {
    String text = new String(keyPem, StandardCharsets.US_ASCII);
    if (text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED")) {
      throw s.invalid(KEY, file, "is encrypted, which the gateway cannot read: give it the key without a passphrase "
          + "(openssl pkey -in encrypted.key -out key.pem), a file only the hub's user may read");
    }
    try {
      KeyStore store = KeyStoreHelper.loadKeyCert(List.of(Buffer.buffer(keyPem)), List.of(Buffer.buffer(certPem)));
      String alias = store.aliases().nextElement();
      return (PrivateKey) store.getKey(alias, KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
    } catch (Exception e) {
      throw s.invalid(KEY, file, "must hold an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----, "
          + "-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----) that could be read ("
          + e.getMessage() + ")");
    }
  }

  /** Signs a random message with the key and verifies it with the certificate's public key. */
  private static boolean belongTogether(PrivateKey key, PublicKey certified) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
      default -> null;
    };
    if (algorithm == null) {
      return key.getAlgorithm().equals(certified.getAlgorithm()); // no signature to try: the kinds at least agree
    }
    try {
      byte[] message = new byte[32];
      new SecureRandom().nextBytes(message);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // a key of another kind than the certificate's (an EC key for an RSA certificate)
    }
  }
}
