package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.testing.TestServers;

/**
 * An sslmode in postgres.url, as libpq reads it. Vert.x 5.0.10 reads the parameter but has no TLS settings to go with
 * it: every connection failed with a NullPointerException (ClientSSLOptions.copy() on null), whether or not the server
 * offers TLS, so a deployment to a PostgreSQL that requires TLS could not connect at all. The test server offers no
 * TLS: prefer falls back to a plain connection, require refuses to connect (the migrations' JDBC connection too,
 * which dropped the sslmode and migrated in plain text).
 */
class PostgresSslModeTest {
  private Vertx vertx;
  private String url;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    url = TestServers.get().newDatabase();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void shouldFallBackToPlainWhenTlsIsPreferredAndNotOffered() {
    Pool pool = PostgresClients.pool(vertx, PostgresConfig.of(withSslMode("prefer")), "sslmode-test");

    assertThat(pool.query("SELECT 1").execute().await().iterator().next().getInteger(0)).isEqualTo(1);
    pool.close().await();
  }

  @Test
  void shouldRefuseAServerWithoutTlsWhenTlsIsRequired() {
    Pool pool = PostgresClients.pool(vertx, PostgresConfig.of(withSslMode("require")), "sslmode-test");

    Throwable failure = pool.query("SELECT 1").execute().transform(ar -> Future.succeededFuture(ar.cause())).await();

    assertThat(failure).as("no plain connection when TLS is required").isNotNull()
        .isNotInstanceOf(NullPointerException.class);
    assertThat(failure.getMessage()).containsIgnoringCase("ssl");
    pool.close().await();
  }

  @Test
  void shouldNotMigrateOverAPlainConnectionWhenTlsIsRequired() {
    Throwable failure = catchThrowable(() -> Migrations.apply(PostgresConfig.of(withSslMode("require"))));

    assertThat(failure).as("Flyway's JDBC connection under the same sslmode as the pools").isNotNull();
  }

  private String withSslMode(String mode) {
    return url + (url.contains("?") ? "&" : "?") + "sslmode=" + mode;
  }
}
