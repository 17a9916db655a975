package vn.onewindow.common.config;

import java.util.stream.Collectors;
import vn.onewindow.common.logging.LogFormat;

/** The whole validated configuration of one hub process; immutable once built. */
public record HubConfig(
    Role role,
    LogFormat logFormat,
    HttpConfig http,
    RedisConfig redis,
    PostgresConfig postgres,
    StreamConfig stream,
    IntakeConfig intake,
    DossierConfig dossier,
    EmbeddedConfig embedded,
    SecurityConfig security,
    ResilienceConfig resilience,
    StatsConfig stats,
    WarmupConfig warmup) {

  public enum Role { ALL, GATEWAY, INTAKE }

  /**
   * Every record validated on its own, then the rules between them ({@link CrossChecks}), then the files a gateway
   * reads at start ({@link GatewayFiles}).
   */
  public static HubConfig from(Settings s) {
    HubConfig config = forTool(s);
    GatewayFiles.check(s, config);
    return config;
  }

  /**
   * The same without looking for the gateway's files: a tool that reads the configuration and serves nothing (the
   * dead-letter replay), run with the gateway's environment on a host that may not hold those files.
   */
  public static HubConfig forTool(Settings s) {
    HubConfig config = new HubConfig(
        s.oneOf("hub.role", Role.class),
        s.oneOf("log.format", LogFormat.class),
        HttpConfig.from(s),
        RedisConfig.from(s),
        PostgresConfig.from(s),
        StreamConfig.from(s),
        IntakeConfig.from(s),
        DossierConfig.from(s),
        EmbeddedConfig.from(s),
        SecurityConfig.from(s),
        ResilienceConfig.from(s),
        StatsConfig.from(s),
        WarmupConfig.from(s));
    CrossChecks.check(s, config);
    return config;
  }

  public boolean runsGateway() {
    return role == Role.ALL || role == Role.GATEWAY;
  }

  public boolean runsIntake() {
    return role == Role.ALL || role == Role.INTAKE;
  }

  public HubConfig withRole(Role role) {
    return new HubConfig(role, logFormat, http, redis, postgres, stream, intake, dossier, embedded, security,
        resilience, stats, warmup);
  }

  public HubConfig withRedis(RedisConfig redis) {
    return new HubConfig(role, logFormat, http, redis, postgres, stream, intake, dossier, embedded, security,
        resilience, stats, warmup);
  }

  public HubConfig withPostgres(PostgresConfig postgres) {
    return new HubConfig(role, logFormat, http, redis, postgres, stream, intake, dossier, embedded, security,
        resilience, stats, warmup);
  }

  /**
   * A hub that starts all its servers itself is a local run (./ops/run-hub.sh on a laptop): the shipped development
   * clients, whose keys the README prints, may call it, so it listens on loopback only unless http.host names an
   * interface; it served those keys on every interface (rehearsal QA). One embedded server beside a real one is a
   * production store with a setting forgotten, not a local run.
   */
  public HubConfig asLocalRun() {
    return new HubConfig(role, logFormat, http.loopbackUnlessChosen(), redis, postgres, stream, intake, dossier,
        embedded, security.withDevelopmentClients(), resilience, stats, warmup);
  }

  public boolean isLocalRun() {
    return postgres.embedded() && redis.embedded();
  }

  /**
   * For the start-up log line: every knob, with passwords in URLs masked, whatever the knob (a JWKS URL may carry
   * credentials as the stores' do; masking touches only a URL's user info).
   */
  public static String describe(Settings s) {
    return s.asMap().entrySet().stream()
        .map(e -> e.getKey() + "=" + Secrets.maskUrl(e.getValue()))
        .collect(Collectors.joining(", "));
  }

}
