package vn.onewindow.common.config;

/** A configuration value is missing or invalid; the message names the key, its value and its env variable. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
