package vn.onewindow.gateway.validation;

import com.networknt.org.apache.commons.validator.routines.DomainValidator;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Format;
import vn.onewindow.common.infra.Ascii;

/**
 * The schema's {@code "format": "email"}, as strict as networknt's own (Apache Commons' EmailValidator: quoted and
 * escaped local parts, IP literals, IDN domains, the list of top-level domains), and cheaper for the addresses
 * people actually give. An address of the plain form {@code word(.word)*@label(.label)*.tld} (ASCII letters, digits,
 * {@code _ + -} in the words, labels of 1-63 letters, digits and inner hyphens, a top-level domain on Commons' list)
 * is accepted by a character loop; anything else is decided by networknt's format, so nothing it refuses is accepted.
 * Why: its three regular expressions were about 4% of the gateway's CPU per dossier in a profile. The plain form is a
 * subset of what Commons accepts ({@code EmailFormatTest} checks it on generated addresses).
 */
final class EmailFormat implements Format {
  private static final int MAX_LOCAL_PART = 64;
  private static final int MAX_DOMAIN = 253;
  private static final int MAX_LABEL = 63;

  private final Format full = new com.networknt.schema.format.EmailFormat();
  /** The validator networknt's format builds on (local names allowed), for its list of top-level domains. */
  private final DomainValidator domains = DomainValidator.getInstance(true);

  @Override
  public String getName() {
    return full.getName();
  }

  @Override
  public String getMessageKey() {
    return full.getMessageKey();
  }

  @Override
  public boolean matches(ExecutionContext executionContext, String value) {
    return isPlain(value) || full.matches(executionContext, value);
  }

  /** Whether the address has the plain form (see the class comment). */
  boolean isPlain(String s) {
    int at = s.indexOf('@');
    if (at < 1 || at > MAX_LOCAL_PART || !isPlainLocalPart(s, at)) {
      return false;
    }
    int n = s.length();
    if (n - at - 1 > MAX_DOMAIN) {
      return false;
    }
    int labels = 0;
    int start = at + 1;
    while (true) {
      int end = s.indexOf('.', start);
      int stop = end < 0 ? n : end;
      if (!isLabel(s, start, stop)) {
        return false;
      }
      labels++;
      if (end < 0) {
        return labels >= 2 && Ascii.isLetters(s, start, stop) && domains.isValidTld(s.substring(start, stop));
      }
      start = end + 1;
    }
  }

  /** Words of {@code A-Z a-z 0-9 _ + -} separated by single dots. */
  private static boolean isPlainLocalPart(String s, int at) {
    boolean wordStart = true;
    for (int i = 0; i < at; i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (wordStart) {
          return false;
        }
        wordStart = true;
      } else if (Ascii.isLetterOrDigit(c) || c == '_' || c == '+' || c == '-') {
        wordStart = false;
      } else {
        return false;
      }
    }
    return !wordStart;
  }

  /** 1 to 63 ASCII letters, digits and hyphens, starting and ending with a letter or digit. */
  private static boolean isLabel(String s, int from, int to) {
    if (to - from < 1 || to - from > MAX_LABEL || !Ascii.isLetterOrDigit(s.charAt(from))
        || !Ascii.isLetterOrDigit(s.charAt(to - 1))) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (!Ascii.isLetterOrDigit(s.charAt(i)) && s.charAt(i) != '-') {
        return false;
      }
    }
    return true;
  }
}
