package vn.onewindow.common.warmup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The bodies the warm-ups send through the real code: the shipped example dossiers (config/examples), valid against
 * the contract, the catalogue and the agency directory, and made-up people only (no personal data ever leaves a
 * warm-up, but these hold none to begin with).
 */
public final class WarmupExamples {
  /** The client the warm-ups' synthetic submissions and dossiers belong to: no registered client has this id. */
  public static final String CLIENT_ID = "_warmup";
  private static final List<String> NAMES = List.of("birth-registration.json", "business-registration.json",
      "driving-licence-renewal.json");

  private WarmupExamples() {
  }

  /** Each example's bytes as shipped, in a fixed order. */
  public static List<byte[]> bodies() {
    return NAMES.stream().map(WarmupExamples::load).toList();
  }

  private static byte[] load(String name) {
    try (InputStream in = WarmupExamples.class.getClassLoader().getResourceAsStream("config/examples/" + name)) {
      if (in == null) {
        throw new IllegalStateException("warm-up example config/examples/" + name + " is not on the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
