package vn.onewindow.common.agency;

import java.util.regex.Pattern;

/** The QCVN 102:2016 code shape {@code V1V2V3.Z1Z2.Y1Y2.MX1X2}, e.g. {@code 000.00.53.H48}. */
public final class AgencyCode {

  /** Same shape as the {@code receivingUnit} pattern in {@code config/schema/dossier-submission.schema.json}. */
  private static final Pattern SHAPE = Pattern.compile("\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2}");

  private AgencyCode() {
  }

  public static boolean isWellFormed(String code) {
    return code != null && SHAPE.matcher(code).matches();
  }

  /** The last segment, M plus two digits: the province (or ministry) the code belongs to. */
  static String lastSegment(String code) {
    return code.substring(code.lastIndexOf('.') + 1);
  }
}
