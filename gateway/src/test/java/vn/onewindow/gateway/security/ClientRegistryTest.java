package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.ConfigException;

/** The client registry and the key tool, without servers. */
class ClientRegistryTest {

  @Test
  void shouldAuthenticateEveryShippedDevelopmentClient() {
    ClientRegistry registry = ClientRegistry.load("config/clients.json", true);

    assertThat(registry.size()).isEqualTo(7);
    assertThat(registry.authenticate("dev-portal-web-key"))
        .contains(new Client("portal-web", "National Public Service Portal (web)", "standard"));
    assertThat(registry.authenticate("dev-mobile-app-key").orElseThrow().id()).isEqualTo("mobile-app");
    assertThat(registry.authenticate("dev-kiosk-key").orElseThrow().quotaClass()).isEqualTo("kiosk");
    assertThat(registry.authenticate("dev-postal-key").orElseThrow().id()).isEqualTo("postal-counter");
    assertThat(registry.authenticate("dev-loadtest-abuser-key").orElseThrow().quotaClass()).isEqualTo("abuse-test");
  }

  @Test
  void shouldShipAnAgencyClientCoveringEveryHandlingAgencyAndANarrowOne() {
    ClientRegistry registry = ClientRegistry.load("config/clients.json", true);

    Client agency = registry.authenticate("dev-agency-key").orElseThrow();
    Client hanoi = registry.authenticate("dev-agency-hanoi-key").orElseThrow();
    Client portal = registry.authenticate("dev-portal-web-key").orElseThrow();

    assertThat(agency.kind()).isEqualTo(Client.Kind.AGENCY);
    assertThat(agency.id()).isEqualTo("agency-dev");
    for (String example : new String[] {"000.21.53.H48", "000.00.21.H48", "000.00.18.H48", "000.00.00.H26"}) {
      assertThat(agency.covers(example)).as(example).isTrue();
    }
    assertThat(hanoi.covers("000.00.00.H26")).isTrue();
    assertThat(hanoi.covers("000.21.53.H48")).isFalse();
    assertThat(portal.kind()).isEqualTo(Client.Kind.FRONTEND);
    assertThat(portal.covers("000.21.53.H48")).as("a frontend covers no agency").isFalse();
  }

  @Test
  void shouldTellAPublicKeyFromASecretOneOfTheSameClient() {
    ClientRegistry shipped = ClientRegistry.load("config/clients.json", true);
    String secret = ApiKeys.hash("secret-key-00000");
    String published = ApiKeys.hash("public-key-00000");
    String base = "{\"id\":\"app\",\"name\":\"A\",\"quotaClass\":\"standard\"";

    // the portal's pages and its backend are one client: a publishable key for the pages, a secret one for the backend
    Client page = shipped.authenticate("dev-portal-web-page-key").orElseThrow();
    Client backend = shipped.authenticate("dev-portal-web-key").orElseThrow();
    assertThat(page.id()).isEqualTo("portal-web").isEqualTo(backend.id());
    assertThat(page.publicKey()).isTrue();
    assertThat(backend.publicKey()).isFalse();
    // an app's key can be read out of the app: its only key is public
    assertThat(shipped.authenticate("dev-mobile-app-key").orElseThrow().publicKey()).isTrue();
    ClientRegistry both = load("[" + base + ",\"keyHashes\":[\"" + secret + "\"],\"publicKeyHashes\":[\"" + published
        + "\"]}]");
    assertThat(both.size()).isEqualTo(1);
    assertThat(both.authenticate("public-key-00000").orElseThrow().publicKey()).isTrue();
    assertThat(both.authenticate("secret-key-00000").orElseThrow().publicKey()).isFalse();
    assertThat(load("[" + base + ",\"publicKeyHashes\":[\"" + published + "\"]}]").authenticate("public-key-00000")
        .orElseThrow().publicKey()).isTrue();
    assertThatThrownBy(() -> load("[" + base + "}]")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("client #0").hasMessageContaining("keyHashes");
    assertThatThrownBy(() -> load("[" + base + ",\"keyHashes\":[\"" + secret + "\"],\"publicKeyHashes\":[\"" + secret
        + "\"]}]")).hasMessageContaining("already registered");
    assertThatThrownBy(() -> load("[" + base + ",\"kind\":\"agency\",\"agencies\":[\"*\"],\"publicKeyHashes\":[\""
        + published + "\"]}]")).hasMessageContaining("an agency system's key is never public");
  }

  @Test
  void shouldRefuseAnAgencyClientWithoutValidCoverageNamingTheProblem() {
    String hash = ApiKeys.hash("agency-key-00000");
    String base = "{\"id\":\"ag\",\"name\":\"A\",\"quotaClass\":\"standard\",\"keyHashes\":[\"" + hash + "\"]";

    assertThat(load("[" + base + ",\"kind\":\"agency\",\"agencies\":[\"*.H48\",\"000.00.00.H26\"]}]")
        .authenticate("agency-key-00000").orElseThrow().agencies()).hasSize(2);
    assertThatThrownBy(() -> load("[" + base + ",\"kind\":\"agency\"}]")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("client #0").hasMessageContaining("\"agencies\" must list");
    assertThatThrownBy(() -> load("[" + base + ",\"kind\":\"agency\",\"agencies\":[]}]"))
        .hasMessageContaining("\"agencies\" must list");
    assertThatThrownBy(() -> load("[" + base + ",\"kind\":\"agency\",\"agencies\":[\"H48\"]}]"))
        .hasMessageContaining("agency pattern 'H48'");
    assertThatThrownBy(() -> load("[" + base + ",\"agencies\":[\"*\"]}]")).hasMessageContaining("is a frontend");
    assertThatThrownBy(() -> load("[" + base + ",\"kind\":\"ministry\"}]")).hasMessageContaining("kind must be");
  }

  @Test
  void shouldNotAuthenticateUnknownMalformedOrHashedKeys() {
    ClientRegistry registry = ClientRegistry.load("config/clients.json", true);

    assertThat(registry.authenticate(null)).isEmpty();
    assertThat(registry.authenticate("")).isEmpty();
    assertThat(registry.authenticate("dev-portal-web-key ")).isEmpty();
    assertThat(registry.authenticate("DEV-PORTAL-WEB-KEY")).isEmpty();
    assertThat(registry.authenticate(ApiKeys.hash("dev-portal-web-key"))).isEmpty();
    assertThat(registry.authenticate("dev-pörtal-web-key")).isEmpty();
    assertThat(registry.authenticate("x".repeat(257))).isEmpty();
  }

  @Test
  void shouldStillLoadAClientsFileNamingTheFormerChannelField() {
    String key = ApiKeys.generate();
    ClientRegistry registry = load("[{\"id\":\"kiosk\",\"name\":\"K\",\"channel\":\"counter\",\"quotaClass\":\"k\","
        + "\"keyHashes\":[\"" + ApiKeys.hash(key) + "\"]}]");

    assertThat(registry.authenticate(key).orElseThrow()).isEqualTo(new Client("kiosk", "K", "k"));
  }

  @Test
  void shouldAcceptTwoKeysPerClientForRotation() {
    String oldKey = ApiKeys.generate();
    String newKey = ApiKeys.generate();
    ClientRegistry registry = load("[" + client("regional", "online", ApiKeys.hash(oldKey), ApiKeys.hash(newKey)) + "]");

    assertThat(registry.authenticate(oldKey).orElseThrow().id()).isEqualTo("regional");
    assertThat(registry.authenticate(newKey).orElseThrow().id()).isEqualTo("regional");
  }

  @Test
  void shouldRefuseAClientsFileThatIsWrongNamingTheProblem() {
    String hash = ApiKeys.hash("some-key-000000");
    assertThatThrownBy(() -> load("{}")).isInstanceOf(ConfigException.class).hasMessageContaining("JSON array");
    assertThatThrownBy(() -> load("[" + client("aa", "online", hash) + "," + client("aa", "online",
        ApiKeys.hash("other-key-00000")) + "]")).hasMessageContaining("client #1").hasMessageContaining("twice");
    assertThatThrownBy(() -> load("[" + client("kiosk", "counter", hash, ApiKeys.hash("k2-000000"),
        ApiKeys.hash("k3-000000")) + "]")).hasMessageContaining("1 or 2 hashes");
    assertThatThrownBy(() -> load("[" + client("kiosk", "counter", "sha256:ABC") + "]"))
        .hasMessageContaining("sha256:<64 lower-case hex digits>");
    assertThatThrownBy(() -> load("[" + client("public", "online", hash) + "]")).hasMessageContaining("not 'public'");
    assertThatThrownBy(() -> load("[" + client("a1", "online", hash) + "," + client("b1", "online", hash) + "]"))
        .hasMessageContaining("already registered");
    assertThatThrownBy(() -> load("[{\"id\":\"a1\",\"name\":\"A\",\"quotaClass\":\"standard\","
        + "\"keyHash\":[\"" + hash + "\"]}]")).hasMessageContaining("unknown field 'keyHash'");
    assertThatThrownBy(() -> load("[{\"id\":\"a1\",\"id\":\"a2\"}]")).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> ClientRegistry.load("/nonexistent/clients.json", true)).hasMessage("clients file "
        + "'/nonexistent/clients.json' (security.clients-file, env HUB_SECURITY_CLIENTS_FILE) is neither a file nor on "
        + "the classpath");
  }

  @Test
  void shouldRegisterDevelopmentClientsOnlyWhereTheyAreAllowed() {
    // the shipped file: development clients only, whose keys the README prints
    assertThat(ClientRegistry.load("config/clients.json", true).authenticate("dev-agency-key")).isPresent();
    assertThatThrownBy(() -> ClientRegistry.load("config/clients.json", false)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("registers development clients only")
        .hasMessageContaining("security.development-clients=true");
    // a real installation's file that still carries a development client: loaded without it
    String real = client("portal-web", "online", ApiKeys.hash("real-portal-key-0001"));
    String dev = client("dev-agency", "online", ApiKeys.hash("dev-agency-key")).replace("{\"id\"",
        "{\"development\":true,\"id\"");
    ClientRegistry mixed = load("[" + real + "," + dev + "]", false);
    assertThat(mixed.size()).isEqualTo(1);
    assertThat(mixed.authenticate("real-portal-key-0001")).isPresent();
    assertThat(mixed.authenticate("dev-agency-key")).isEmpty();
    assertThat(load("[" + real + "," + dev + "]", true).authenticate("dev-agency-key")).isPresent();
    assertThatThrownBy(() -> load("[" + dev.replace("true", "\"yes\"") + "]", true))
        .hasMessageContaining("development must be true or false");
  }

  @Test
  void shouldPrintANewKeyAndItsHashOrHashAKeyFromStandardInput() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int generated = ApiKeyTool.run(new String[0], new BufferedReader(new StringReader("")), print(out), print(err));
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");

    assertThat(generated).isZero();
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).matches("key  owk_[A-Za-z0-9_-]{43}");
    assertThat(lines[1]).isEqualTo("hash " + ApiKeys.hash(lines[0].substring(5)));
    assertThat(lines[1]).matches("hash sha256:[0-9a-f]{64}");

    out.reset();
    int hashed = ApiKeyTool.run(new String[] {"-"}, new BufferedReader(new StringReader("dev-portal-web-key\n")),
        print(out), print(err));
    assertThat(hashed).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("hash sha256:f4bdce2b45c3121f3c1e6c8d488a62d4b26f1505bf2b20a14edd218215366b13");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("shorter than 32");

    assertThat(ApiKeyTool.run(new String[] {"a", "b"}, new BufferedReader(new StringReader("")), print(out),
        print(err))).isEqualTo(2);
    assertThat(ApiKeyTool.run(new String[] {"-"}, new BufferedReader(new StringReader("with space")), print(out),
        print(err))).isEqualTo(1);
  }

  private static PrintStream print(ByteArrayOutputStream out) {
    return new PrintStream(out, true, StandardCharsets.UTF_8);
  }

  private static ClientRegistry load(String json) {
    return load(json, true);
  }

  private static ClientRegistry load(String json, boolean developmentAllowed) {
    return ClientRegistry.load(SecurityTestSupport.tempFile("clients", ".json", json).toString(), developmentAllowed);
  }

  private static String client(String id, String ignoredChannel, String... hashes) {
    return "{\"id\":\"" + id + "\",\"name\":\"Client " + id
        + "\",\"quotaClass\":\"standard\",\"keyHashes\":[\"" + String.join("\",\"", hashes) + "\"]}";
  }
}
