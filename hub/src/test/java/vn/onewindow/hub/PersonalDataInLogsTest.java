package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Citizen IDs, phone numbers, names and addresses must never reach a log line. Runs last in the hub module and
 * scans every log this build's tests produced: each module's surefire output (gateway, intake, hub — their tests
 * submit dossiers of the example applicants and of generated ones) and the logs of the hub processes started by
 * {@link FaultToleranceTest}.
 */
@Order(Integer.MAX_VALUE)
class PersonalDataInLogsTest {
  /** Citizen IDs the tests generate: 0790xxxxxxxx (end-to-end, load loops), 0011xxxxxxxx (admission tests). */
  private static final Pattern GENERATED_IDS = Pattern.compile("(?<!\\d)(0790|0011)\\d{8}(?!\\d)");

  @Test
  void shouldFindNoPersonalDataOfTestApplicantsInAnyLog() throws IOException {
    Set<String> needles = new LinkedHashSet<>();
    for (String example : List.of("birth-registration.json", "driving-licence-renewal.json",
        "business-registration.json")) {
      JsonObject applicant = new JsonObject(HubEndToEndTest.example(example)).getJsonObject("applicant");
      for (String field : List.of("citizenId", "fullName", "phone", "address", "email")) {
        String value = applicant.getString(field);
        if (value != null && value.length() >= 6) {
          needles.add(value);
        }
      }
    }
    List<Path> logs = logsOfThisBuild();
    assertThat(logs).as("logs to scan").isNotEmpty();

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
    System.out.printf("personal data scan: %d log files, %d KiB, %d values searched, %d found%n",
        logs.size(), bytes / 1024, needles.size() + 1, findings.size());
    assertThat(findings).isEmpty();
  }

  private static List<Path> logsOfThisBuild() throws IOException {
    List<Path> logs = new ArrayList<>();
    for (String module : List.of("gateway", "intake", "hub", "common")) {
      Path reports = Path.of("..", module, "target", "surefire-reports");
      if (Files.isDirectory(reports)) {
        try (Stream<Path> files = Files.list(reports)) {
          files.filter(p -> p.getFileName().toString().endsWith("-output.txt")).forEach(logs::add);
        }
      }
    }
    Path processLogs = Path.of("target", "hub-process-logs");
    if (Files.isDirectory(processLogs)) {
      try (Stream<Path> files = Files.list(processLogs)) {
        files.forEach(logs::add);
      }
    }
    return logs;
  }
}
