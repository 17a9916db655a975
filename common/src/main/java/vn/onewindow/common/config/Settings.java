package vn.onewindow.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Flat key/value settings: the defaults shipped in {@code config/*.properties}, then an optional file named by
 * {@code HUB_CONFIG_FILE}, then environment variables ({@code http.port} is overridden by {@code HUB_HTTP_PORT}).
 * Every accessor validates and names the offending key and its environment variable in the error.
 */
public final class Settings {
  /** Shipped defaults, read in this order; every key must appear in exactly one of them. */
  public static final java.util.List<String> DEFAULTS_RESOURCES =
      java.util.List.of("config/hub.properties", "config/security.properties", "config/resilience.properties");

  private final Map<String, String> values;

  private Settings(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /**
   * HUB_* variables that are not settings, never reported as unknown: the scripts' and the launcher's, and
   * HUB_LOG_LEVEL, which logback.xml reads itself.
   */
  private static final java.util.Set<String> NOT_SETTINGS =
      java.util.Set.of("HUB_CONFIG_FILE", "HUB_JAVA_OPTS", "HUB_CDS", "HUB_BUILD", "HUB_JAR", "HUB_PID",
          "HUB_LOG_LEVEL");

  /**
   * The levels logback.xml's root takes from HUB_LOG_LEVEL (unset: INFO); it reads any other word, and an empty
   * value, as DEBUG.
   */
  private static final java.util.List<String> LOG_LEVELS =
      java.util.List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF", "ALL");

  public static Settings load(Map<String, String> env) {
    String logLevel = env.get("HUB_LOG_LEVEL");
    if (logLevel != null && !LOG_LEVELS.contains(logLevel.trim().toUpperCase(Locale.ROOT))) {
      throw new ConfigException("HUB_LOG_LEVEL='" + logLevel + "' must be one of " + String.join(", ", LOG_LEVELS)
          + ", or unset for INFO (logback.xml would read it as DEBUG)");
    }
    Map<String, String> merged = new TreeMap<>(readDefaults());
    String file = env.get("HUB_CONFIG_FILE");
    if (file != null && !file.isBlank()) {
      Map<String, String> fromFile = readFile(Path.of(file));
      // a misspelt key would otherwise be ignored without a word, its setting left at the default
      for (String key : fromFile.keySet()) {
        if (!merged.containsKey(key)) {
          throw new ConfigException("unknown config key '" + key + "' in " + file);
        }
      }
      merged.putAll(fromFile);
    }
    for (String key : Map.copyOf(merged).keySet()) {
      String override = env.get(envName(key));
      if (override != null) {
        merged.put(key, override);
      }
    }
    return new Settings(merged);
  }

  /**
   * The HUB_* variables of {@code env} that name no setting (a misspelt knob, say HUB_SHED_MAX_INFLIGT): the process
   * starts without them, so the caller warns of each.
   */
  public java.util.List<String> unknownVariables(Map<String, String> env) {
    java.util.Set<String> known = new java.util.HashSet<>(NOT_SETTINGS);
    values.keySet().forEach(key -> known.add(envName(key)));
    return env.keySet().stream()
        .filter(name -> name.startsWith("HUB_") && !name.startsWith("HUB_TEST_") && !known.contains(name))
        .sorted().toList();
  }

  /** Defaults overlaid with explicit values; for tests and tools that build a config programmatically. */
  public static Settings of(Map<String, String> overrides) {
    Map<String, String> merged = new TreeMap<>(readDefaults());
    overrides.forEach((k, v) -> {
      if (!merged.containsKey(k)) {
        throw new ConfigException("unknown config key '" + k + "'");
      }
      merged.put(k, v);
    });
    return new Settings(merged);
  }

  /** A key as a message names it, with its variable: {@code dossier.catalogue, env HUB_DOSSIER_CATALOGUE}. */
  public static String knob(String key) {
    return key + ", env " + envName(key);
  }

  public static String envName(String key) {
    return "HUB_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public Map<String, String> asMap() {
    return values;
  }

  public String string(String key) {
    String value = values.get(key);
    if (value == null) {
      throw new ConfigException("missing config key '" + key + "' (env " + envName(key) + ")");
    }
    return value.trim();
  }

  public String nonBlank(String key) {
    String value = string(key);
    if (value.isEmpty()) {
      throw invalid(key, value, "must not be blank");
    }
    return value;
  }

  public int intIn(String key, int min, int max) {
    String raw = string(key);
    try {
      int value = Integer.parseInt(raw);
      if (value < min || value > max) {
        throw invalid(key, raw, "must be an integer in " + min + ".." + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw invalid(key, raw, "must be an integer in " + min + ".." + max);
    }
  }

  public long longIn(String key, long min, long max) {
    String raw = string(key);
    try {
      long value = Long.parseLong(raw);
      if (value < min || value > max) {
        throw invalid(key, raw, "must be an integer in " + min + ".." + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw invalid(key, raw, "must be an integer in " + min + ".." + max);
    }
  }

  public Duration millis(String key, long min, long max) {
    return Duration.ofMillis(longIn(key, min, max));
  }

  public boolean bool(String key) {
    String raw = string(key).toLowerCase(Locale.ROOT);
    return switch (raw) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw invalid(key, raw, "must be true or false");
    };
  }

  public <E extends Enum<E>> E oneOf(String key, Class<E> type) {
    String raw = string(key);
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(raw.replace('-', '_'))) {
        return constant;
      }
    }
    throw invalid(key, raw, "must be one of " + java.util.Arrays.stream(type.getEnumConstants()).map(Settings::spelling)
        .toList());
  }

  /** An enum constant as the README and the properties files write the setting: x-forwarded-for, not X_FORWARDED_FOR. */
  public static String spelling(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public ConfigException invalid(String key, String value, String why) {
    return new ConfigException("config " + key + "='" + value + "' (env " + envName(key) + ") " + why);
  }

  /**
   * Settings valid one by one that contradict each other. {@code rule} has one {@code {}} per key, in order, each
   * replaced by {@code key=value}; the variables of all keys follow, e.g. "config timeout.redis-enqueue-ms=12000 must
   * be shorter than security.request-timeout-ms=10000: ... (env HUB_TIMEOUT_REDIS_ENQUEUE_MS,
   * HUB_SECURITY_REQUEST_TIMEOUT_MS)".
   */
  public ConfigException conflict(String rule, String... keys) {
    StringBuilder message = new StringBuilder("config ");
    int from = 0;
    for (String key : keys) {
      int at = rule.indexOf("{}", from);
      message.append(rule, from, at).append(key).append('=').append(string(key));
      from = at + 2;
    }
    message.append(rule.substring(from)).append(" (env ");
    message.append(String.join(", ", java.util.Arrays.stream(keys).map(Settings::envName).toList())).append(')');
    return new ConfigException(message.toString());
  }

  private static Map<String, String> readDefaults() {
    Map<String, String> all = new TreeMap<>();
    for (String resource : DEFAULTS_RESOURCES) {
      try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new ConfigException("defaults " + resource + " not found on the classpath");
        }
        Map<String, String> values = read(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String key : values.keySet()) {
          if (all.containsKey(key)) {
            throw new ConfigException("config key '" + key + "' is defined twice in the shipped defaults");
          }
        }
        all.putAll(values);
      } catch (IOException e) {
        throw new ConfigException("cannot read " + resource + ": " + e.getMessage());
      }
    }
    return all;
  }

  private static Map<String, String> readFile(Path path) {
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return read(reader);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + " (HUB_CONFIG_FILE): " + e.getMessage());
    }
  }

  private static Map<String, String> read(Reader reader) throws IOException {
    Properties properties = new Properties();
    properties.load(reader);
    Map<String, String> map = new TreeMap<>();
    properties.forEach((k, v) -> map.put(k.toString(), v.toString()));
    return map;
  }
}
