package vn.onewindow.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.assertj.core.api.ThrowableAssertAlternative;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.logging.LogFormat;

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

  /**
   * A local run (both servers embedded) serves the development clients, whose keys the README prints: it listened
   * on every interface (rehearsal QA). Loopback now, unless http.host names an interface; elsewhere every interface.
   */
  @Test
  void shouldListenOnLoopbackOnlyInALocalRunUnlessTheHostIsChosen() {
    HubConfig local = HubConfig.from(Settings.load(Map.of()));
    assertThat(local.isLocalRun()).isTrue();
    assertThat(local.http().host()).as("before the local run is known").isEqualTo("0.0.0.0");
    assertThat(local.asLocalRun().http().host()).isEqualTo("127.0.0.1");
    assertThat(local.asLocalRun().security().developmentClients()).isTrue();

    HubConfig chosen = HubConfig.from(Settings.load(Map.of("HUB_HTTP_HOST", "0.0.0.0")));
    assertThat(chosen.asLocalRun().http().host()).as("named, even as every interface").isEqualTo("0.0.0.0");

    HubConfig production = HubConfig.from(Settings.load(Map.of("HUB_REDIS_URL", "redis://10.0.0.5:6379",
        "HUB_POSTGRES_URL", "postgresql://hub@10.0.0.6:5432/hub")));
    assertThat(production.isLocalRun()).isFalse();
    assertThat(production.http().host()).isEqualTo("0.0.0.0");
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

  /** A misspelt knob is never silently ignored: refused in the config file, named in a warning from the environment. */
  @Test
  void shouldRefuseAnUnknownKeyInTheFileAndNameUnknownVariables() throws IOException {
    Path file = Files.createTempFile("hub-config", ".properties");
    try {
      Files.writeString(file, "shed.max-in-flight=5\nhttp.prot=9999\n");
      assertThatThrownBy(() -> Settings.load(Map.of("HUB_CONFIG_FILE", file.toString())))
          .isInstanceOf(ConfigException.class)
          .hasMessage("unknown config key 'http.prot' in " + file);
      Files.writeString(file, "shed.max-in-flight=5\n");
      assertThat(Settings.load(Map.of("HUB_CONFIG_FILE", file.toString())).string("shed.max-in-flight")).isEqualTo("5");
    } finally {
      Files.delete(file);
    }
    assertThat(Settings.load(Map.of()).unknownVariables(Map.of(
        "HUB_SHED_MAX_INFLIGT", "3", "HUB_SHED_MAX_IN_FLIGHT", "3",
        "HUB_JAVA_OPTS", "-Xmx1g", "HUB_CONFIG_FILE", "x", "HUB_TEST_REDIS_URL", "y", "HUB_LOG_LEVEL", "DEBUG",
        "PATH", "/bin")))
        .containsExactly("HUB_SHED_MAX_INFLIGT");
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
    // a storage host without its '/' would admit any host that starts with it
    for (String prefix : new String[] {"https://files.dichvucong.gov.vn", "ftp://files/", "https://u:p@files/"}) {
      assertThatThrownBy(() -> HubConfig.from(Settings.load(Map.of("HUB_DOSSIER_ATTACHMENT_URI_PREFIXES",
          "s3://uploads/," + prefix)))).as(prefix).hasMessageContaining("dossier.attachment-uri-prefixes='" + prefix);
    }
    // not blank, and lists nothing (the warm-up ended with an IndexOutOfBoundsException: exit 1, no key named)
    assertThatThrownBy(() -> HubConfig.from(Settings.load(Map.of("HUB_DOSSIER_ATTACHMENT_URI_PREFIXES", " , "))))
        .hasMessage("config dossier.attachment-uri-prefixes=',' (env HUB_DOSSIER_ATTACHMENT_URI_PREFIXES) must list "
            + "at least one URI prefix of the portal's storage");
    assertThat(HubConfig.from(Settings.load(Map.of("HUB_DOSSIER_ATTACHMENT_URI_PREFIXES",
        "s3://uploads/, https://files.dichvucong.gov.vn/2026/"))).dossier().attachmentUriPrefixes())
        .containsExactly("s3://uploads/", "https://files.dichvucong.gov.vn/2026/");
  }

  @Test
  void shouldReadTheLogFormatAndRefuseAnUnknownOne() {
    assertThat(HubConfig.from(Settings.load(Map.of())).logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(HubConfig.from(Settings.load(Map.of("HUB_LOG_FORMAT", "text"))).logFormat()).isEqualTo(LogFormat.TEXT);
    assertThatThrownBy(() -> HubConfig.from(Settings.load(Map.of("HUB_LOG_FORMAT", "xml"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config log.format='xml' (env HUB_LOG_FORMAT) must be one of [json, text]");
  }

  /**
   * HUB_LOG_LEVEL is read by logback.xml, not a setting; logback takes a level it does not know for DEBUG, so a typo
   * (WARNING, a common spelling elsewhere) or an empty value turned a hub's log up to DEBUG without a word (ops QA).
   */
  @Test
  void shouldRefuseALogLevelLogbackDoesNotKnow() {
    for (String level : new String[] {"TRACE", "debug", "Info", "WARN", "ERROR", "OFF", "ALL"}) {
      assertThat(Settings.load(Map.of("HUB_LOG_LEVEL", level))).as(level).isNotNull();
    }
    assertThatThrownBy(() -> Settings.load(Map.of("HUB_LOG_LEVEL", "WARNING")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("HUB_LOG_LEVEL='WARNING' must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, ALL, or unset for "
            + "INFO (logback.xml would read it as DEBUG)");
    // an empty value is no default to logback: `HUB_LOG_LEVEL= ./ops/run-hub.sh` logged at DEBUG too
    assertThatThrownBy(() -> Settings.load(Map.of("HUB_LOG_LEVEL", ""))).isInstanceOf(ConfigException.class);
  }

  /** Every other refusal names the variables to set; this one named only the keys, and not which were missing. */
  @Test
  void shouldNameTheMissingTokenSettingsAndTheirVariables() {
    assertThatThrownBy(() -> HubConfig.from(Settings.load(Map.of("HUB_SECURITY_JWT_ISSUER", "https://sso.example.vn"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("citizen token verification is half-configured: security.jwt.issuer, security.jwt.audience and "
            + "one of security.jwt.jwks / security.jwt.public-keys must all be set; missing: security.jwt.audience "
            + "(env HUB_SECURITY_JWT_AUDIENCE), security.jwt.jwks or security.jwt.public-keys (env "
            + "HUB_SECURITY_JWT_JWKS, HUB_SECURITY_JWT_PUBLIC_KEYS)");
  }

  @Test
  void shouldNeverPrintPasswords() {
    Settings settings = Settings.load(Map.of("HUB_POSTGRES_URL", "postgresql://hub:topsecret@db:5432/hub"));

    assertThat(HubConfig.describe(settings)).contains("postgresql://hub:***@db:5432/hub").doesNotContain("topsecret");
    assertThat(HubConfig.from(settings).postgres().toString()).doesNotContain("topsecret");
  }

  /** A URL is masked whatever its knob's name: the JWKS one may carry basic-auth credentials too (security QA). */
  @Test
  void shouldMaskAPasswordInAUrlOfAnyKnob() {
    Settings settings = Settings.load(Map.of("HUB_SECURITY_JWT_JWKS", "https://sso:jwks-pass@id.example.vn/jwks.json"));

    assertThat(HubConfig.describe(settings)).contains("security.jwt.jwks=https://sso:***@id.example.vn/jwks.json")
        .doesNotContain("jwks-pass");
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

  // ---- rules between keys: each names both keys, their values and their variables --------------------------------

  /** The refusal of these settings over the shipped defaults (also GatewayFilesTest's). */
  static ThrowableAssertAlternative<ConfigException> refused(String... keyValues) {
    Map<String, String> overrides = new java.util.HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      overrides.put(keyValues[i], keyValues[i + 1]);
    }
    return assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> HubConfig.from(Settings.of(overrides)));
  }

  /** Raising calendar.first-year past calendar.last-year was reported as an invalid calendar.last-year. */
  @Test
  void shouldNameTheFirstYearWhenItIsAfterTheLastYear() {
    refused("calendar.first-year", "2029")
        .withMessage("config calendar.first-year=2029 must not be after calendar.last-year=2028: the calendar loads the "
            + "years from the first to the last (env HUB_CALENDAR_FIRST_YEAR, HUB_CALENDAR_LAST_YEAR)");
  }

  @Test
  void shouldRefuseAnUpstreamTimeoutNotShorterThanTheRequestDeadline() {
    refused("timeout.redis-enqueue-ms", "12000")
        .withMessageStartingWith("config timeout.redis-enqueue-ms=12000 must be shorter than "
            + "security.request-timeout-ms=10000: ")
        .withMessageEndingWith("(env HUB_TIMEOUT_REDIS_ENQUEUE_MS, HUB_SECURITY_REQUEST_TIMEOUT_MS)");
    refused("timeout.postgres-read-ms", "10000")
        .withMessageContaining("timeout.postgres-read-ms=10000 must be shorter than security.request-timeout-ms=10000");
    refused("timeout.postgres-write-ms", "5000", "security.request-timeout-ms", "4000")
        .withMessageContaining("timeout.postgres-write-ms=5000 must be shorter than security.request-timeout-ms=4000");
    refused("ratelimit.redis-timeout-ms", "3000", "security.request-timeout-ms", "2500")
        .withMessageContaining("ratelimit.redis-timeout-ms=3000 must be shorter than security.request-timeout-ms=2500");
  }

  /**
   * The enqueue script queues nothing past timeout.redis-enqueue-ms less its deadline margin (enqueue-dossier.lua):
   * with 100 ms every submission was answered 503 "queued nothing" by a healthy Redis, and the enqueue's breaker
   * recorded each as a success, so nothing ever took another path.
   */
  @Test
  void shouldRefuseAnEnqueueTimeoutThatLeavesTheScriptNoTimeBeforeItsDeadline() {
    refused("timeout.redis-enqueue-ms", "100")
        .withMessageStartingWith("config timeout.redis-enqueue-ms=100 must be at least 200 ms: ");
    refused("timeout.redis-enqueue-ms", "199")
        .withMessageStartingWith("config timeout.redis-enqueue-ms=199 must be at least 200 ms: ");
  }

  @Test
  void shouldRefuseADegradedSubmissionPathLongerThanTheRequestDeadline() {
    refused("timeout.redis-enqueue-ms", "4000", "timeout.postgres-write-ms", "6000")
        .withMessageStartingWith("config ratelimit.redis-timeout-ms=250 + timeout.redis-enqueue-ms=4000 + "
            + "timeout.postgres-write-ms=6000 = 10250 ms must be shorter than security.request-timeout-ms=10000: "
            + "with degraded.redis-down=postgres ");
  }

  @Test
  void shouldLeaveTheDirectWriteOutOfTheSubmissionPathWhenRedisDownIsRefused() {
    HubConfig config = HubConfig.from(Settings.of(Map.of(
        "timeout.redis-enqueue-ms", "4000", "timeout.postgres-write-ms", "6000", "degraded.redis-down", "refuse")));

    assertThat(config.resilience().breakers().postgresWriteTimeout()).isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void shouldRefuseASlowCallThresholdNotShorterThanTheRequestDeadline() {
    refused("breaker.slow-call-ms", "10000")
        .withMessageContaining("breaker.slow-call-ms=10000 must be shorter than security.request-timeout-ms=10000")
        .withMessageContaining("HUB_BREAKER_SLOW_CALL_MS, HUB_SECURITY_REQUEST_TIMEOUT_MS");
  }

  @Test
  void shouldRefuseAnIdleTimeoutThatClosesConnectionsBeforeTheDeadline() {
    refused("security.idle-timeout-seconds", "5")
        .withMessageContaining("security.idle-timeout-seconds=5 must be longer than security.request-timeout-ms=10000");
  }

  /** Pools shrink after a surge: an idle timeout that would never close (0) or churn connections is refused. */
  @Test
  void shouldRefusePoolIdleTimeoutsOutOfBounds() {
    refused("postgres.idle-timeout-ms", "0")
        .withMessageContaining("postgres.idle-timeout-ms").withMessageContaining("1000..3600000");
    refused("redis.pool-idle-timeout-ms", "3600001")
        .withMessageContaining("redis.pool-idle-timeout-ms").withMessageContaining("1000..3600000");
    HubConfig config = HubConfig.from(Settings.of(Map.of()));
    assertThat(config.postgres().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.postgres().reads().idleTimeout()).as("every pool's").isEqualTo(Duration.ofSeconds(60));
    assertThat(config.redis().poolIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void shouldRefuseARedisWaitQueueShorterThanThePool() {
    refused("redis.pool-size", "64", "redis.pool-waiting", "32")
        .withMessageContaining("redis.pool-waiting=32 must be at least redis.pool-size=64")
        .withMessageEndingWith("(env HUB_REDIS_POOL_WAITING, HUB_REDIS_POOL_SIZE)");
  }

  @Test
  void shouldRefuseAnIntakeReadMarginTheReplicasWaitOutlasts() {
    // the intake closes a Redis connection silent for block + margin: a WAIT for replicas must end before that
    refused("intake.read-margin-ms", "400")
        .withMessageContaining("intake.read-margin-ms=400 must be longer than redis.replica-ack-timeout-ms=500");
  }

  @Test
  void shouldRefuseAReadLingerThatOutlastsHalfTheReadMargin() {
    // the read loop replaces a read connection silent for half the margin before reading on it: a linger that long
    // would make every lingering read open a new Redis client and connection
    refused("intake.read-margin-ms", "1000", "intake.read-linger-ms", "500")
        .withMessageContaining("intake.read-linger-ms=500 must be shorter than half of intake.read-margin-ms=1000")
        .withMessageEndingWith("(env HUB_INTAKE_READ_LINGER_MS, HUB_INTAKE_READ_MARGIN_MS)");
    assertThat(HubConfig.from(Settings.of(Map.of("intake.read-margin-ms", "1000", "intake.read-linger-ms", "499")))
        .intake().readLinger()).hasMillis(499);
  }

  @Test
  void shouldRefuseADrainAnnouncementThatUsesUpTheDrain() {
    refused("drain.announce-ms", "20000")
        .withMessageContaining("drain.announce-ms=20000 must be shorter than drain.timeout-ms=20000");
  }

  @Test
  void shouldRefuseADrainShorterThanTheRequestDeadline() {
    refused("drain.timeout-ms", "5000", "drain.announce-ms", "1000")
        .withMessageContaining("drain.timeout-ms=5000 must be at least security.request-timeout-ms=10000");
  }

  @Test
  void shouldRefuseARateLimitClassWithoutBurst() {
    refused("ratelimit.client-classes", "standard:200/0")
        .withMessageContaining("ratelimit.client-classes='standard:200/0'")
        .withMessageContaining("class 'standard'")
        .withMessageContaining("a burst of at least 1");
    refused("ratelimit.applicant-burst", "0")
        .withMessageContaining("ratelimit.applicant-burst='0' (env HUB_RATELIMIT_APPLICANT_BURST)")
        .withMessageContaining("must be an integer in 1..");
  }

  /** Reads have a budget of their own, by default at their class's limit; a read class needs a class to read for. */
  @Test
  void shouldReadTheClientsReadLimitsAndRefuseAClassWithoutWrites() {
    ResilienceConfig.RateLimits shipped = HubConfig.from(Settings.of(Map.of())).resilience().rateLimits();
    assertThat(shipped.clientReadClasses()).isEmpty();
    assertThat(shipped.forReads("kiosk")).isEqualTo(shipped.forClass("kiosk")).isEqualTo(new ResilienceConfig.Limit(20, 40));
    assertThat(shipped.forReads("no-such-class")).isEqualTo(shipped.forClass("standard"));
    ResilienceConfig.RateLimits set = HubConfig.from(Settings.of(Map.of("ratelimit.client-read-classes",
        "standard:50/100, kiosk:2/4"))).resilience().rateLimits();
    assertThat(set.forReads("kiosk")).isEqualTo(new ResilienceConfig.Limit(2, 4));
    assertThat(set.forReads("no-such-class")).isEqualTo(new ResilienceConfig.Limit(50, 100));
    assertThat(set.forReads("high")).isEqualTo(set.forClass("high"));
    assertThat(set.forClass("standard")).isEqualTo(new ResilienceConfig.Limit(200, 400));
    refused("ratelimit.client-read-classes", "gold:5/10")
        .withMessage("config ratelimit.client-read-classes='gold:5/10' (env HUB_RATELIMIT_CLIENT_READ_CLASSES) names "
            + "class 'gold', which ratelimit.client-classes does not define");
    refused("ratelimit.client-read-classes", "kiosk:5/0").withMessageContaining("a burst of at least 1");
    refused("ratelimit.client-read-classes", "kiosk").withMessageContaining("must list <class>:<per second>/<burst>");
  }

  @Test
  void shouldReadThePerAddressLimitOfPublishableKeysAndRefuseAMalformedOne() {
    ResilienceConfig.RateLimits shipped = HubConfig.from(Settings.of(Map.of())).resilience().rateLimits();
    assertThat(shipped.publishablePerAddress()).contains(new ResilienceConfig.Limit(5, 50));
    assertThat(HubConfig.from(Settings.of(Map.of("ratelimit.publishable-per-address", "off"))).resilience()
        .rateLimits().publishablePerAddress()).isEmpty();
    assertThat(HubConfig.from(Settings.of(Map.of("ratelimit.publishable-per-address", "0.5/20"))).resilience()
        .rateLimits().publishablePerAddress()).contains(new ResilienceConfig.Limit(0.5, 20));
    for (String bad : new String[] {"5", "5/0", "0/50", "five/50", "5/50/1", ""}) {
      refused("ratelimit.publishable-per-address", bad)
          .withMessageContaining("ratelimit.publishable-per-address='" + bad
              + "' (env HUB_RATELIMIT_PUBLISHABLE_PER_ADDRESS)")
          .withMessageContaining("<requests per second>/<burst>");
    }
  }

  /**
   * NaN passed the range check ({@code NaN <= 0} and {@code NaN > 1} are both false) and every later comparison with
   * it is false too: the Redis-memory watermark never shed (config tryout).
   */
  @Test
  void shouldRefuseAMemoryRatioThatIsNotANumber() {
    for (String bad : new String[] {"NaN", "-NaN", "Infinity", "0", "1.01"}) {
      refused("shed.redis-memory-max-ratio", bad)
          .withMessage("config shed.redis-memory-max-ratio='" + bad + "' (env HUB_SHED_REDIS_MEMORY_MAX_RATIO) must be "
              + "a number in (0, 1]");
    }
    assertThat(HubConfig.from(Settings.of(Map.of("shed.redis-memory-max-ratio", "1"))).resilience().shedding()
        .redisMemoryMaxRatio()).isEqualTo(1.0);
  }

  /**
   * A dead-letter stream named like the dossier stream is the dossier stream: every dead letter's copy (its fields,
   * its payload, its dossier id) would be queued again and dead-lettered again, for ever (config tryout).
   */
  @Test
  void shouldRefuseADeadLetterStreamThatIsTheDossierStream() {
    refused("stream.dead-letter-name", "dossiers")
        .withMessageStartingWith("config stream.dead-letter-name=dossiers must differ from stream.name=dossiers")
        .withMessageEndingWith("(env HUB_STREAM_DEAD_LETTER_NAME, HUB_STREAM_NAME)");
    refused("stream.name", "queue", "stream.dead-letter-name", " queue ")
        .withMessageContaining("must differ from stream.name=queue");
  }

  /**
   * A host name that resolves to nothing was refused only once the embedded servers, the migrations and the workers
   * had started, as "could not start: java.net.UnknownHostException: Failed to resolve ..." naming no knob, exit 1.
   */
  @Test
  void shouldRefuseAListenerHostThatNamesNoAddress() {
    for (String bad : new String[] {"no-such-host.invalid", "999.1.1.1"}) {
      refused("http.host", bad)
          .withMessageStartingWith("config http.host='" + bad + "' (env HUB_HTTP_HOST) must be empty, an IP address "
              + "or a name this machine resolves");
    }
    for (String good : new String[] {"127.0.0.1", "0.0.0.0", "::1", "localhost"}) {
      assertThat(HubConfig.from(Settings.of(Map.of("http.host", good))).http().host()).isEqualTo(good);
    }
  }

  /**
   * The JDK reads BSD's IPv4 shorthands (127.1, 127.0.1, 2130706433) as addresses, Vert.x's resolver, which binds the
   * listener, as host names it then fails to resolve: the same late "Failed to resolve" the check above is there for.
   */
  @Test
  void shouldRefuseAnIpv4ShorthandTheListenerCannotBind() {
    for (String bad : new String[] {"127.1", "127.0.1", "2130706433", "256.0.0.1"}) {
      refused("http.host", bad).withMessageStartingWith("config http.host='" + bad + "' (env HUB_HTTP_HOST) must be");
    }
    assertThat(HubConfig.from(Settings.of(Map.of("http.host", "10.0.0.255"))).http().host()).isEqualTo("10.0.0.255");
  }

  /** A class listed twice kept its last limit, and a class with no name was kept, both without a word. */
  @Test
  void shouldRefuseARateLimitClassListedTwiceOrWithoutAName() {
    refused("ratelimit.client-classes", "standard:200/400,kiosk:20/40,kiosk:2/4")
        .withMessage("config ratelimit.client-classes='standard:200/400,kiosk:20/40,kiosk:2/4' (env "
            + "HUB_RATELIMIT_CLIENT_CLASSES) lists class 'kiosk' twice");
    refused("ratelimit.client-classes", "standard:200/400,:5/10")
        .withMessageContaining("must list <class>:<per second>/<burst>");
  }
}
