package vn.onewindow.gateway.http;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.config.HttpConfig;
import vn.onewindow.common.config.SecurityConfig;

/** The listening server: address, TLS with ALPN (h2, http/1.1), header size and line limits, idle timeout. */
public final class ServerOptions {
  /**
   * JSSE lets a client renegotiate a TLS 1.2 connection as often as it likes, each time a signature of the server's key
   * (a denial of service scanners flag); TLS 1.3 has none. Read once by JSSE, at its first server handshake: set before
   * the listener exists, unless the JVM's options chose otherwise.
   */
  private static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

  private ServerOptions() {
  }

  public static HttpServerOptions of(HttpConfig http, SecurityConfig security) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(http.host())
        .setPort(http.port())
        .setCompressionSupported(false)
        .setMaxHeaderSize(security.codecMaxHeaderBytes())
        .setMaxInitialLineLength(security.maxInitialLineBytes())
        .setIdleTimeout((int) security.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    options.getInitialSettings().setMaxHeaderListSize(security.codecMaxHeaderBytes())
        .setMaxConcurrentStreams(security.http2MaxConcurrentStreams());
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
    }
    return options;
  }
}
