package vn.onewindow.loadtest.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class LoadConfigTest {

  private static LoadConfig config(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return LoadConfig.from(new LoadConfig.Props(p));
  }

  /**
   * A switch spelled other than true or false is refused, naming it: Boolean.parseBoolean read "yes", "on" or "1" as
   * false, so -DmemoryGate=on turned the soak's memory gates off without a word (soak-memory's note).
   */
  @Test
  void aSwitchIsTrueOrFalseAndNothingElse() {
    assertTrue(config("profile", "fairness", "memoryGate", "TRUE").memoryGate);
    assertFalse(config("profile", "soak", "memoryGate", "false").memoryGate);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> config("profile", "soak", "memoryGate", "on"));
    assertEquals("-DmemoryGate must be true or false, got 'on'", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> config("reconcile", "yes"));
  }

  @Test
  void smokeIsShortAndLocalByDefault() {
    LoadConfig c = config();
    assertEquals(Profile.SMOKE, c.profile);
    assertEquals(LoadConfig.HubMode.LOCAL, c.hubMode);
    assertTrue(c.injectionDuration().compareTo(Duration.ofSeconds(30)) <= 0);
    assertEquals("dev-portal-web-key", c.apiKeys.get(0));
    assertEquals("dev-loadtest-abuser-key", c.abuserApiKey);
  }

  @Test
  void surgeShapeAddsUp() {
    LoadConfig c = config("profile", "surge", "baseUrl", "http://127.0.0.1:8080/", "rampUp", "1m", "hold", "30",
        "rampDown", "20s", "baselineBefore", "10", "baselineAfter", "10");
    assertEquals(LoadConfig.HubMode.EXTERNAL, c.hubMode);
    assertEquals("http://127.0.0.1:8080", c.baseUrl);
    assertEquals(Duration.ofSeconds(130), c.injectionDuration());
    assertEquals(5, Profile.SURGE.citizens(c).size());
    assertTrue(c.allowRefusals);
  }

  @Test
  void hubStylePostgresUrlsBecomeJdbc() {
    LoadConfig c = config("baseUrl", "http://10.0.0.1:8080", "pgUrl", "postgresql://hub:s3cret@db:6432/hub");
    assertEquals("jdbc:postgresql://db:6432/hub", c.pgUrl);
    assertEquals("hub", c.pgUser);
    assertEquals("s3cret", c.pgPassword);
  }

  @Test
  void thePostgresPasswordIsNeverPrinted() {
    LoadConfig query = config("baseUrl", "http://10.0.0.1:8080",
        "pgUrl", "jdbc:postgresql://db:6432/hub?user=hub&password=s3cret&sslmode=require");
    assertEquals("jdbc:postgresql://db:6432/hub?user=hub&password=s3cret&sslmode=require", query.pgUrl);
    assertEquals("jdbc:postgresql://db:6432/hub (query not shown)", query.pgUrlShown);
    assertTrue(query.describe().get("reconcile").contains("jdbc:postgresql://db:6432/hub (query not shown)"));
    assertFalse(query.describe().toString().contains("s3cret"));
    assertEquals("jdbc:postgresql://db:6432/hub", config("baseUrl", "http://10.0.0.1:8080",
        "pgUrl", "postgresql://hub:s3cret@db:6432/hub").pgUrlShown);
    // Refused URLs are named by what is wrong with them, not quoted: a password with a space or an unknown scheme.
    for (String bad : List.of("postgresql://hub:s3 cret@db/hub", "mysql://hub:s3cret@db/hub")) {
      String message = assertThrows(IllegalArgumentException.class,
          () -> config("baseUrl", "http://10.0.0.1:8080", "pgUrl", bad)).getMessage();
      assertTrue(message.contains("-DpgUrl"), message);
      assertFalse(message.contains("s3"), message);
    }
  }

  @Test
  void aPasswordWithAnUnencodedSlashIsRefusedNotPrinted() {
    // URI parses it: "hub:s3" as a registry authority (no host), "/cret@db:6432/hub" as the path, which the JDBC URL
    // and its printed form then carried
    String message = assertThrows(IllegalArgumentException.class, () -> config("baseUrl", "http://10.0.0.1:8080",
        "pgUrl", "postgresql://hub:s3/cret@db:6432/hub")).getMessage();
    assertTrue(message.contains("-DpgUrl"), message);
    assertFalse(message.contains("cret"), message);
  }

  @Test
  void mistakesNameTheProperty() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> config("profile", "stress")).getMessage()
        .contains("-Dprofile"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> config("rate", "fast")).getMessage()
        .contains("-Drate"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> config("statusShare", "20")).getMessage()
        .contains("-DstatusShare"));
  }

  @Test
  void severalApiKeysAreSharedOut() {
    LoadConfig c = config("apiKey", "k1, k2");
    assertEquals("k2", c.apiKeyFor(1));
    assertEquals("k1", c.apiKeyFor(2));
  }

  @Test
  void severalGatewaysAreAllLoadedAndTheFirstIsWatched() {
    LoadConfig c = config("baseUrl", "http://127.0.0.1:8081/, http://127.0.0.1:8082");
    assertEquals(java.util.List.of("http://127.0.0.1:8081", "http://127.0.0.1:8082"), c.baseUrls);
    assertEquals("http://127.0.0.1:8081", c.baseUrl);
  }

  @Test
  void baseUrlWithoutHttpSchemeIsRefusedNamingTheOption() {
    // "htp://..." or "localhost:8080" ended in Gatling's "invalid URI scheme htp", naming no option
    for (String url : List.of("htp://127.0.0.1:8080", "localhost:8080", "127.0.0.1:8080/x")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config("baseUrl", url));
      assertTrue(e.getMessage().contains("--base-url / -DbaseUrl"), e.getMessage());
      assertTrue(e.getMessage().contains(url), e.getMessage());
    }
    assertEquals("https://hub.example", config("baseUrl", "HTTPS://hub.example/").baseUrl.toLowerCase());
  }
}
