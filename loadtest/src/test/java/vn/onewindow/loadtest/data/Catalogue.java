package vn.onewindow.loadtest.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The procedure catalogue the hub validates against ({@code config/procedures.json}, copied onto the test classpath
 * by the pom), so generated dossiers follow the same rules: required form fields, attachment count, channels and
 * applicant types. Inactive procedures are kept out of the load (the hub refuses them with 422).
 */
public final class Catalogue {

  public record Procedure(String code, String name, String nameEn, List<String> channels, List<String> applicantTypes,
                          List<String> requiredFields, int requiredAttachments) {
  }

  public static final String RESOURCE = "config/procedures.json";

  private final String version;
  private final List<Procedure> active;
  private final int total;

  private Catalogue(String version, List<Procedure> active, int total) {
    this.version = version;
    this.active = List.copyOf(active);
    this.total = total;
  }

  /** {@code -Dcatalogue=path} overrides the copy on the classpath. */
  public static Catalogue load() {
    String override = System.getProperty("catalogue");
    try (InputStream in = override != null && !override.isBlank()
        ? Files.newInputStream(Path.of(override))
        : Catalogue.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath (the pom copies ../config/procedures.json)");
      }
      return parse(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("procedure catalogue could not be read", e);
    }
  }

  static Catalogue parse(JsonNode root) {
    List<Procedure> active = new ArrayList<>();
    int total = 0;
    for (JsonNode p : root.path("procedures")) {
      total++;
      if (!p.path("active").asBoolean(true)) {
        continue;
      }
      active.add(new Procedure(p.path("code").asText(), p.path("name").asText(), p.path("nameEn").asText(),
          strings(p.path("channels")), strings(p.path("applicantTypes")), strings(p.path("requiredFields")),
          p.path("requiredAttachments").asInt(0)));
    }
    if (active.isEmpty()) {
      throw new IllegalStateException("the procedure catalogue has no active procedure");
    }
    return new Catalogue(root.path("version").asText("unversioned"), active, total);
  }

  public List<Procedure> active() {
    return active;
  }

  public int total() {
    return total;
  }

  public String version() {
    return version;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
