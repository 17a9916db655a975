package vn.onewindow.common.agency;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every agency code the shipped config uses must be open today, or the examples stop being accepted. */
class AgencyDirectoryCoverageTest {

  private static final Path CONFIG = Path.of("..", "config");
  private static final LocalDate TODAY = LocalDate.now(java.time.ZoneId.of("Asia/Ho_Chi_Minh"));
  /** A full procedure code ends in the publishing agency's code: 1.001612.000.00.00.H48. */
  private static final Pattern PUBLISHER = Pattern.compile("^[12]\\.\\d{6}\\.(\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2})$");

  private final AgencyDirectory directory = AgencyDirectory.load(CONFIG.resolve("agencies.json"));

  @Test
  void shouldResolveEveryExampleAgencyAsValidToday() throws IOException {
    List<String> codes = new ArrayList<>();
    try (Stream<Path> examples = Files.list(CONFIG.resolve("examples"))) {
      for (Path example : examples.filter(p -> p.toString().endsWith(".json")).toList()) {
        JsonObject dossier = new JsonObject(Files.readString(example));
        codes.add(dossier.getString("receivingUnit"));
        codes.add(dossier.getString("handlingAgency"));
      }
    }

    assertThat(codes).isNotEmpty().allSatisfy(this::assertValidToday);
  }

  @Test
  void shouldResolveEveryProcedurePublisherAsValidToday() throws IOException {
    JsonObject catalogue = new JsonObject(Files.readString(CONFIG.resolve("procedures.json")));
    List<String> publishers = catalogue.getJsonArray("procedures").stream()
        .map(p -> PUBLISHER.matcher(((JsonObject) p).getString("code")))
        .filter(Matcher::matches).map(m -> m.group(1)).distinct().toList();

    assertThat(publishers).isNotEmpty().allSatisfy(this::assertValidToday);
  }

  private void assertValidToday(String code) {
    assertThat(directory.resolve(code, TODAY)).as(code).isInstanceOf(Resolution.Valid.class);
  }
}
