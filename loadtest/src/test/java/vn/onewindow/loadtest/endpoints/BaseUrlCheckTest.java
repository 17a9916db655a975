package vn.onewindow.loadtest.endpoints;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import vn.onewindow.loadtest.config.LoadConfig;

/**
 * A --base-url with nothing listening sent the whole profile into refused connections (a 10 s smoke: 252 "no
 * response" and a verdict 21 s later; a soak: its hour) where a wrong --pg-url is refused before any load.
 */
class BaseUrlCheckTest {

  private static LoadConfig external(String baseUrls) {
    Properties p = new Properties();
    p.setProperty("baseUrl", baseUrls);
    return LoadConfig.fromProperties(p);
  }

  @Test
  void aBaseUrlWhereNothingListensIsRefusedBeforeTheLoad() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // any HTTP answer will do (a draining hub says 503): the check is about something listening
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
    });
    server.start();
    try {
      String answering = "http://127.0.0.1:" + server.getAddress().getPort();
      BaseUrlCheck.check(external(answering));
      String silent = "http://127.0.0.1:" + port;
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> BaseUrlCheck.check(external(answering + "," + silent)));
      assertTrue(e.getMessage().contains(silent) && e.getMessage().contains("--base-url")
          && e.getMessage().contains("nothing was sent"), e.getMessage());
    } finally {
      server.stop(0);
    }
  }
}
