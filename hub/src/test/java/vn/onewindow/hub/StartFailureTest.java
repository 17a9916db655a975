package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.testing.TestServers;

/**
 * A hub that cannot start says why in its log and ends, as operators need it to: an invalid setting (the line used
 * to be lost in the asynchronous appender when the process exited) and a port already taken (the process used to
 * print a stack trace and stay up with its event loops running).
 */
class StartFailureTest {

  @Test
  void shouldLogAnInvalidSettingAndExit() {
    HubConfig config = TestServers.get().config(Map.of());
    assertThatThrownBy(() -> HubProcess.start(config, Map.of("http.port", "abc"), "INFO"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hub process exited")
        .hasMessageContaining("invalid configuration: config http.port='abc' (env HUB_HTTP_PORT) must be an integer");
  }

  /** A citizen token lifetime the hub cannot enforce stops it at start, before any request is served. */
  @Test
  void shouldRefuseAnUnusableCitizenTokenLifetimeAtStart() {
    HubConfig config = TestServers.get().config(Map.of());
    assertThatThrownBy(() -> HubProcess.start(config, Map.of("security.jwt.max-lifetime-seconds", "1d"), "INFO"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hub process exited")
        .hasMessageContaining("invalid configuration: config security.jwt.max-lifetime-seconds='1d' (env "
            + "HUB_SECURITY_JWT_MAX_LIFETIME_SECONDS) must be 0 (not bounded) or an integer in 60..2592000");
  }

  /**
   * A password the drivers refuse unencoded (a base64 secret's '/', an '@') never reaches the log: neither the
   * configuration line nor the line saying why the start failed, which quotes the driver's message with the URL
   * (security QA: both printed it in clear).
   */
  @Test
  void shouldNotLogAPasswordTheDriverRefuses() {
    HubConfig config = TestServers.get().config(Map.of());
    // the PostgreSQL URL is read at configuration (PostgresUrl): a configuration error, status 2
    assertThatThrownBy(() -> HubProcess.start(config, Map.of(
        "postgres.url", "postgresql://hub:S3cr/etPgPW@127.0.0.1:" + TestServers.freePort() + "/hub"), "INFO"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hub process exited with status 2: ")
        .hasMessageContaining("invalid configuration: config postgres.url='postgresql://hub:***@")
        .hasMessageNotContaining("etPgPW");
    // so is the Redis URL, with the driver's own parser: it read it only on an event loop, and its exception left
    // the process running, never ready
    assertThatThrownBy(() -> HubProcess.start(config, Map.of(
        "redis.url", "redis://:R3d@isRedisPW@127.0.0.1:" + TestServers.freePort()), "INFO"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hub process exited with status 2: ")
        .hasMessageContaining("invalid configuration: config redis.url='redis://:***@")
        .hasMessageContaining("percent-encoded")
        .hasMessageNotContaining("isRedisPW");
  }

  @Test
  void shouldLogAPortInUseAndExit() throws Exception {
    assertPortInUseNamed("gateway", "the gateway");
  }

  /** A worker-only process listens on http.port too, for its health and metrics: the line names it the same way. */
  @Test
  void shouldNameTheHealthPortOfAWorkerOnlyProcessInUse() throws Exception {
    assertPortInUseNamed("intake", "health and metrics (hub.role=intake)");
  }

  /**
   * A process of {@code role} whose http.port is taken ends with status 1 and one line naming the address, the key
   * and its variable (ops QA: "bind(..) failed with error(-98): Address already in use" named neither).
   */
  private static void assertPortInUseNamed(String role, String listener) throws Exception {
    HubConfig config = TestServers.get().config(Map.of());
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> HubProcess.start(config, Map.of("http.port", Integer.toString(taken.getLocalPort()),
          "hub.role", role), "INFO"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("hub process exited with status 1: ")
          .hasMessageContaining("could not start: " + listener + " cannot listen on 127.0.0.1:" + taken.getLocalPort()
              + " (http.port, env HUB_HTTP_PORT): Address already in use")
          .hasMessageNotContaining("\tat ").hasMessageNotContaining("bind(..)")
          .hasMessageNotContaining("BindException");
      assertThat(taken.isBound()).isTrue();
    }
  }

  /**
   * A mistyped file knob is refused with the configuration, before any server starts (ops QA: exit 1 after the
   * embedded servers had started, "IllegalStateException: procedure catalogue '/x' is neither a file..." naming
   * neither the key nor its variable).
   */
  @Test
  void shouldRefuseAMissingCatalogueAsAnInvalidSetting() {
    HubConfig config = TestServers.get().config(Map.of());
    assertThatThrownBy(() -> HubProcess.start(config, Map.of("dossier.catalogue", "/nonexistent/procedures.json"),
        "INFO"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hub process exited with status 2: ")
        .hasMessageContaining("invalid configuration: config dossier.catalogue='/nonexistent/procedures.json' (env "
            + "HUB_DOSSIER_CATALOGUE) is neither a file nor on the classpath")
        .hasMessageNotContaining("Migrations");
  }

  /** A catalogue file its loader refuses is an invalid setting too: exit 2, one line naming the key and variable. */
  @Test
  void shouldRefuseACatalogueItCannotApplyAsAnInvalidSetting() throws Exception {
    HubConfig config = TestServers.get().config(Map.of());
    Path catalogue = Files.createTempFile("procedures", ".json");
    try {
      Files.writeString(catalogue, "{\"procedures\": []}");
      assertThatThrownBy(() -> HubProcess.start(config, Map.of("dossier.catalogue", catalogue.toString()), "INFO"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("hub process exited with status 2: ")
          .hasMessageContaining("invalid configuration: procedure catalogue '" + catalogue + "' (dossier.catalogue, "
              + "env HUB_DOSSIER_CATALOGUE) holds no procedures")
          .hasMessageNotContaining("\tat ").hasMessageNotContaining("IllegalStateException");
    } finally {
      Files.delete(catalogue);
    }
  }

  /**
   * A file knob whose file its loader refuses, on a hub asked to start its own PostgreSQL and redis-server: refused at
   * once, before either starts (ops: a catalogue that did not parse was found only after an initdb, seconds later).
   * Observed on disk: the embedded servers' data directory, which each creates before it starts, is never made.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadableFiles")
  void shouldRefuseAFileItsLoaderRefusesBeforeStartingEmbeddedServers(String key, String content, String refused,
                                                                      @TempDir Path dir) throws Exception {
    Path file = dir.resolve("file");
    if (key.equals("calendar.dir")) {
      // the shipped calendar, so that only the rule is wrong: every year's file is there
      Files.createDirectories(file);
      try (Stream<Path> shipped = Files.list(Path.of("..", "config", "calendar", "vn"))) {
        for (Path year : shipped.toList()) {
          Files.copy(year, file.resolve(year.getFileName()));
        }
      }
      Files.writeString(file.resolve("recurring.yaml"), content);
    } else {
      Files.writeString(file, content);
    }
    Path data = dir.resolve("hub-data");
    HubConfig config = TestServers.get().config(Map.of());
    assertThatThrownBy(() -> HubProcess.start(config, Map.of(key, file.toString(), "postgres.url", "",
        "redis.url", "", "embedded.data-dir", data.toString(),
        "embedded.postgres-port", Integer.toString(TestServers.freePort()),
        "embedded.redis-port", Integer.toString(TestServers.freePort())), "INFO"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hub process exited with status 2: ")
        .hasMessageContaining("invalid configuration: " + refused.replace("{}", file.toString()))
        .hasMessageContaining("(" + key + ", env " + Settings.envName(key) + ")")
        .hasMessageNotContaining("embedded PostgreSQL started").hasMessageNotContaining("\tat ");
    assertThat(data).as("no embedded server started: none made its data directory").doesNotExist();
  }

  static Stream<Arguments> unreadableFiles() {
    return Stream.of(
        Arguments.of("dossier.catalogue", "{\"procedures\": [", "procedure catalogue '{}'"),
        Arguments.of("dossier.agency-directory", "[]", "agency directory '{}'"),
        Arguments.of("calendar.dir", "recurring:\n  - {month: 13, day: 1, name: Bad, source: R,"
            + " effectiveFrom: 2020-01-01, provisional: false}\n", "official calendar '{}'"),
        Arguments.of("security.clients-file", "{\"clients\": [", "clients file '{}'"));
  }

  /**
   * A whole hub whose port is taken while its intake warms up: the failed start waits for the intake's start before
   * closing vert.x, which, closed under the warm-up verticle, logged "Promise already completed" (agency tryout).
   * Not asserted: the gateway instances that did bind are undeployed by vert.x when one fails, and their Redis
   * clients, closed while connecting, may still log "Unhandled Error ... Connection was closed".
   */
  @Test
  void shouldEndAWholeHubOnAPortInUseWithoutErrorsFromItsIntake() throws Exception {
    HubConfig config = TestServers.get().config(Map.of());
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> HubProcess.start(config, Map.of("http.port", Integer.toString(taken.getLocalPort()),
          "hub.role", "all", "warmup.duration-ms", "2000", "warmup.intake-duration-ms", "2000"), "INFO"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("could not start")
          .hasMessageContaining("Address already in use")
          .hasMessageNotContaining("Promise already completed");
    }
  }

  /**
   * Real servers and the shipped clients file, without security.development-clients: the start stops on the clients
   * file, before it migrates the database or warms anything up (it used to migrate first, and log an ERROR from the
   * warm-up it had begun).
   */
  @Test
  void shouldRefuseTheShippedDevelopmentClientsBeforeTouchingTheServers() {
    HubConfig config = TestServers.get().config(Map.of());
    assertThatThrownBy(() -> HubProcess.start(config, Map.of("security.development-clients", "false"), "INFO"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hub process exited with status 2: ")
        .hasMessageContaining("invalid configuration: clients file 'config/clients.json' (security.clients-file, env "
            + "HUB_SECURITY_CLIENTS_FILE) registers development clients only")
        .hasMessageNotContaining("Migrations");
    assertThat(TestServers.queryLong(config.postgres().url(),
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'dossier'")).isZero();
  }
}
