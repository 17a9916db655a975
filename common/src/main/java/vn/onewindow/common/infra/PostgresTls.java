package vn.onewindow.common.infra;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.postgresql.ssl.WrappedFactory;

/**
 * The TLS a postgres URL asks for, as libpq reads sslmode, built once for both the Vert.x pools and the JDBC
 * connections (Flyway, the compatibility check), so that they trust the same certificates. Vert.x 5.0.10 reads sslmode
 * without TLS settings to go with it (every connection failed on a NullPointerException, PostgresSslModeTest).
 * verify-ca/verify-full check the server's certificate against the JVM's trust store (-Djavax.net.ssl.trustStore) and
 * allow/prefer/require encrypt without verifying, as libpq does without a root certificate. verify-full checks the
 * host name too.
 */
final class PostgresTls {
  /** The file parameters, carried in the JDBC URL to {@link JdbcSocketFactory}. */
  static final List<String> FILES = List.of();

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
    TrustManagerFactory trust = mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL ? jvmTrust() : null;
    return new PostgresTls(mode, trust, null);
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
    context.init(keys == null ? null : keys.getKeyManagers(),
        trust == null ? new javax.net.ssl.TrustManager[] {TrustAll.INSTANCE} : trust.getTrustManagers(), null);
    return context;
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

  /** No check of the server's certificate: allow/prefer/require without sslrootcert, as libpq. */
  private enum TrustAll implements javax.net.ssl.X509TrustManager {
    INSTANCE;

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
    }

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
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
