package vn.onewindow.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HubConfigTest {

  @Test
  void shouldBuildFromShippedDefaults() {
    HubConfig config = HubConfig.from(Settings.load(Map.of()));

    assertThat(config.role()).isEqualTo(HubConfig.Role.ALL);
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.redis().embedded()).isTrue();
    assertThat(config.postgres().embedded()).isTrue();
    assertThat(config.dossier().zone()).isEqualTo(ZoneId.of("Asia/Ho_Chi_Minh"));
    assertThat(config.intake().claimIdle()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void shouldOverrideAnyKeyFromTheEnvironment() {
    HubConfig config = HubConfig.from(Settings.load(Map.of(
        "HUB_HTTP_PORT", "9090",
        "HUB_INTAKE_BATCH_SIZE", "250",
        "HUB_REDIS_URL", "redis://:s3cret@10.0.0.5:6379/0",
        "HUB_HUB_ROLE", "gateway")));

    assertThat(config.http().port()).isEqualTo(9090);
    assertThat(config.intake().batchSize()).isEqualTo(250);
    assertThat(config.redis().embedded()).isFalse();
    assertThat(config.role()).isEqualTo(HubConfig.Role.GATEWAY);
    assertThat(config.runsIntake()).isFalse();
  }

  @Test
  void shouldNameTheKeyTheValueAndTheVariableWhenInvalid() {
    assertThatThrownBy(() -> HubConfig.from(Settings.load(Map.of("HUB_HTTP_PORT", "eighty"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config http.port='eighty' (env HUB_HTTP_PORT) must be an integer in 0..65535");
    assertThatThrownBy(() -> HubConfig.from(Settings.load(Map.of("HUB_DOSSIER_ZONE", "Mars/Olympus"))))
        .hasMessageContaining("dossier.zone='Mars/Olympus'");
    assertThatThrownBy(() -> HubConfig.from(Settings.load(Map.of("HUB_HUB_ROLE", "everything"))))
        .hasMessageContaining("must be one of [all, gateway, intake]");
  }

  @Test
  void shouldNeverPrintPasswords() {
    Settings settings = Settings.load(Map.of("HUB_POSTGRES_URL", "postgresql://hub:topsecret@db:5432/hub"));

    assertThat(HubConfig.describe(settings)).contains("postgresql://hub:***@db:5432/hub").doesNotContain("topsecret");
    assertThat(HubConfig.from(settings).postgres().toString()).doesNotContain("topsecret");
  }

  @Test
  void shouldRefuseUnknownKeysInProgrammaticConfig() {
    assertThatThrownBy(() -> Settings.of(Map.of("http.prot", "1"))).hasMessageContaining("unknown config key 'http.prot'");
  }

  /** The README's configuration table is the operators' reference: it must list every knob with its default. */
  @Test
  void shouldDocumentEveryKnobInTheReadme() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    Settings defaults = Settings.load(Map.of());

    defaults.asMap().forEach((key, value) -> assertThat(readme)
        .as("README row for %s", key)
        .containsPattern("\\|\\s*`" + java.util.regex.Pattern.quote(key) + "`\\s*\\|\\s*`"
            + java.util.regex.Pattern.quote(Settings.envName(key)) + "`\\s*\\|\\s*"
            + (value.isEmpty() ? "\\(empty\\)" : "`" + java.util.regex.Pattern.quote(value) + "`")));
  }
}
