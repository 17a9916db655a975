package vn.onewindow.common.config;

/** Frontend authentication, citizen identity, TLS and browser hygiene (config/security.properties). */
public record SecurityConfig() {

  public static SecurityConfig from(Settings s) {
    return new SecurityConfig();
  }
}
