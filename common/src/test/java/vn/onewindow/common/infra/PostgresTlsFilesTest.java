package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.testing.TestServers;

/**
 * sslrootcert, sslcert and sslkey in postgres.url, as libpq reads them, against a PostgreSQL started here with TLS on
 * (a CA, server and client certificates made by openssl) that admits the user {@code certuser} only with a client
 * certificate its CA signed ({@code hostssl ... cert}). Vert.x and the JDBC URL ignored all three: verify-ca and
 * verify-full trusted the JVM's trust store only, and no client certificate was sent, so a URL written for a managed
 * PostgreSQL with its CA bundle failed every handshake with no hint. A file that cannot be read is refused at start,
 * named by its parameter.
 */
class PostgresTlsFilesTest {
  @TempDir
  static Path dir;
  private static EmbeddedPostgres server;
  private static Path ca;
  private static Path clientCert;
  private static Path clientKey;

  private Vertx vertx;

  @BeforeAll
  static void startServer() throws Exception {
    ca = certificateAuthority("ca");
    Path otherCa = certificateAuthority("other-ca");
    Path serverCert = signed("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1");
    clientCert = signed("client", "certuser", null);
    clientKey = dir.resolve("client.key");
    for (Path key : List.of(dir.resolve("server.key"), clientKey, dir.resolve("ca.key"), dir.resolve("other-ca.key"))) {
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }
    assertThat(otherCa).exists();
    Path hba = Files.writeString(dir.resolve("pg_hba.conf"), String.join("\n",
        "local all all trust",
        "hostssl all certuser 127.0.0.1/32 cert",
        "hostssl all certuser ::1/128 cert",
        "hostssl all tlsuser 127.0.0.1/32 trust",
        "hostssl all tlsuser 127.0.0.2/32 trust",
        "host all postgres 127.0.0.1/32 trust",
        "host all postgres ::1/128 trust",
        ""));
    server = EmbeddedPostgres.builder()
        .setDataDirectory(dir.resolve("data"))
        .setCleanDataDirectory(true)
        .setPort(TestServers.freePort())
        .setServerConfig("listen_addresses", "127.0.0.1,127.0.0.2,::1")
        .setServerConfig("ssl", "on")
        .setServerConfig("ssl_cert_file", serverCert.toString())
        .setServerConfig("ssl_key_file", dir.resolve("server.key").toString())
        .setServerConfig("ssl_ca_file", ca.toString())
        .setServerConfig("hba_file", hba.toString())
        .setRegisterShutdownHook(false)
        .start();
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      // the migrations create the runtime role (V2)
      s.execute("CREATE ROLE certuser LOGIN SUPERUSER");
      s.execute("CREATE DATABASE certdb OWNER certuser");
      s.execute("CREATE ROLE tlsuser LOGIN");
    }
  }

  @AfterAll
  static void stopServer() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void shouldVerifyTheServerAndPresentTheClientCertificateOnBothClients() {
    String url = url("127.0.0.1", "verify-full", ca);

    assertPoolConnectsWithClientCertificate(url);
    Migrations.apply(PostgresConfig.of(url));
    assertThat(count(url, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_compatibility'"))
        .as("Flyway's JDBC connection migrated, as certuser over TLS").isEqualTo(1);
  }

  @Test
  void shouldConnectBothClientsToAnIpv6Host() {
    String url = url("[::1]", "verify-full", ca);

    assertPoolConnectsWithClientCertificate(url);
    Migrations.apply(PostgresConfig.of(url));
    assertThat(count(url, "SELECT count(*) FROM pg_stat_activity WHERE pid = pg_backend_pid() "
        + "AND client_addr = '::1'")).isEqualTo(1);
  }

  @Test
  void shouldCheckTheServerAgainstTheRootCertificateEvenUnderRequire() {
    String trusted = "postgresql://tlsuser@127.0.0.1:" + server.getPort() + "/certdb?sslmode=require&sslrootcert=" + ca;
    String untrusted = trusted.replace(ca.toString(), dir.resolve("other-ca.crt").toString());

    assertThat(poolFailure(trusted)).as("the server's own CA").isNull();
    assertThat(poolFailure(untrusted)).as("a server certificate the given CA did not sign, as libpq with a root "
        + "certificate (no client certificate needed by this user: only the server's is checked)").isNotNull();
    assertThat(catchThrowable(() -> TestServers.queryLong(trusted, "SELECT 1"))).isNull();
    assertThat(catchThrowable(() -> TestServers.queryLong(untrusted, "SELECT 1"))).as("nor the JDBC connection")
        .isNotNull();
    // without a root certificate, require encrypts without checking the server, on both clients (as libpq)
    String unchecked = trusted.substring(0, trusted.indexOf("&sslrootcert="));
    assertThat(poolFailure(unchecked)).isNull();
    assertThat(catchThrowable(() -> TestServers.queryLong(unchecked, "SELECT 1"))).isNull();
  }

  /** 127.0.0.2 is this server too, under a name its certificate does not give (localhost, 127.0.0.1, ::1). */
  @Test
  void shouldCheckTheHostNameUnderVerifyFullOnly() {
    String verifyCa = "postgresql://tlsuser@127.0.0.2:" + server.getPort() + "/certdb?sslmode=verify-ca"
        + "&sslrootcert=" + ca;
    String verifyFull = verifyCa.replace("verify-ca", "verify-full");

    assertThat(poolFailure(verifyCa)).isNull();
    assertThat(catchThrowable(() -> TestServers.queryLong(verifyCa, "SELECT 1"))).isNull();
    assertThat(poolFailure(verifyFull)).as("a certificate for another name").isNotNull();
    assertThat(catchThrowable(() -> TestServers.queryLong(verifyFull, "SELECT 1"))).as("nor the JDBC connection")
        .isNotNull();
  }

  private Throwable poolFailure(String url) {
    Pool pool = PostgresClients.pool(vertx, PostgresConfig.of(url), "tls-test");
    Throwable failure = pool.query("SELECT 1").execute().transform(ar -> Future.succeededFuture(ar.cause())).await();
    pool.close().await();
    return failure;
  }

  @Test
  void shouldRefuseAtStartAFileThatCannotBeReadNamingItsParameter() throws IOException {
    Path secretish = Files.writeString(dir.resolve("garbage.key"), "not-a-key-but-private-looking-bytes");
    Path rsaPkcs1 = Files.writeString(dir.resolve("pkcs1.key"),
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");

    assertRefused(url("127.0.0.1", "verify-ca", dir.resolve("missing-ca.crt")), "sslrootcert", "missing-ca.crt");
    assertRefused(url("127.0.0.1", "verify-ca", secretish), "sslrootcert", "garbage.key");
    assertRefused(url("127.0.0.1", "verify-full", ca).replace(clientKey.toString(), secretish.toString()),
        "sslkey", "garbage.key");
    assertRefused(url("127.0.0.1", "verify-full", ca).replace(clientKey.toString(), rsaPkcs1.toString()),
        "sslkey", "RSA PRIVATE KEY");
    assertRefused(url("127.0.0.1", "verify-full", ca).replace("&sslkey=" + clientKey, ""), "sslcert", "sslkey");
    assertThatThrownBy(() -> PostgresClients.jdbc(PostgresConfig.of(url("127.0.0.1", "verify-ca",
        dir.resolve("missing-ca.crt"))))).hasMessageContaining("sslrootcert");
  }

  private void assertRefused(String url, String parameter, String detail) {
    assertThatThrownBy(() -> PostgresConfig.from(Settings.of(Map.of("postgres.url", url))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("postgres.url").hasMessageContaining("parameter").hasMessageContaining(parameter)
        .hasMessageContaining(detail).hasMessageNotContaining("private-looking");
  }

  private void assertPoolConnectsWithClientCertificate(String url) {
    Pool pool = PostgresClients.pool(vertx, PostgresConfig.of(url), "tls-test");
    Row row = pool.query("SELECT ssl, client_dn, current_user FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .execute().await().iterator().next();
    pool.close().await();
    assertThat(row.getBoolean(0)).isTrue();
    assertThat(row.getString(1)).isEqualTo("/CN=certuser");
    assertThat(row.getString(2)).isEqualTo("certuser");
  }

  /** A count through the JDBC URL the hub builds (with the same TLS). */
  private static long count(String url, String sql) {
    return TestServers.queryLong(url, sql);
  }

  private static String url(String host, String mode, Path rootCert) {
    return "postgresql://certuser@" + host + ":" + server.getPort() + "/certdb?sslmode=" + mode
        + "&sslrootcert=" + rootCert + "&sslcert=" + clientCert + "&sslkey=" + clientKey;
  }

  private static Path certificateAuthority(String name) throws Exception {
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=hub-test-" + name);
    return dir.resolve(name + ".crt");
  }

  private static Path signed(String name, String commonName, String extension) throws Exception {
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + commonName);
    List<String> sign = new java.util.ArrayList<>(List.of("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt",
        "-CAkey", "ca.key", "-CAcreateserial", "-out", name + ".crt", "-days", "2"));
    if (extension != null) {
      Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
      sign.addAll(List.of("-extfile", name + ".ext"));
    }
    openssl(sign.toArray(new String[0]));
    return dir.resolve(name + ".crt");
  }

  private static void openssl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("openssl " + String.join(" ", args) + ": " + output);
    }
  }
}
