package vn.onewindow.gateway.security;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * One real gateway per class for the tests of who reads what: it verifies the test's own citizen tokens
 * ({@link #TOKENS}); {@link #bare} sends only the headers a test gives; {@link #pool} is on the gateway's database, to
 * write rows as the intake or an operator would.
 */
abstract class ReadersGatewayPerClass extends OneGatewayPerClass {
  protected static final TestTokens TOKENS = new TestTokens();
  protected static WebClient bare;
  protected static Pool pool;

  @BeforeAll
  static void startReadersGateway() throws Exception {
    gw = new GatewayFixture(TOKENS.pemConfig());
    bare = SecurityTestSupport.bareClient(gw.vertx, gw.port);
    pool = PostgresClients.pool(gw.vertx, gw.config.postgres(), "test");
  }

  /** A GET through {@link #bare} with exactly these headers. */
  protected static HttpResponse<Buffer> get(String path, Map<String, String> headers) {
    return SecurityTestSupport.send(bare, HttpMethod.GET, path, headers, null);
  }

  /** Before the gateway's Vert.x closes (OneGatewayPerClass's, which runs after). */
  @AfterAll
  static void closePool() {
    pool.close().await();
  }
}
