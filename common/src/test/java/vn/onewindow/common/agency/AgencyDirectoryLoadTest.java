package vn.onewindow.common.agency;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onewindow.common.config.ConfigException;

class AgencyDirectoryLoadTest {

  private static final String OPEN = entry("000.00.00.H48", "2016-01-01", null, null);

  @TempDir
  Path dir;

  @Test
  void shouldRejectADuplicateCode() {
    assertRejected("entry '000.00.00.H48': duplicate code", OPEN, OPEN);
  }

  @Test
  void shouldRejectABadCodeFormat() {
    assertRejected("entry #2 '000.00.H49': code must look like 000.00.53.H48",
        OPEN, entry("000.00.H49", "2016-01-01", null, null));
  }

  @Test
  void shouldRejectAnUnknownParent() {
    assertRejected("entry '000.00.53.H48': parent '000.00.00.H99' is not in the directory", OPEN,
        "{\"code\": \"000.00.53.H48\", \"name\": \"Unit\", \"level\": \"department\", \"parent\": \"000.00.00.H99\","
            + " \"validFrom\": \"2016-01-01\"}");
  }

  @Test
  void shouldRejectAnUnknownSuccessor() {
    assertRejected("entry '000.00.00.H49': successor '000.00.00.H47' is not in the directory",
        OPEN, entry("000.00.00.H49", "2016-01-01", "2025-07-01", "000.00.00.H47"));
  }

  @Test
  void shouldRejectASuccessorChainWithNoOpenEnd() {
    assertRejected("never reaches an open code", OPEN,
        entry("000.00.00.H49", "2016-01-01", "2025-07-01", "000.00.00.H50"),
        entry("000.00.00.H50", "2016-01-01", "2025-07-01", "000.00.00.H49"));
  }

  @Test
  void shouldRejectAClosedCodeAsItsOwnSuccessor() {
    assertRejected("never reaches an open code", OPEN,
        entry("000.00.00.H49", "2016-01-01", "2025-07-01", "000.00.00.H49"));
  }

  @Test
  void shouldRejectValidToBeforeValidFrom() {
    assertRejected("entry '000.00.00.H49': validTo 2015-07-01 must be after validFrom 2016-01-01",
        OPEN, entry("000.00.00.H49", "2016-01-01", "2015-07-01", "000.00.00.H48"));
  }

  @Test
  void shouldRejectAClosedCodeWithoutSuccessor() {
    assertRejected("entry '000.00.00.H49': closed on 2025-07-01 without a successor",
        OPEN, entry("000.00.00.H49", "2016-01-01", "2025-07-01", null));
  }

  @Test
  void shouldRejectASuccessorThatStartsAfterTheCodeCloses() {
    assertRejected("successor '000.00.00.H50' only starts on 2026-01-01",
        entry("000.00.00.H50", "2026-01-01", null, null),
        entry("000.00.00.H49", "2016-01-01", "2025-07-01", "000.00.00.H50"));
  }

  @Test
  void shouldRejectAnUnknownLevelAndABadDate() {
    assertRejected("level 'ward' must be one of national, province, department, district, commune",
        "{\"code\": \"000.00.00.H48\", \"name\": \"x\", \"level\": \"ward\", \"validFrom\": \"2016-01-01\"}");
    assertRejected("validTo '1/7/2025' must be a date such as 2025-07-01",
        "{\"code\": \"000.00.00.H48\", \"name\": \"x\", \"level\": \"province\", \"validFrom\": \"2016-01-01\","
            + " \"validTo\": \"1/7/2025\"}");
  }

  @Test
  void shouldRejectAFileThatIsNotADirectory() throws IOException {
    Path file = Files.writeString(dir.resolve("agencies.json"), "[1, 2]");

    assertThatThrownBy(() -> AgencyDirectory.load(file)).isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString());
  }

  /** Loaded as dossier.agency-directory names it, every error names that key and its variable (ops QA). */
  @Test
  void shouldNameTheKnobAndItsVariableWhenLoadedFromTheSetting() throws IOException {
    assertThatThrownBy(() -> AgencyDirectory.load("/nonexistent/agencies.json")).isInstanceOf(ConfigException.class)
        .hasMessage("agency directory '/nonexistent/agencies.json' (dossier.agency-directory, env "
            + "HUB_DOSSIER_AGENCY_DIRECTORY) is neither a file nor on the classpath");
    Path file = Files.writeString(dir.resolve("agencies.json"), "{\"agencies\": [" + OPEN + ", " + OPEN + "]}");
    assertThatThrownBy(() -> AgencyDirectory.load(file.toString())).isInstanceOf(ConfigException.class)
        .hasMessage("agency directory '" + file + "' (dossier.agency-directory, env HUB_DOSSIER_AGENCY_DIRECTORY) "
            + "entry '000.00.00.H48': duplicate code");
  }

  private void assertRejected(String message, String... entries) {
    Path file;
    try {
      file = Files.writeString(dir.resolve("agencies.json"), "{\"agencies\": [" + String.join(",\n", entries) + "]}");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    assertThatThrownBy(() -> AgencyDirectory.load(file)).isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining(message);
  }

  private static String entry(String code, String from, String to, String successor) {
    return "{\"code\": \"" + code + "\", \"name\": \"Agency " + code + "\", \"level\": \"province\", \"parent\": null,"
        + " \"validFrom\": \"" + from + "\", \"validTo\": " + quoted(to) + ", \"successor\": " + quoted(successor)
        + ", \"source\": \"test\", \"verified\": false}";
  }

  private static String quoted(String value) {
    return value == null ? "null" : "\"" + value + "\"";
  }
}
