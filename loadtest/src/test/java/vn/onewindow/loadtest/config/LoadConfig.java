package vn.onewindow.loadtest.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every knob of a load-test run, read once from system properties ({@code -Dname=value} on the Maven command line;
 * the Gatling plugin propagates them to the forked JVM). Defaults depend on the profile, so
 * {@code mvn verify -Dprofile=surge} is a sensible run on its own. {@link #describe()} prints the effective values.
 */
public final class LoadConfig {

  /** Where the hub under test comes from. */
  public enum HubMode {
    /** Start {@code java -jar hub/target/hub.jar} on free ports with a throw-away embedded data dir. */
    LOCAL,
    /** Use the hub at {@code baseUrl} (and its PostgreSQL at {@code pgUrl} for the reconciliation). */
    EXTERNAL
  }

  public final Profile profile;
  public final String runId;
  public final HubMode hubMode;
  /** Null for a local hub until its port is known (see {@link #withLocalHub}); the first of {@link #baseUrls}. */
  public final String baseUrl;
  /**
   * Every gateway to load ({@code -DbaseUrl=URL1,URL2}): Gatling spreads the virtual users over them; metrics and
   * gates read the first.
   */
  public final List<String> baseUrls;
  public final List<String> apiKeys;
  public final String abuserApiKey;
  public final String apiKeyHeader;

  /** Baseline rate of dossier submissions per second (one virtual citizen = one submission). */
  public final double rate;
  /** Multiplier N of the surge and spike profiles. */
  public final double factor;
  /** Duration of the steady part of smoke, steady, soak and fairness runs. */
  public final Duration duration;
  /** Surge/spike: time at the baseline before the increase and after the decrease. */
  public final Duration baselineBefore;
  public final Duration baselineAfter;
  /** Surge: ramp up and down; spike: unused (instant). */
  public final Duration rampUp;
  public final Duration rampDown;
  /** Surge/spike: time held at N x baseline. */
  public final Duration hold;
  /** Ramp from 1/s to the baseline before the measured load (a fresh JVM is not what production runs); 0 = none. */
  public final Duration warmUp;
  /** Fairness: the abusive client's submissions per second. */
  public final double abuserRate;
  /** Agencies: the agency systems' key (covering every handling agency of the load), poll pause, replay share. */
  public final String agencyApiKey;
  public final Duration agencyPoll;
  public final double agencyReplayShare;

  /** Share of accepted dossiers whose status is looked up right after the 202. */
  public final double statusShare;
  /** Share of accepted dossiers re-submitted with the same Idempotency-Key and body (must replay the receipt). */
  public final double retryShare;
  /** Whether 429 and 503 (with Retry-After) are graceful refusals rather than failures for well-behaved clients. */
  public final boolean allowRefusals;

  /** p99 of accepted submissions must stay under this. */
  public final long sloP99Millis;
  /** Window over which the capacity verdict evaluates the SLO. */
  public final int verdictWindowSeconds;

  /**
   * Whether the hub's memory is a gate ({@code -DmemoryGate}; default: the soak only): its post-GC heap floor must not
   * grow between the first and the last quarter of the load by more than the larger of {@link #heapGrowthMaxPercent}
   * and {@link #heapGrowthMinBytes}, and no GC pause may exceed {@link #gcPauseMaxMillis}. Every profile reports the
   * figures.
   */
  public final boolean memoryGate;
  public final double heapGrowthMaxPercent;
  public final long heapGrowthMinBytes;
  public final long gcPauseMaxMillis;

  public final boolean reconcile;
  /** JDBC URL of the hub's PostgreSQL; null for a local hub until its port is known. */
  public final String pgUrl;
  /**
   * {@link #pgUrl} as printed (the configuration, the reconciliation's errors): without its query, where a JDBC URL
   * carries {@code password=}. The hub's own form loses its user info on the way to JDBC already.
   */
  public final String pgUrlShown;
  public final String pgUser;
  public final String pgPassword;
  public final Duration drainTimeout;
  public final Duration samplePeriod;

  public final Path hubJar;
  public final String hubJavaOpts;
  public final Duration hubStartTimeout;
  public final Path outputDir;

  private LoadConfig(Builder b) {
    profile = b.profile;
    runId = b.runId;
    hubMode = b.hubMode;
    baseUrls = b.baseUrls == null ? List.of() : List.copyOf(b.baseUrls);
    baseUrl = baseUrls.isEmpty() ? null : baseUrls.get(0);
    apiKeys = List.copyOf(b.apiKeys);
    abuserApiKey = b.abuserApiKey;
    apiKeyHeader = b.apiKeyHeader;
    rate = b.rate;
    factor = b.factor;
    duration = b.duration;
    baselineBefore = b.baselineBefore;
    baselineAfter = b.baselineAfter;
    rampUp = b.rampUp;
    rampDown = b.rampDown;
    hold = b.hold;
    warmUp = b.warmUp;
    abuserRate = b.abuserRate;
    agencyApiKey = b.agencyApiKey;
    agencyPoll = b.agencyPoll;
    agencyReplayShare = b.agencyReplayShare;
    statusShare = b.statusShare;
    retryShare = b.retryShare;
    allowRefusals = b.allowRefusals;
    sloP99Millis = b.sloP99Millis;
    verdictWindowSeconds = b.verdictWindowSeconds;
    memoryGate = b.memoryGate;
    heapGrowthMaxPercent = b.heapGrowthMaxPercent;
    heapGrowthMinBytes = b.heapGrowthMinBytes;
    gcPauseMaxMillis = b.gcPauseMaxMillis;
    reconcile = b.reconcile;
    pgUrl = b.pgUrl;
    pgUrlShown = pgUrl == null || pgUrl.indexOf('?') < 0 ? pgUrl
        : pgUrl.substring(0, pgUrl.indexOf('?')) + " (query not shown)";
    pgUser = b.pgUser;
    pgPassword = b.pgPassword;
    drainTimeout = b.drainTimeout;
    samplePeriod = b.samplePeriod;
    hubJar = b.hubJar;
    hubJavaOpts = b.hubJavaOpts;
    hubStartTimeout = b.hubStartTimeout;
    outputDir = b.outputDir;
  }

  /** Reads every property; unknown profiles and malformed numbers fail fast with the property's name. */
  public static LoadConfig fromSystemProperties() {
    return from(new Props(System.getProperties()));
  }

  /**
   * From the given properties only: the module's unit tests, which must not see a run's {@code -D} options (Maven hands
   * them to the tests' JVM as well: a rehearsal's {@code --pg-user} made the reconciliation test log in as that user).
   */
  public static LoadConfig fromProperties(java.util.Properties properties) {
    return from(new Props(properties));
  }

  static LoadConfig from(Props p) {
    Builder b = new Builder();
    b.profile = Profile.parse(p.string("profile", "smoke"));
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(ZonedDateTime.now(ZoneOffset.UTC));
    b.runId = p.string("runId", stamp + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36));
    if (!b.runId.matches("[A-Za-z0-9._-]{1,40}")) {
      throw new IllegalArgumentException("runId must be 1-40 of A-Z a-z 0-9 . _ - (it prefixes Idempotency-Keys)");
    }
    String baseUrl = p.string("baseUrl", "");
    b.hubMode = HubMode.valueOf(p.string("hub", baseUrl.isEmpty() ? "local" : "external").toUpperCase(Locale.ROOT));
    if (b.hubMode == HubMode.EXTERNAL) {
      b.baseUrls = Arrays.stream((baseUrl.isEmpty() ? "http://127.0.0.1:8080" : baseUrl).split(","))
          .map(String::trim).filter(u -> !u.isEmpty()).map(LoadConfig::stripSlash).toList();
      b.baseUrls.forEach(LoadConfig::checkBaseUrl);
    }
    b.apiKeys = Arrays.stream(p.string("apiKey", "dev-portal-web-key").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (b.apiKeys.isEmpty()) {
      throw new IllegalArgumentException("apiKey must name at least one key");
    }
    b.abuserApiKey = p.string("abuserApiKey", "dev-loadtest-abuser-key");
    b.apiKeyHeader = p.string("apiKeyHeader", "X-Api-Key");

    Profile profile = b.profile;
    b.rate = p.decimal("rate", profile == Profile.SMOKE ? 20 : 50);
    b.factor = p.decimal("factor", profile == Profile.SPIKE ? 5 : 4);
    b.duration = p.seconds("duration", switch (profile) {
      case SMOKE -> 10;
      case STEADY -> 120;
      case SOAK -> 3600;
      case FAIRNESS -> 60;
      default -> 0;
    });
    b.baselineBefore = p.seconds("baselineBefore", 20);
    b.baselineAfter = p.seconds("baselineAfter", 20);
    b.rampUp = p.seconds("rampUp", 60);
    b.rampDown = p.seconds("rampDown", 30);
    b.hold = p.seconds("hold", profile == Profile.SPIKE ? 30 : 60);
    b.warmUp = p.seconds("warmUp", profile == Profile.SMOKE ? 5 : 10);
    b.abuserRate = p.decimal("abuserRate", 100);
    b.agencyApiKey = p.string("agencyApiKey", "dev-agency-key");
    b.agencyPoll = Duration.ofMillis(p.integer("agencyPollMs", 1000));
    b.agencyReplayShare = p.share("agencyReplayShare", 0.05);
    b.statusShare = p.share("statusShare", 0.2);
    b.retryShare = p.share("retryShare", 0.03);
    b.allowRefusals = p.bool("allowRefusals", profile == Profile.SURGE || profile == Profile.SPIKE
        || profile == Profile.AGENCIES);
    b.sloP99Millis = p.integer("sloP99Ms", 500);
    b.verdictWindowSeconds = (int) p.integer("verdictWindow", 5);
    b.memoryGate = p.bool("memoryGate", profile == Profile.SOAK);
    b.heapGrowthMaxPercent = p.decimal("heapGrowthMaxPercent", 25);
    b.heapGrowthMinBytes = p.integer("heapGrowthMinMb", 32) * 1024 * 1024;
    b.gcPauseMaxMillis = p.integer("gcPauseMaxMs", 200);

    b.reconcile = p.bool("reconcile", true);
    b.pgUrl = b.hubMode == HubMode.EXTERNAL
        ? toJdbc(p.string("pgUrl", "jdbc:postgresql://127.0.0.1:15432/postgres")) : null;
    b.pgUser = p.string("pgUser", userFromUrl(p.string("pgUrl", ""), "postgres"));
    b.pgPassword = p.string("pgPassword", passwordFromUrl(p.string("pgUrl", "")));
    b.drainTimeout = p.seconds("drainTimeout", 120);
    b.samplePeriod = Duration.ofMillis(p.integer("sampleMs", 1000));

    String buildDir = p.string("loadtest.buildDir", "target");
    b.hubJar = Path.of(p.string("hubJar", p.string("loadtest.defaultHubJar", "../hub/target/hub.jar")))
        .toAbsolutePath().normalize();
    b.hubJavaOpts = p.string("hubJavaOpts", "-Xms256m -Xmx1g");
    b.hubStartTimeout = p.seconds("hubStartTimeout", 90);
    b.outputDir = Path.of(p.string("outputDir", buildDir + "/loadtest")).toAbsolutePath().normalize()
        .resolve(profile.id() + "-" + b.runId);
    return new LoadConfig(b);
  }

  /** The same configuration pointed at a hub this run started itself. */
  public LoadConfig withLocalHub(int httpPort, int postgresPort) {
    Builder b = new Builder(this);
    b.baseUrls = List.of("http://127.0.0.1:" + httpPort);
    b.pgUrl = "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres";
    b.pgUser = "postgres";
    b.pgPassword = "";
    return new LoadConfig(b);
  }

  /** Total injection time of the well-behaved population. */
  public Duration injectionDuration() {
    return profile.injectionDuration(this);
  }

  /** The key used for well-behaved virtual user number {@code n}. */
  public String apiKeyFor(long n) {
    return apiKeys.get((int) Math.floorMod(n, (long) apiKeys.size()));
  }

  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("profile", profile.id());
    m.put("runId", runId);
    m.put("hub", hubMode.name().toLowerCase(Locale.ROOT) + (hubMode == HubMode.LOCAL ? " (" + hubJar + ")" : ""));
    if (hubMode == HubMode.LOCAL) {
      m.put("hubJavaOpts", hubJavaOpts);
    }
    m.put("baseUrl", baseUrls.isEmpty() ? "null" : String.join(",", baseUrls));
    m.put("apiKey", String.join(",", apiKeys.stream().map(LoadConfig::mask).toList()));
    if (profile == Profile.AGENCIES) {
      m.put("agencyApiKey", mask(agencyApiKey));
      m.put("agencyPoll / replayShare", agencyPoll.toMillis() + " ms / " + fmt(agencyReplayShare));
    }
    if (profile == Profile.FAIRNESS) {
      m.put("abuserApiKey", mask(abuserApiKey));
      m.put("abuserRate", fmt(abuserRate) + "/s");
    }
    m.put("rate", fmt(rate) + " submissions/s");
    m.put("shape", profile.shape(this));
    m.put("warmUp", warmUp.isZero() ? "none" : "ramp 1/s -> " + fmt(rate) + "/s over " + warmUp.toSeconds()
        + " s (not judged)");
    m.put("statusShare / retryShare", fmt(statusShare) + " / " + fmt(retryShare));
    m.put("allowRefusals", Boolean.toString(allowRefusals));
    m.put("SLO", "p99 of accepted submissions < " + sloP99Millis + " ms");
    m.put("memoryGate", memoryGate ? String.format(Locale.ROOT, "heap floor last vs first quarter <= +max(%s %%, %d MB),"
        + " GC pauses <= %d ms (from %s/metrics)", fmt(heapGrowthMaxPercent), heapGrowthMinBytes / (1024 * 1024),
        gcPauseMaxMillis, baseUrls.isEmpty() ? "the hub's " : baseUrl) : "no (figures reported only)");
    m.put("reconcile", reconcile ? "yes, " + pgUrlShown + " (drain timeout " + drainTimeout.toSeconds() + " s)" : "no");
    m.put("outputDir", outputDir.toString());
    return m;
  }

  private static String mask(String key) {
    return key.length() <= 8 ? "****" : key.substring(0, 4) + "…" + key.substring(key.length() - 3);
  }

  public static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.2f", d);
  }

  /** An http(s) URL with a host: "htp://..." or "localhost:8080" ended in Gatling's "invalid URI scheme", naming no option. */
  private static void checkBaseUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("--base-url / -DbaseUrl is not a URL: " + url + " (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException("--base-url / -DbaseUrl must be http://host:port or https://host:port, not "
          + url);
    }
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** Accepts a JDBC URL or the hub's own form (postgresql://user:secret@host:port/db). */
  static String toJdbc(String url) {
    if (url.startsWith("jdbc:")) {
      return url;
    }
    URI uri = uri(url);
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new IllegalArgumentException("-DpgUrl must be jdbc:postgresql://... or postgresql://..., not "
          + uri.getScheme() + "://...");
    }
    if (uri.getHost() == null) {
      // e.g. an unencoded '/' in the password: "hub:s3" read as the authority, the rest of the password as the path
      throw new IllegalArgumentException("-DpgUrl names no host; a password with a space, '@', '/', '?' or '#' must be "
          + "percent-encoded, or given as -DpgPassword");
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "/postgres" : uri.getPath();
    return "jdbc:postgresql://" + uri.getHost() + ":" + port + db + (uri.getQuery() == null ? "" : "?" + uri.getQuery());
  }

  /**
   * {@code message} (a driver's, which may quote the URL it was given: "No suitable driver found for ...") with
   * {@link #pgUrl} as {@link #pgUrlShown}.
   */
  public String withPgUrlShown(String message) {
    return message == null || pgUrl == null ? message : message.replace(pgUrl, pgUrlShown);
  }

  /** The URL is not quoted when refused: its user info may hold a password (URISyntaxException quotes its input). */
  private static URI uri(String url) {
    try {
      return new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("-DpgUrl is not a URL (" + e.getReason() + " at character " + e.getIndex()
          + "); a password with a space, '@', '/', '?' or '#' must be percent-encoded, or given as -DpgPassword");
    }
  }

  private static String userFromUrl(String url, String fallback) {
    if (url.startsWith("jdbc:") || url.isEmpty()) {
      return fallback;
    }
    String info = uri(url).getUserInfo();
    return info == null ? fallback : info.split(":", 2)[0];
  }

  private static String passwordFromUrl(String url) {
    if (url.startsWith("jdbc:") || url.isEmpty()) {
      return "";
    }
    String info = uri(url).getUserInfo();
    return info == null || !info.contains(":") ? "" : info.split(":", 2)[1];
  }

  private static final class Builder {
    Profile profile;
    String runId;
    HubMode hubMode;
    List<String> baseUrls;
    List<String> apiKeys = new ArrayList<>();
    String abuserApiKey;
    String apiKeyHeader;
    double rate;
    double factor;
    Duration duration;
    Duration baselineBefore;
    Duration baselineAfter;
    Duration rampUp;
    Duration rampDown;
    Duration hold;
    Duration warmUp;
    double abuserRate;
    String agencyApiKey;
    Duration agencyPoll;
    double agencyReplayShare;
    double statusShare;
    double retryShare;
    boolean allowRefusals;
    long sloP99Millis;
    int verdictWindowSeconds;
    boolean memoryGate;
    double heapGrowthMaxPercent;
    long heapGrowthMinBytes;
    long gcPauseMaxMillis;
    boolean reconcile;
    String pgUrl;
    String pgUser;
    String pgPassword;
    Duration drainTimeout;
    Duration samplePeriod;
    Path hubJar;
    String hubJavaOpts;
    Duration hubStartTimeout;
    Path outputDir;

    Builder() {
    }

    Builder(LoadConfig c) {
      profile = c.profile;
      runId = c.runId;
      hubMode = c.hubMode;
      baseUrls = c.baseUrls;
      apiKeys = c.apiKeys;
      abuserApiKey = c.abuserApiKey;
      apiKeyHeader = c.apiKeyHeader;
      rate = c.rate;
      factor = c.factor;
      duration = c.duration;
      baselineBefore = c.baselineBefore;
      baselineAfter = c.baselineAfter;
      rampUp = c.rampUp;
      rampDown = c.rampDown;
      hold = c.hold;
      warmUp = c.warmUp;
      abuserRate = c.abuserRate;
      agencyApiKey = c.agencyApiKey;
      agencyPoll = c.agencyPoll;
      agencyReplayShare = c.agencyReplayShare;
      statusShare = c.statusShare;
      retryShare = c.retryShare;
      allowRefusals = c.allowRefusals;
      sloP99Millis = c.sloP99Millis;
      verdictWindowSeconds = c.verdictWindowSeconds;
      memoryGate = c.memoryGate;
      heapGrowthMaxPercent = c.heapGrowthMaxPercent;
      heapGrowthMinBytes = c.heapGrowthMinBytes;
      gcPauseMaxMillis = c.gcPauseMaxMillis;
      reconcile = c.reconcile;
      pgUrl = c.pgUrl;
      pgUser = c.pgUser;
      pgPassword = c.pgPassword;
      drainTimeout = c.drainTimeout;
      samplePeriod = c.samplePeriod;
      hubJar = c.hubJar;
      hubJavaOpts = c.hubJavaOpts;
      hubStartTimeout = c.hubStartTimeout;
      outputDir = c.outputDir;
    }
  }

  /** Typed access to properties, naming the property in every error. */
  static final class Props {
    private final java.util.Properties props;

    Props(java.util.Properties props) {
      this.props = props;
    }

    String string(String name, String fallback) {
      String v = props.getProperty(name);
      return v == null || v.isBlank() ? fallback : v.trim();
    }

    double decimal(String name, double fallback) {
      String v = string(name, null);
      try {
        double d = v == null ? fallback : Double.parseDouble(v);
        if (d < 0 || Double.isNaN(d)) {
          throw new NumberFormatException("negative");
        }
        return d;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("-D" + name + " must be a non-negative number, got '" + v + "'");
      }
    }

    long integer(String name, long fallback) {
      return Math.round(decimal(name, fallback));
    }

    double share(String name, double fallback) {
      double d = decimal(name, fallback);
      if (d > 1) {
        throw new IllegalArgumentException("-D" + name + " is a share between 0 and 1, got " + d);
      }
      return d;
    }

    /** Seconds, or a number with a unit: 90, 90s, 5m, 1h. */
    Duration seconds(String name, long fallbackSeconds) {
      String v = string(name, null);
      if (v == null) {
        return Duration.ofSeconds(fallbackSeconds);
      }
      try {
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(lower.substring(0, lower.length() - 2)));
        }
        char unit = lower.charAt(lower.length() - 1);
        long n = Character.isDigit(unit) ? Long.parseLong(lower) : Long.parseLong(lower.substring(0, lower.length() - 1));
        return switch (unit) {
          case 'h' -> Duration.ofHours(n);
          case 'm' -> Duration.ofMinutes(n);
          default -> Duration.ofSeconds(n);
        };
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("-D" + name + " must be a duration like 90, 90s, 5m or 1h, got '" + v + "'");
      }
    }

    /** true or false (any case): Boolean.parseBoolean read "on" or "yes" as false, turning a gate off unsaid. */
    boolean bool(String name, boolean fallback) {
      String v = string(name, null);
      if (v == null) {
        return fallback;
      }
      if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
        throw new IllegalArgumentException("-D" + name + " must be true or false, got '" + v + "'");
      }
      return Boolean.parseBoolean(v);
    }
  }
}
