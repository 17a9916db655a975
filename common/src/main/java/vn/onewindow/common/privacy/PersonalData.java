package vn.onewindow.common.privacy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks applicants' personal data (citizen ID, phone, name, address) wherever it could leave the process in clear:
 * log lines above all. Code logs dossier ids and codes, never applicants; {@link #maskFreeText} is the safety net
 * for whatever slips through (see {@link PersonalDataMasker}).
 */
public final class PersonalData {
  /** 12-digit personal ID (CCCD) or 9-digit legacy ID card (CMND), not part of a longer token (ids, timestamps). */
  private static final Pattern ID_LIKE = Pattern.compile("(?<![\\w.-])(\\d{9}|\\d{12})(?![\\w-])");
  /** Vietnamese phone numbers: 0 or +84 then 9 or 10 digits. */
  private static final Pattern PHONE_LIKE = Pattern.compile("(?<![\\w.+-])(?:\\+84|0)\\d{9,10}(?![\\w-])");
  /** Enough of a masked number to tell two apart in a log, far too little to identify anyone. */
  private static final int VISIBLE_TAIL = 3;

  private PersonalData() {
  }

  /** {@code 001203004567} becomes {@code *********567}: enough to tell two dossiers apart, not to identify. */
  public static String maskId(String citizenId) {
    return maskDigits(citizenId);
  }

  /** {@code 0912345678} becomes {@code *******678}. */
  public static String maskPhone(String phone) {
    return maskDigits(phone);
  }

  /** {@code Nguyễn Thị Mai} becomes {@code N. T. M.}. */
  public static String maskName(String name) {
    if (name == null || name.isBlank()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (String word : name.strip().split("\\s+")) {
      out.appendCodePoint(word.codePointAt(0)).append(". ");
    }
    return out.toString().strip();
  }

  /** Only the last comma-separated part (the province) survives: {@code ***, Hà Nội}. */
  public static String maskAddress(String address) {
    if (address == null || address.isBlank()) {
      return "";
    }
    int comma = address.lastIndexOf(',');
    return comma < 0 ? "***" : "***, " + address.substring(comma + 1).strip();
  }

  /** Masks every ID-like and phone-like number in a free text (a log message, an exception message). */
  public static String maskFreeText(String text) {
    if (text == null || text.length() < 9) {
      return text;
    }
    String phonesMasked = replace(PHONE_LIKE, text);
    return replace(ID_LIKE, phonesMasked);
  }

  /** True when {@link #maskFreeText} would change the text. */
  public static boolean containsIdOrPhone(String text) {
    return text != null && (PHONE_LIKE.matcher(text).find() || ID_LIKE.matcher(text).find());
  }

  private static String replace(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    do {
      m.appendReplacement(out, Matcher.quoteReplacement(maskDigits(m.group())));
    } while (m.find());
    m.appendTail(out);
    return out.toString();
  }

  private static String maskDigits(String value) {
    if (value == null || value.isEmpty()) {
      return "";
    }
    int visible = value.length() > VISIBLE_TAIL * 2 ? VISIBLE_TAIL : 0;
    return "*".repeat(value.length() - visible) + value.substring(value.length() - visible);
  }
}
