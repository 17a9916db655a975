package vn.onewindow.common.infra;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Lower-case hex digests (request bodies, applicant keys, API keys, Lua scripts). */
public final class Digests {
  private Digests() {
  }

  public static String sha256Hex(byte[] bytes) {
    return hex("SHA-256", bytes);
  }

  public static String sha256Hex(String text) {
    return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }

  public static String hex(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no " + algorithm, e);
    }
  }
}
