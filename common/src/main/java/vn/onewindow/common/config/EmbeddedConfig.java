package vn.onewindow.common.config;

import java.nio.file.Path;

public record EmbeddedConfig(Path dataDir, int postgresPort, int redisPort) {

  public static EmbeddedConfig from(Settings s) {
    return new EmbeddedConfig(
        Path.of(s.nonBlank("embedded.data-dir")),
        s.intIn("embedded.postgres-port", 1024, 65535),
        s.intIn("embedded.redis-port", 1024, 65535));
  }
}
