package vn.onewindow.common.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Submissions are checked against the agency directory. Tests that spread dossiers over many receiving units (to
 * reach every partition) use a directory of the shipped agencies plus those units, written to a temporary file.
 */
public final class TestAgencies {
  private TestAgencies() {
  }

  /** The shipped directory plus {@code unit.apply(n)} for every n below {@code count}, as an open district unit. */
  public static Path withUnits(IntFunction<String> unit, int count) {
    try (InputStream in = TestAgencies.class.getClassLoader().getResourceAsStream("config/agencies.json")) {
      JsonObject shipped = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      JsonArray agencies = shipped.getJsonArray("agencies");
      Set<String> known = new HashSet<>();
      agencies.forEach(a -> known.add(((JsonObject) a).getString("code")));
      for (int n = 0; n < count; n++) {
        if (known.add(unit.apply(n))) {
          agencies.add(new JsonObject().put("code", unit.apply(n)).put("name", "Test unit " + n)
              .put("level", "district").putNull("parent").put("validFrom", "2016-01-01").putNull("validTo")
              .putNull("successor").put("source", "test").put("verified", false));
        }
      }
      Path file = Files.createTempFile("test-agencies", ".json");
      file.toFile().deleteOnExit();
      Files.writeString(file, shipped.encode());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
