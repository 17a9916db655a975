package vn.onewindow.common.infra;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Lower-case hex digests (request bodies, applicant keys, API keys, Lua scripts). */
public final class Digests {
  /**
   * One SHA-256 instance per thread (a MessageDigest is not thread-safe; {@code digest} resets it): looking the
   * algorithm up in the providers for every request body and API key cost more than hashing them.
   */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> instance("SHA-256"));

  private Digests() {
  }

  public static byte[] sha256(byte[] bytes) {
    return SHA_256.get().digest(bytes);
  }

  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256(bytes));
  }

  public static String sha256Hex(String text) {
    return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }

  public static String hex(String algorithm, byte[] bytes) {
    return HexFormat.of().formatHex(instance(algorithm).digest(bytes));
  }

  private static MessageDigest instance(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no " + algorithm, e);
    }
  }
}
