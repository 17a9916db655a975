package vn.onewindow.common.dossier;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * The official dossier code (Circular 01/2018/TT-VPCP art. 19): {@code <receiving unit>-YYMMDD-XXXX}, the receipt
 * date and a per-unit daily sequence of at least four digits. The one owner of the format: the Redis enqueue script
 * gets {@link #SEQUENCE_FORMAT} from here, the direct PostgreSQL path formats with {@link #of}.
 */
public final class DossierCode {
  /** {@code String.format}/Lua {@code string.format} pattern of prefix and sequence. */
  public static final String SEQUENCE_FORMAT = "%s-%04d";
  /** Past 9,999 in a day the number simply widens (10000...): codes stay unique and the day never refuses one. */
  public static final Pattern PATTERN = Pattern.compile("\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2}-\\d{6}-\\d{4,}");
  private static final DateTimeFormatter YYMMDD = DateTimeFormatter.ofPattern("yyMMdd");

  private DossierCode() {
  }

  /** {@code <receiving unit>-YYMMDD}: what every code of that unit and day starts with. */
  public static String prefix(String receivingUnit, LocalDate receiptDate) {
    return receivingUnit + "-" + receiptDate.format(YYMMDD);
  }

  /** The day part alone, e.g. {@code 261123}, as it keys the daily sequence. */
  public static String day(LocalDate receiptDate) {
    return receiptDate.format(YYMMDD);
  }

  public static String of(String receivingUnit, LocalDate receiptDate, long sequence) {
    return String.format(SEQUENCE_FORMAT, prefix(receivingUnit, receiptDate), sequence);
  }
}
