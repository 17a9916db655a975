package vn.onewindow.common.config;

/** Rate limits, circuit breakers, load shedding, degraded modes and drain (config/resilience.properties). */
public record ResilienceConfig() {

  public static ResilienceConfig from(Settings s) {
    return new ResilienceConfig();
  }
}
