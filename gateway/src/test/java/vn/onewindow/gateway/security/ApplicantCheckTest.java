package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Security.checkApplicant as the submit handler will call it, on a real routing context. */
class ApplicantCheckTest {
  private static Vertx vertx;
  private static WebClient client;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.get("/check").handler(ctx -> {
      String token = ctx.request().getParam("token");
      if (token != null) {
        ctx.put(Security.CITIZEN_KEY, token);
      }
      ctx.response().end(Security.checkApplicant(ctx, ctx.request().getParam("body"))
          .map(f -> f.status() + " " + f.type() + " " + f.getMessage()).orElse("ok"));
    });
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.actualPort()));
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void shouldRefuseOnlyADifferentCitizenWith403() {
    assertThat(check("001203004567", "001203004567")).isEqualTo("ok");
    assertThat(check(null, "001203004567")).isEqualTo("ok");
    assertThat(check("001203004567", null)).isEqualTo("ok");
    assertThat(check("001203004567", "")).isEqualTo("ok");
    assertThat(check("001203004567", "001203004568")).startsWith("403 applicant-mismatch ")
        .doesNotContain("001203004567").doesNotContain("001203004568");
  }

  private static String check(String tokenCitizen, String bodyCitizen) {
    var request = client.get("/check");
    if (tokenCitizen != null) {
      request.addQueryParam("token", tokenCitizen);
    }
    if (bodyCitizen != null) {
      request.addQueryParam("body", bodyCitizen);
    }
    return request.send().await().bodyAsString();
  }
}
