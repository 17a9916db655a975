package vn.onewindow.gateway.security;

import java.nio.charset.StandardCharsets;
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
  static final int MIN_LENGTH = 8;
  static final int MAX_LENGTH = 256;
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

  /**
   * Whether a key can be presented at all: 8 to 256 printable ASCII characters without space ({@code
   * [\x21-\x7E]{8,256}}), checked on every request before hashing, by a loop rather than a regex.
   */
  static boolean isPresentable(String key) {
    if (key == null || key.length() < MIN_LENGTH || key.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      if (key.charAt(i) < 0x21 || key.charAt(i) > 0x7E) {
        return false;
      }
    }
    return true;
  }

  static byte[] digest(String key) {
    return Digests.sha256(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The digest bytes of a stored hash; the caller has checked it against {@link #STORED_HASH}. */
  static byte[] storedDigest(String storedHash) {
    return HexFormat.of().parseHex(storedHash.substring(HASH_PREFIX.length()));
  }
}
