package vn.onewindow.loadtest.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agency codes the hub accepts today, from the same directory it validates against ({@code config/agencies.json},
 * copied onto the test classpath by the pom), grouped by province segment ({@code H48}). Generated dossiers draw
 * their receiving unit and handling agency from here, so the load never meets a 422 for an unknown or closed code.
 */
public final class AgencyCodes {
  public static final String RESOURCE = "config/agencies.json";

  private final Map<String, List<String>> byProvince;

  private AgencyCodes(Map<String, List<String>> byProvince) {
    this.byProvince = byProvince;
  }

  public static AgencyCodes load() {
    try (InputStream in = AgencyCodes.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath (the pom copies ../config/agencies.json)");
      }
      return parse(new ObjectMapper().readTree(in), LocalDate.now());
    } catch (IOException e) {
      throw new UncheckedIOException("agency directory could not be read", e);
    }
  }

  /** The codes valid on {@code day}: validFrom on or before it, validTo (exclusive) after it or open. */
  static AgencyCodes parse(JsonNode root, LocalDate day) {
    Map<String, List<String>> byProvince = new TreeMap<>();
    for (JsonNode a : root.path("agencies")) {
      boolean started = !LocalDate.parse(a.path("validFrom").asText()).isAfter(day);
      boolean open = a.path("validTo").isNull() || LocalDate.parse(a.path("validTo").asText()).isAfter(day);
      if (started && open) {
        String code = a.path("code").asText();
        byProvince.computeIfAbsent(code.substring(code.lastIndexOf('.') + 1), p -> new ArrayList<>()).add(code);
      }
    }
    return new AgencyCodes(byProvince);
  }

  /** Valid codes of one province segment (e.g. H48); empty when the directory has none. */
  public List<String> of(String province) {
    return byProvince.getOrDefault(province, List.of());
  }

  /** Every valid code, by province segment. */
  public Map<String, List<String>> byProvince() {
    return byProvince;
  }
}
