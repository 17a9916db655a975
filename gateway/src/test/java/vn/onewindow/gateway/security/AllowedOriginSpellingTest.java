package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.PORTAL_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.post;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;
import static vn.onewindow.gateway.security.SecurityTestSupport.send;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * An allowed origin written with its default port and capitals, as an operator may copy it: a browser sends the same
 * origin in lower case without the port (RFC 6454 6.1), and every call from that site got 403 origin-not-allowed (a
 * frontend tryout with https://dichvucong.gov.vn:443).
 */
class AllowedOriginSpellingTest extends OneGatewayPerClass {
  private static final String AS_CONFIGURED = "https://DichVuCong.test.gov.vn:443";
  private static final String AS_A_BROWSER_SENDS_IT = "https://dichvucong.test.gov.vn";
  private static WebClient bare;
  private static WebClient hostile;

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("security.cors.allowed-origins", AS_CONFIGURED));
    bare = SecurityTestSupport.bareClient(gw.vertx, gw.port);
    hostile = SecurityTestSupport.hostileClient(gw.vertx, gw.port);
  }

  @Test
  void shouldLetABrowserOriginWithoutTheDefaultPortCallWhenTheConfigWroteIt() {
    HttpResponse<Buffer> preflight = send(bare, HttpMethod.OPTIONS, "/v1/dossiers", Map.of("Origin",
        AS_A_BROWSER_SENDS_IT, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers",
        "content-type, x-api-key"), null);
    HttpResponse<Buffer> submit = post(bare, Map.of("Origin", AS_A_BROWSER_SENDS_IT, "X-Api-Key", PORTAL_KEY),
        dossierOf(randomCitizenId()).encode());
    HttpRequest<Buffer> tooManyHeaders = hostile.get("/v1/procedures").putHeader("X-Api-Key", PORTAL_KEY)
        .putHeader("Origin", AS_A_BROWSER_SENDS_IT);
    for (int i = 0; i < 70; i++) {
      tooManyHeaders.putHeader("X-Filler-" + i, "v");
    }
    HttpResponse<Buffer> refusedEarly = tooManyHeaders.send().await();

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo(AS_A_BROWSER_SENDS_IT);
    assertThat(submit.statusCode()).as(submit.bodyAsString()).isEqualTo(202);
    assertThat(submit.getHeader("Access-Control-Allow-Origin")).isEqualTo(AS_A_BROWSER_SENDS_IT);
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
    assertProblem(refusedEarly, 431, "headers-too-large");
    assertThat(refusedEarly.getHeader("Access-Control-Allow-Origin")).isEqualTo(AS_A_BROWSER_SENDS_IT);
  }
}
