package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;

/**
 * Citizen IDs, phone numbers, names and addresses, and the officers named in progress events, must never reach a
 * log line. Starts a hub process of its own at INFO, logging to a new file, submits the example applicants
 * (accepted and refused, each tagged with this run's request id) and scans that log, which must hold the run's
 * marker: stale logs of an earlier build cannot make it pass. Runs last in the hub module (an execution of its own, hub/pom.xml) and also scans every other
 * log this build wrote since it started: each module's surefire output (gateway, intake, hub) and the logs of the
 * hub processes started by {@link FaultToleranceTest}.
 */
@Order(Integer.MAX_VALUE)
class PersonalDataInLogsTest {
  /** Citizen IDs the tests generate: 0790xxxxxxxx (end-to-end, load loops), 0011xxxxxxxx (admission tests). */
  private static final Pattern GENERATED_IDS = Pattern.compile("(?<!\\d)(0790|0011)\\d{8}(?!\\d)");
  private static final List<String> EXAMPLES = List.of("birth-registration.json", "driving-licence-renewal.json",
      "business-registration.json");

  @Test
  void shouldFindNoPersonalDataOfTestApplicantsInAnyLog() throws Exception {
    Set<String> needles = new LinkedHashSet<>();
    for (String example : EXAMPLES) {
      JsonObject applicant = new JsonObject(HubEndToEndTest.example(example)).getJsonObject("applicant");
      for (String field : List.of("citizenId", "fullName", "phone", "address", "email")) {
        String value = applicant.getString(field);
        if (value != null && value.length() >= 6) {
          needles.add(value);
        }
      }
    }
    // officers named in the agency tests' progress events (AgencyFlowTest, AgencyRulesTest)
    needles.add(AgencyHub.OFFICER);
    needles.add(AgencyHub.OTHER_OFFICER);
    // the first 28 characters of a UUID, the form a frontend's request id takes (RequestIds adopts only generated
    // forms), its last group led by a letter so that it never has a citizen ID's shape: each request's id is the
    // marker and 8 hex digits of its own
    String marker = UUID.randomUUID().toString().substring(0, 24) + "a" + "0cf";
    Path ownLog = submitThroughAHubOfItsOwn(marker);
    String ownText = Files.readString(ownLog, StandardCharsets.UTF_8);
    assertThat(ownText).as("this run's hub log %s", ownLog).isNotBlank().contains(marker);

    Instant since = buildStarted();
    List<Path> logs = new ArrayList<>(List.of(ownLog));
    int stale = logsOfThisBuild(since, ownLog, logs);
    List<String> findings = new ArrayList<>();
    long bytes = 0;
    for (Path log : logs) {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      bytes += text.length();
      for (String needle : needles) {
        if (text.contains(needle)) {
          findings.add(log.getFileName() + " contains the test applicant value '" + needle.charAt(0) + "...'");
        }
      }
      Matcher generated = GENERATED_IDS.matcher(text);
      if (generated.find()) {
        findings.add(log.getFileName() + " contains a generated citizen ID");
      }
    }
    System.out.printf("personal data scan: run marker %s found in this run's hub log (%d lines); %d log files "
            + "written since %s, %d KiB, %d older files skipped, %d values searched, %d found%n", marker,
        ownText.lines().count(), logs.size(), since, bytes / 1024, stale, needles.size() + 1, findings.size());
    assertThat(findings).isEmpty();
  }

  /**
   * Posts each example dossier (accepted) and an invalid copy of each (refused 422, the case most tempted to log
   * the body) with request ids carrying {@code marker}; waits until the accepted ones are persisted and the marker
   * has reached the log, then stops the hub. Returns its log.
   */
  private static Path submitThroughAHubOfItsOwn(String marker) throws Exception {
    HubConfig config = TestServers.get().config(Map.of());
    Migrations.apply(config.postgres());
    HttpClient http = HttpClient.newHttpClient();
    try (HubProcess hub = HubProcess.start(config, Map.of(), "INFO")) {
      int n = 0;
      for (String example : EXAMPLES) {
        JsonObject dossier = new JsonObject(HubEndToEndTest.example(example));
        assertThat(post(http, hub.port, requestId(marker, n++), dossier.encode())).isEqualTo(202);
        dossier.put("procedureCode", "not-a-procedure");
        assertThat(post(http, hub.port, requestId(marker, n++), dossier.encode())).isEqualTo(422);
      }
      String generated = HubEndToEndTest.withApplicant(HubEndToEndTest.example(EXAMPLES.get(0)), 424_242);
      assertThat(post(http, hub.port, requestId(marker, n), generated)).isEqualTo(202);
      int accepted = EXAMPLES.size() + 1;
      // deadlines: the intake's claim-idle period (a first delivery may be lost to start-up) and its retry backoff
      Duration persistDeadline = config.intake().claimIdle().plus(config.intake().retryBackoff()).multipliedBy(2);
      Await.until(persistDeadline, accepted + " dossiers persisted",
          () -> TestServers.queryLong(config.postgres().url(), "SELECT count(*) FROM dossier") == accepted);
      Await.until(Duration.ofSeconds(10), "the run marker in the hub's log",
          () -> readQuietly(hub.log).contains(marker));
      return hub.log;
    }
  }

  /** A UUID: the marker's 28 characters and {@code n} in 8 hex digits. */
  private static String requestId(String marker, int n) {
    return marker + String.format("%08x", n);
  }

  private static int post(HttpClient http, int port, String requestId, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/dossiers"))
        .header("Content-Type", "application/json").header("X-Api-Key", HubEndToEndTest.API_KEY)
        .header("X-Request-Id", requestId).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static String readQuietly(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * When this build started (set by the hub module's surefire configuration; this JVM's start when run from an IDE).
   */
  private static Instant buildStarted() {
    String started = System.getProperty("hub.build.started", "");
    return started.isBlank() ? Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime())
        : Instant.parse(started);
  }

  /** Adds the logs written since {@code since} to {@code logs}; returns how many older ones were skipped. */
  private static int logsOfThisBuild(Instant since, Path ownLog, List<Path> logs) throws IOException {
    List<Path> candidates = new ArrayList<>();
    for (String module : List.of("gateway", "intake", "hub", "common")) {
      Path reports = Path.of("..", module, "target", "surefire-reports");
      if (Files.isDirectory(reports)) {
        try (Stream<Path> files = Files.list(reports)) {
          files.filter(p -> p.getFileName().toString().endsWith("-output.txt")).forEach(candidates::add);
        }
      }
    }
    try (Stream<Path> files = Files.list(ownLog.getParent())) {
      files.filter(p -> !p.equals(ownLog)).forEach(candidates::add);
    }
    int stale = 0;
    for (Path candidate : candidates) {
      if (Files.getLastModifiedTime(candidate).toInstant().isBefore(since)) {
        stale++;
      } else {
        logs.add(candidate);
      }
    }
    return stale;
  }
}
