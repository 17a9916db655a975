package vn.onewindow.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.config.HttpConfig;
import vn.onewindow.common.config.SecurityConfig;

/**
 * The listening server: address, TLS with ALPN (h2, http/1.1), header size and line limits, idle timeout, HTTP/2
 * stream limit, and the guards every connection gets.
 */
public final class ServerOptions {
  /**
   * JSSE lets a client renegotiate a TLS 1.2 connection as often as it likes, each time a signature of the server's key
   * (a denial of service scanners flag); TLS 1.3 has none. Read once by JSSE, at its first server handshake: set before
   * the listener exists, unless the JVM's options chose otherwise.
   */
  private static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

  /**
   * Mozilla's "intermediate" suites: TLS 1.3's three, and for TLS 1.2 only forward secrecy with an AEAD cipher. JSSE
   * also enables the CBC suites with SHA-1/SHA-2 MACs (padding-oracle attacks, flagged by scanners; a TLS tryout still
   * negotiated them): every client of the last decade offers one of these. The list is given in full because naming
   * any suite replaces JSSE's whole list, TLS 1.3's included.
   */
  private static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");

  private ServerOptions() {
  }

  /**
   * What every connection of a listener gets when it opens: HTTP/1's framing refusals ({@link Http1Framing}) and
   * HTTP/2's stream limit held before the client acknowledges it ({@link Http2StreamLimit}).
   */
  public static Handler<HttpConnection> connectionGuards(SecurityConfig security) {
    return connection -> {
      Http1Framing.install(connection);
      Http2StreamLimit.install(connection, security.http2MaxConcurrentStreams());
    };
  }

  /** The public API's listener: {@link #withoutTls}'s limits, and TLS when it is configured. */
  public static HttpServerOptions of(HttpConfig http, SecurityConfig security) {
    HttpServerOptions options = withoutTls(http, security);
    if (security.tls().enabled()) {
      if (System.getProperty(REJECT_RENEGOTIATION) == null) {
        System.setProperty(REJECT_RENEGOTIATION, "true");
      }
      options.setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions()
              .setCertPath(security.tls().certFile())
              .setKeyPath(security.tls().keyFile()))
          .setUseAlpn(true)
          .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
          .setSslHandshakeTimeout(10)
          .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
      CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    }
    return options;
  }

  /**
   * Address, header and line limits, idle timeout and HTTP/2 stream limit, in plain HTTP: also a worker-only process's
   * management port (health and metrics, scraped in plain HTTP), which had Vert.x's defaults, no idle timeout among
   * them, so a connection that never finished its request head was held for good.
   */
  public static HttpServerOptions withoutTls(HttpConfig http, SecurityConfig security) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(http.host())
        .setPort(http.port())
        .setCompressionSupported(false)
        .setMaxHeaderSize(security.codecMaxHeaderBytes())
        .setMaxInitialLineLength(security.codecMaxInitialLineBytes())
        .setIdleTimeout((int) security.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    options.getInitialSettings().setMaxHeaderListSize(security.codecMaxHeaderBytes())
        .setMaxConcurrentStreams(security.http2MaxConcurrentStreams());
    return options;
  }
}
