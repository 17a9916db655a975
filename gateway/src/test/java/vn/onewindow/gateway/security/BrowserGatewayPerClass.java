package vn.onewindow.gateway.security;

import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * One real gateway per class for what a browser and a hostile connection meet ({@link BrowserHygieneTest},
 * {@link BrowserCorsTest}): two allowed page origins, a short request deadline and an 8 KiB body limit; {@link #bare}
 * sends only the headers a test gives, {@link #hostile} breaks the contract on purpose.
 */
abstract class BrowserGatewayPerClass extends OneGatewayPerClass {
  protected static final String PORTAL = "https://dichvucong.test.gov.vn";
  protected static final String MOBILE_WEB = "https://m.dichvucong.test.gov.vn";
  protected static WebClient bare;
  /** For requests that break the contract on purpose: only the answers are checked. */
  protected static WebClient hostile;

  @BeforeAll
  static void startBrowserGateway() {
    // A short deadline needs upstream timeouts that fit inside it (HubConfig refuses start-up otherwise).
    gw = new GatewayFixture(Map.of("security.cors.allowed-origins", PORTAL + ", " + MOBILE_WEB,
        "security.request-timeout-ms", "1500", "http.body-limit-bytes", "8192",
        "timeout.redis-enqueue-ms", "500", "timeout.postgres-read-ms", "1000", "timeout.postgres-write-ms", "700",
        "stats.timeout-ms", "1000"));
    bare = SecurityTestSupport.bareClient(gw.vertx, gw.port);
    hostile = SecurityTestSupport.hostileClient(gw.vertx, gw.port);
  }
}
