package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.testing.TestServers;

/**
 * postgres.url read as libpq reads it, by both the pools and the migrations' JDBC connection. A schema in the URL:
 * the JDBC URL dropped it, so Flyway migrated into public while the pools queried the named schema, and Vert.x's
 * parser replaced its default startup properties (client_encoding, DateStyle, extra_float_digits, application_name)
 * with it. An IPv6 host made the JDBC URL {@code jdbc:postgresql://::1:5432/hub}. A parameter neither side reads was
 * dropped without a word; it is refused at start by name.
 */
class PostgresUrlTest {
  private static final String SCHEMA = "hub_tenant";

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** Vert.x's spelling (search_path=) and libpq's (options=-c search_path=, which libpq needs URL-encoded). */
  @ParameterizedTest
  @ValueSource(strings = {"search_path=" + SCHEMA, "options=-c%20search_path%3D" + SCHEMA})
  void shouldMigrateAndQueryInTheSchemaTheUrlNames(String parameter) {
    String database = TestServers.get().newDatabase();
    TestServers.execute(database, "CREATE SCHEMA " + SCHEMA);
    String url = database + "?" + parameter;

    Migrations.apply(PostgresConfig.of(url));
    Pool pool = PostgresClients.pool(vertx, PostgresConfig.of(url), "schema-test");
    pool.query("CREATE TABLE pool_probe (x int)").execute().await();
    Row row = pool.query("SELECT current_schema(), current_setting('extra_float_digits'), "
        + "current_setting('application_name'), current_setting('DateStyle'), current_setting('client_encoding'), "
        + "(SELECT count(*) FROM schema_compatibility)").execute().await().iterator().next();
    pool.close().await();

    assertThat(row.getString(0)).as("the pools' schema").isEqualTo(SCHEMA);
    assertThat(row.getString(1)).as("Vert.x's default extra_float_digits kept").isEqualTo("2");
    assertThat(row.getString(2)).as("Vert.x's default application_name kept").isEqualTo("vertx-pg-client");
    assertThat(row.getString(3)).startsWith("ISO");
    assertThat(row.getString(4)).isEqualTo("UTF8");
    assertThat(row.getLong(5)).as("the migrated table, read by a pool").isEqualTo(1);
    assertThat(TestServers.queryLong(database, "SELECT count(*) FROM information_schema.tables "
        + "WHERE table_schema = '" + SCHEMA + "' AND table_name IN ('flyway_schema_history', 'schema_compatibility', "
        + "'pool_probe')")).as("migrations, their history and the pool's table in the schema").isEqualTo(3);
    assertThat(TestServers.queryLong(database, "SELECT count(*) FROM information_schema.tables "
        + "WHERE table_schema = 'public'")).as("nothing in public").isZero();
  }

  @Test
  void shouldKeepVertxDefaultPropertiesAndTakeTheUrlsApplicationName() {
    PostgresUrl url = PostgresUrl.parse("postgresql://hub@db:5432/hub?search_path=a,b&application_name=hub-gw");

    assertThat(url.connectOptions().getProperties()).containsEntry("search_path", "a,b")
        .containsEntry("application_name", "hub-gw").containsEntry("client_encoding", "utf8")
        .containsEntry("DateStyle", "ISO").containsEntry("extra_float_digits", "2");
    assertThat(url.jdbc().url()).isEqualTo("jdbc:postgresql://db:5432/hub?currentSchema=a%2Cb&ApplicationName=hub-gw");
  }

  @Test
  void shouldBracketAnIpv6HostInTheJdbcUrl() {
    assertThat(PostgresClients.jdbc(PostgresConfig.of("postgresql://hub:pw@[::1]:5432/hub")).url())
        .isEqualTo("jdbc:postgresql://[0:0:0:0:0:0:0:1]:5432/hub");
    assertThat(PostgresClients.jdbc(PostgresConfig.of("postgresql://hub@[fd00:0:0:1::6]/hub?sslmode=require")).url())
        .startsWith("jdbc:postgresql://[fd00:0:0:1:0:0:0:6]:5432/hub?sslmode=require&");
  }

  @Test
  void shouldRefuseAParameterTheHubDoesNotHonourByName() {
    assertThatThrownBy(() -> PostgresConfig.from(Settings.of(Map.of("postgres.url",
        "postgresql://hub:S3cretPass@db:5432/hub?connect_timeout=10"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("postgres.url").hasMessageContaining("connect_timeout")
        .hasMessageContaining("search_path").hasMessageNotContaining("S3cretPass");
    assertThatThrownBy(() -> PostgresConfig.from(Settings.of(Map.of("postgres.read-url",
        "postgresql://hub@replica:5432/hub?target_session_attrs=read-only"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("postgres.read-url").hasMessageContaining("target_session_attrs");
  }

  @Test
  void shouldRefuseAnUnreadableUrlWithoutItsPassword() {
    assertThatThrownBy(() -> PostgresConfig.from(Settings.of(Map.of("postgres.url",
        "postgresql://hub:S3cretPass@db:5432/hub/extra"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("postgres.url").hasMessageNotContaining("S3cretPass");
  }
}
