package vn.onewindow.common.infra;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.postgresql.ssl.WrappedFactory;

/**
 * The TLS a postgres URL asks for, as libpq reads sslmode, sslrootcert, sslcert and sslkey, built once for both the
 * Vert.x pools and the JDBC connections (Flyway, the compatibility check), so that they trust and present the same
 * certificates. With sslrootcert the server's certificate is checked against that PEM bundle whenever TLS is used
 * (libpq verifies with a root certificate in any mode); without it verify-ca/verify-full check it against the JVM's
 * trust store (-Djavax.net.ssl.trustStore) and allow/prefer/require encrypt without verifying, as libpq does without a
 * root certificate. verify-full checks the host name too. sslcert and sslkey (PEM: the certificate chain, and an
 * unencrypted PKCS-8 key) are the client certificate, given together. Files are read when the URL is parsed, at start:
 * a missing or unreadable one is refused there, named by its parameter, rather than failing every handshake later.
 */
final class PostgresTls {
  /** The file parameters, carried in the JDBC URL to {@link JdbcSocketFactory}. */
  static final List<String> FILES = List.of("sslrootcert", "sslcert", "sslkey");

  private static final Pattern PEM_BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
  /** The key algorithms a PKCS-8 key is tried with (the JDK's KeyFactory needs one named). */
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA", "RSASSA-PSS");
  /** The in-memory key store's password: the key never leaves this process's memory. */
  private static final char[] STORE_PASSWORD = "postgres-tls".toCharArray();

  private final SslMode mode;
  /** Null: the JVM's trust store (verify-*) or none (trust all: allow/prefer/require). */
  private final TrustManagerFactory trust;
  /** Null: no client certificate. */
  private final KeyManagerFactory keys;

  private PostgresTls(SslMode mode, TrustManagerFactory trust, KeyManagerFactory keys) {
    this.mode = mode;
    this.trust = trust;
    this.keys = keys;
  }

  static PostgresTls of(SslMode mode, Map<String, String> parameters) {
    String rootCert = parameters.get("sslrootcert");
    String cert = parameters.get("sslcert");
    String key = parameters.get("sslkey");
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("parameter " + (cert == null ? "sslkey" : "sslcert") + " is given without "
          + (cert == null ? "sslcert" : "sslkey") + ": a client certificate needs both");
    }
    TrustManagerFactory trust = rootCert != null ? rootTrust(rootCert)
        : mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL ? jvmTrust() : null;
    return new PostgresTls(mode, trust, cert != null ? clientKeys(cert, key) : null);
  }

  /** The options with this TLS (none for sslmode disable). */
  PgConnectOptions applyTo(PgConnectOptions connect) {
    if (mode == SslMode.DISABLE) {
      return connect;
    }
    return connect.setSslOptions(clientOptions());
  }

  private ClientSSLOptions clientOptions() {
    ClientSSLOptions options = new ClientSSLOptions()
        .setHostnameVerificationAlgorithm(mode == SslMode.VERIFY_FULL ? "HTTPS" : "");
    if (trust != null) {
      options.setTrustOptions(TrustOptions.wrap(trust));
    } else {
      options.setTrustAll(true);
    }
    if (keys != null) {
      options.setKeyCertOptions(KeyCertOptions.wrap(keys));
    }
    return options;
  }

  private SSLContext sslContext() throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    // no trust: no check of the server's certificate (allow/prefer/require without sslrootcert, as libpq), Netty's
    // trust-all manager, as the pools' setTrustAll
    context.init(keys == null ? null : keys.getKeyManagers(),
        (trust == null ? InsecureTrustManagerFactory.INSTANCE : trust).getTrustManagers(), null);
    return context;
  }

  private static TrustManagerFactory rootTrust(String file) {
    List<Certificate> certificates = certificates("sslrootcert", file);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("root-" + i, certificates.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      return factory;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("parameter sslrootcert: the certificates of " + file + " could not be "
          + "trusted (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static TrustManagerFactory jvmTrust() {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      return factory;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("postgres sslmode verify-*: the JVM's trust store could not be read", e);
    }
  }

  private static KeyManagerFactory clientKeys(String certFile, String keyFile) {
    List<Certificate> chain = certificates("sslcert", certFile);
    PrivateKey key = privateKey(keyFile);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("client", key, STORE_PASSWORD, chain.toArray(new Certificate[0]));
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, STORE_PASSWORD);
      return factory;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("parameters sslcert/sslkey: the key of " + keyFile + " does not go with the "
          + "certificate of " + certFile + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static List<Certificate> certificates(String parameter, String file) {
    byte[] content = read(parameter, file);
    try {
      List<Certificate> certificates = List.copyOf(CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(content)));
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("parameter " + parameter + ": no certificate in " + file);
      }
      return certificates;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("parameter " + parameter + ": " + file + " holds no PEM certificate that "
          + "could be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * An unencrypted PKCS-8 key, in PEM (-----BEGIN PRIVATE KEY-----, OpenSSL 3's default) or DER (pgjdbc's .pk8). The
   * messages name the parameter and file only, never any of the key's bytes.
   */
  private static PrivateKey privateKey(String file) {
    byte[] content = read("sslkey", file);
    byte[] der = content;
    Matcher pem = PEM_BLOCK.matcher(new String(content, StandardCharsets.ISO_8859_1));
    if (pem.find()) {
      if (!pem.group(1).equals("PRIVATE KEY")) {
        throw new IllegalArgumentException("parameter sslkey: " + file + " holds a PEM " + pem.group(1) + "; an "
            + "unencrypted PKCS-8 key (BEGIN PRIVATE KEY) is read: openssl pkcs8 -topk8 -nocrypt -in <key> -out <new>");
      }
      try {
        der = Base64.getMimeDecoder().decode(pem.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("parameter sslkey: " + file + " is not valid PEM");
      }
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException | RuntimeException e) {
        // not this algorithm: the next one
      }
    }
    throw new IllegalArgumentException("parameter sslkey: " + file + " holds no unencrypted PKCS-8 key (PEM BEGIN "
        + "PRIVATE KEY, or DER) of " + String.join("/", KEY_ALGORITHMS));
  }

  private static byte[] read(String parameter, String file) {
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("parameter " + parameter + ": " + file + " cannot be read ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * pgjdbc's socket factory for the JDBC URL {@link PostgresUrl#jdbc} builds: pgjdbc instantiates it with the
   * connection's properties, which carry the URL's sslmode, sslrootcert, sslcert and sslkey, and it is built from them
   * as the pools' TLS is. pgjdbc checks the host name itself under verify-full (MakeSSL).
   */
  public static final class JdbcSocketFactory extends WrappedFactory {
    public JdbcSocketFactory(Properties info) throws GeneralSecurityException {
      Map<String, String> parameters = new HashMap<>();
      for (String file : FILES) {
        if (info.getProperty(file) != null) {
          parameters.put(file, info.getProperty(file));
        }
      }
      SslMode mode = SslMode.of(info.getProperty("sslmode", "prefer"));
      factory = of(mode, parameters).sslContext().getSocketFactory();
    }
  }
}
