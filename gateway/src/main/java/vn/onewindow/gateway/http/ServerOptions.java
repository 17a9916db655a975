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
    options.getInitialSettings().setMaxHeaderListSize(security.codecMaxHeaderBytes());
    if (security.tls().enabled()) {
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
