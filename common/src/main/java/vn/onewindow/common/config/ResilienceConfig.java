package vn.onewindow.common.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Rate limits, circuit breakers, load shedding, degraded modes and drain (config/resilience.properties). */
public record ResilienceConfig(
    RateLimits rateLimits,
    Breakers breakers,
    Shedding shedding,
    RedisDownPolicy redisDown,
    boolean readyWithOneStore,
    Duration drainAnnounce,
    Duration drainTimeout) {

  private static final String STANDARD = "standard";
  private static final String CLIENT_CLASSES = "ratelimit.client-classes";
  private static final String CLIENT_READ_CLASSES = "ratelimit.client-read-classes";

  public enum FallbackPolicy { LOCAL, ALLOW, DENY }

  public enum RedisDownPolicy { POSTGRES, REFUSE }

  /**
   * Whether a gateway whose stores answer {@code redisUp} / {@code postgresUp} is ready. Both, by default. With
   * {@code degraded.ready-with-one-store}, also while it still accepts submissions with one: Redis alone (queued, the
   * workers wait for PostgreSQL), or PostgreSQL alone when {@code degraded.redis-down=postgres} (written directly);
   * otherwise a load balancer that follows readiness takes every gateway out at once and no one reaches those paths.
   */
  public boolean gatewayReady(boolean redisUp, boolean postgresUp) {
    return redisUp && postgresUp
        || readyWithOneStore && (redisUp || postgresUp && redisDown == RedisDownPolicy.POSTGRES);
  }

  /** A GCRA limit: sustained rate per second and burst (the most admitted at once from idle). */
  public record Limit(double perSecond, int burst) {
    public Limit {
      if (!(perSecond > 0 && perSecond < Double.POSITIVE_INFINITY) || burst < 1) {
        throw new ConfigException("a rate limit needs a positive rate and a burst of at least 1");
      }
    }

    /** GCRA's emission interval: one request every this many milliseconds (gcra.lua and the local fallback). */
    public double intervalMs() {
      return 1000.0 / perSecond;
    }

    public Limit share(int instances) {
      return new Limit(perSecond / instances, Math.max(1, burst / instances));
    }
  }

  /**
   * {@code clientClasses}: each quota class's limit of a client's submissions and other writes; {@code
   * clientReadClasses}: of its reads, a budget of their own, for the classes that set one (the others read at their
   * class's limit). {@code publishablePerAddress}: the limit of one caller address on a client's publishable key,
   * decided before the client's; empty when off.
   */
  public record RateLimits(boolean enabled, Map<String, Limit> clientClasses, Map<String, Limit> clientReadClasses,
                           Optional<Limit> publishablePerAddress, Limit applicant, Duration redisTimeout,
                           FallbackPolicy fallback, int fallbackInstances) {
    /** A client's writes (submissions, progress events, ratings); a class not listed is "standard". */
    public Limit forClass(String quotaClass) {
      return clientClasses.getOrDefault(quotaClass, clientClasses.get(STANDARD));
    }

    /** A client's reads, in a budget apart from its writes': its class's read limit, else its class's limit. */
    public Limit forReads(String quotaClass) {
      String known = clientClasses.containsKey(quotaClass) ? quotaClass : STANDARD;
      return clientReadClasses.getOrDefault(known, clientClasses.get(known));
    }
  }

  public record Breakers(int failureRateThreshold, int slowCallRateThreshold, Duration slowCall, Duration window,
                         int minimumCalls, Duration open, int halfOpenCalls, Duration redisEnqueueTimeout,
                         Duration postgresReadTimeout, Duration postgresWriteTimeout) {
    /**
     * How much sooner than the enqueue's timeout the partition script stops queuing a dossier (enqueue-dossier.lua's
     * deadline, on Redis's clock): room for the gateway's and Redis's clocks to differ.
     */
    public static final Duration ENQUEUE_DEADLINE_MARGIN = Duration.ofMillis(100);
    /**
     * How long a keyed submission the open enqueue breaker refused waits for Redis to say whether its key queued a
     * dossier already, before the direct path: a breaker stays open after Redis answers again, and a Redis that hangs
     * must not make every keyed submission wait the enqueue's timeout (what the open breaker spares them).
     */
    public static final Duration KEY_LOOKUP_WHILE_OPEN = Duration.ofMillis(250);
  }

  public record Shedding(int maxInFlight, long backlogMaxEntries, double redisMemoryMaxRatio, Duration backlogPoll,
                         int retryAfterSeconds) {
  }

  public static ResilienceConfig from(Settings s) {
    int perMinute = s.intIn("ratelimit.applicant-per-minute", 1, 100_000);
    Map<String, Limit> clientClasses = clientClasses(s, CLIENT_CLASSES);
    Map<String, Limit> readClasses = s.string(CLIENT_READ_CLASSES).isEmpty() ? Map.of()
        : clientClasses(s, CLIENT_READ_CLASSES);
    for (String readClass : readClasses.keySet()) {
      if (!clientClasses.containsKey(readClass)) {
        // a client of that class writes at the "standard" limit: which reads it would get is anyone's guess
        throw s.invalid(CLIENT_READ_CLASSES, s.string(CLIENT_READ_CLASSES), "names class '" + readClass + "', which "
            + CLIENT_CLASSES + " does not define");
      }
    }
    RateLimits limits = new RateLimits(
        s.bool("ratelimit.enabled"),
        clientClasses,
        readClasses,
        perAddress(s),
        new Limit(perMinute / 60.0, s.intIn("ratelimit.applicant-burst", 1, 100_000)),
        s.millis("ratelimit.redis-timeout-ms", 1, 10_000),
        s.oneOf("ratelimit.fallback", FallbackPolicy.class),
        s.intIn("ratelimit.fallback-instances", 1, 1000));
    Breakers breakers = new Breakers(
        s.intIn("breaker.failure-rate-threshold", 1, 100),
        s.intIn("breaker.slow-call-rate-threshold", 1, 100),
        s.millis("breaker.slow-call-ms", 1, 600_000),
        Duration.ofSeconds(s.intIn("breaker.window-seconds", 1, 3600)),
        s.intIn("breaker.minimum-calls", 1, 100_000),
        Duration.ofSeconds(s.intIn("breaker.open-seconds", 1, 3600)),
        s.intIn("breaker.half-open-calls", 1, 1000),
        s.millis("timeout.redis-enqueue-ms", 1, 600_000),
        s.millis("timeout.postgres-read-ms", 1, 600_000),
        s.millis("timeout.postgres-write-ms", 1, 600_000));
    String ratio = s.string("shed.redis-memory-max-ratio");
    double memoryRatio;
    try {
      memoryRatio = Double.parseDouble(ratio);
    } catch (NumberFormatException e) {
      throw s.invalid("shed.redis-memory-max-ratio", ratio, "must be a number in (0, 1]");
    }
    // written as a positive test: NaN fails every comparison, so "<= 0 || > 1" let it through (and it never shed)
    if (!(memoryRatio > 0 && memoryRatio <= 1)) {
      throw s.invalid("shed.redis-memory-max-ratio", ratio, "must be a number in (0, 1]");
    }
    Shedding shedding = new Shedding(
        s.intIn("shed.max-in-flight", 1, 1_000_000),
        s.longIn("shed.backlog-max-entries", 1, Long.MAX_VALUE),
        memoryRatio,
        s.millis("shed.backlog-poll-ms", 50, 600_000),
        s.intIn("shed.retry-after-seconds", 1, 3600));
    return new ResilienceConfig(limits, breakers, shedding,
        s.oneOf("degraded.redis-down", RedisDownPolicy.class),
        s.bool("degraded.ready-with-one-store"),
        s.millis("drain.announce-ms", 0, 600_000),
        s.millis("drain.timeout-ms", 100, 3_600_000));
  }

  /** {@code key}'s {@code <class>:<per second>/<burst>} list; ratelimit.client-classes must define "standard". */
  private static Map<String, Limit> clientClasses(Settings s, String key) {
    String raw = s.nonBlank(key);
    Map<String, Limit> classes = new LinkedHashMap<>();
    for (String entry : raw.split(",")) {
      String[] parts = entry.trim().split(":", 2);
      if (classes.containsKey(parts[0].trim())) {
        // the last one would win without a word
        throw s.invalid(key, raw, "lists class '" + parts[0].trim() + "' twice");
      }
      try {
        if (parts[0].isBlank()) {
          throw new IllegalArgumentException("a class without a name");
        }
        classes.put(parts[0].trim(), limit(parts[1]));
      } catch (ConfigException e) {
        throw s.invalid(key, raw, "gives class '" + parts[0].trim()
            + "' a rate or burst below the minimum: each class needs a positive rate and a burst of at least 1");
      } catch (RuntimeException e) {
        throw s.invalid(key, raw, "must list <class>:<per second>/<burst>, e.g. standard:200/400");
      }
    }
    if (key.equals(CLIENT_CLASSES) && !classes.containsKey(STANDARD)) {
      throw s.invalid(key, raw, "must define the 'standard' class");
    }
    return Map.copyOf(classes);
  }

  private static Optional<Limit> perAddress(Settings s) {
    String key = "ratelimit.publishable-per-address";
    String raw = s.string(key);
    if (raw.equalsIgnoreCase("off")) {
      return Optional.empty();
    }
    try {
      return Optional.of(limit(raw));
    } catch (RuntimeException e) {
      throw s.invalid(key, raw, "must be <requests per second>/<burst> with a positive rate and a burst of at least 1 "
          + "(e.g. 5/50), or off");
    }
  }

  /**
   * {@code <per second>/<burst>}.
   *
   * @throws ConfigException for a rate or burst below the minimum, another RuntimeException when malformed
   */
  private static Limit limit(String text) {
    String[] parts = text.trim().split("/", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("not <per second>/<burst>");
    }
    return new Limit(Double.parseDouble(parts[0].trim()), Integer.parseInt(parts[1].trim()));
  }
}
