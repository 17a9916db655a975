package vn.onewindow.common.dossier;

import vn.onewindow.common.infra.Ascii;

/**
 * The shape of a citizen's personal identification number (CCCD): 12 ASCII digits. One rule for the dossier schema's
 * {@code applicant.citizenId} pattern and a citizen token's claim, so a token and the dossiers it may submit can never
 * disagree on what a citizen id is.
 */
public final class CitizenId {
  public static final int LENGTH = 12;

  private CitizenId() {
  }

  public static boolean isWellFormed(String value) {
    return value.length() == LENGTH && Ascii.isDigits(value, 0, LENGTH);
  }
}
