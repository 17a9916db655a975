package vn.onewindow.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;
import vn.onewindow.common.infra.Digests;

/**
 * API keys and their stored form. Keys are 256-bit random strings, so a plain SHA-256 is the right hash: there is
 * nothing to brute-force that a slow, salted hash would protect, and it is checked on every request.
 */
public final class ApiKeys {
  public static final String HASH_PREFIX = "sha256:";
  /** What a presented key may look like at all: printable ASCII, no spaces, bounded length. */
  static final Pattern PRESENTABLE = Pattern.compile("[\\x21-\\x7E]{8,256}");
  static final Pattern STORED_HASH = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {
  }

  /** A new key: "owk_" and 32 random bytes in base64url (the prefix lets secret scanners find leaked keys). */
  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "owk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The form stored in clients.json: {@code sha256:<64 lower-case hex digits>}. */
  public static String hash(String key) {
    return HASH_PREFIX + Digests.sha256Hex(key);
  }

  static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** The digest bytes of a stored hash; the caller has checked it against {@link #STORED_HASH}. */
  static byte[] storedDigest(String storedHash) {
    return HexFormat.of().parseHex(storedHash.substring(HASH_PREFIX.length()));
  }
}
