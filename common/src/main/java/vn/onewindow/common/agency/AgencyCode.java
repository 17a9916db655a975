package vn.onewindow.common.agency;

import vn.onewindow.common.infra.Ascii;

/** The QCVN 102:2016 code shape {@code V1V2V3.Z1Z2.Y1Y2.MX1X2}, e.g. {@code 000.00.53.H48}. */
public final class AgencyCode {

  private static final int LENGTH = 13;

  private AgencyCode() {
  }

  /**
   * The shape {@code \d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}} (the {@code receivingUnit} pattern of {@code
   * config/schema/dossier-submission.schema.json}), decided by position rather than a regex: every submission checks
   * several codes (the gateway's {@code SchemaPatternsTest} holds it to the regex).
   */
  public static boolean isWellFormed(String code) {
    if (code == null || code.length() != LENGTH) {
      return false;
    }
    for (int i = 0; i < LENGTH; i++) {
      char c = code.charAt(i);
      // dots at 3, 6 and 9, the letter at 10, ASCII digits everywhere else
      boolean ok = switch (i) {
        case 3, 6, 9 -> c == '.';
        case 10 -> c >= 'A' && c <= 'Z';
        default -> Ascii.isDigit(c);
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The last segment, M plus two digits: the province (or ministry) the code belongs to. */
  static String lastSegment(String code) {
    return code.substring(code.lastIndexOf('.') + 1);
  }
}
