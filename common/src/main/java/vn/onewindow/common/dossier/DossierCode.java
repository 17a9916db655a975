package vn.onewindow.common.dossier;

import java.time.LocalDate;
import java.util.Optional;
import java.util.regex.Pattern;
import vn.onewindow.common.infra.LastValue;

/**
 * The official dossier code (Circular 01/2018/TT-VPCP art. 19): {@code <receiving unit>-YYMMDD-XXXX}, the receipt
 * date and a per-unit daily sequence of at least four digits. The one owner of the format: the Redis enqueue script
 * gets {@link #SEQUENCE_FORMAT} from here, the direct PostgreSQL path formats with {@link #of}.
 *
 * <p><b>Two disjoint, unbounded number spaces.</b> A sequence whose zero-padded form starts with '9' belongs to the
 * direct PostgreSQL path (Redis down): 9000-9999, then 90000-99999, 900000-999999... Every other number belongs to
 * the Redis path: 0001-8999, then 10000-89999, 100000-899999... The Redis counter's n-th value is the n-th number of
 * its space ({@link #queueSequence}; lua/dossier-code.lua does the same in Redis), the direct path's k-th dossier of
 * a unit and day gets the k-th number of the other ({@link #directSequence}). An ordinary day looks exactly as
 * before (0001, 0002...) and no volume on either path can ever reach the other's codes.
 */
public final class DossierCode {
  /** {@code String.format}/Lua {@code string.format} pattern of prefix and sequence. */
  public static final String SEQUENCE_FORMAT = "%s-%04d";
  /** Past the 4-digit numbers of a space the number simply widens: codes stay unique and no day refuses one. */
  public static final Pattern PATTERN = Pattern.compile("\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2}-\\d{6}-\\d{4,}");
  /** Numbers of 4 digits or fewer (zero-padded) not starting with 9: 1..8999. */
  private static final long QUEUE_FOUR_DIGITS = 8_999;
  /** 9000..9999. */
  private static final long DIRECT_FOUR_DIGITS = 1_000;
  /** A day's count of one unit far beyond any real one, and within a long. */
  private static final int MAX_SEQUENCE_DIGITS = 15;
  /** The last {@link #day} written (every dossier of a day has it). */
  private static final LastValue<LocalDate, String> DAY = new LastValue<>(DossierCode::digits);

  private DossierCode() {
  }

  /** {@code <receiving unit>-YYMMDD}: what every code of that unit and day starts with. */
  public static String prefix(String receivingUnit, LocalDate receiptDate) {
    return receivingUnit + "-" + day(receiptDate);
  }

  /**
   * The day part alone, e.g. {@code 261123}, as it keys the daily sequence. Per request, twice: the last day written
   * is kept (every dossier of a day has it), the text of another day is made from its digits, not by a formatter.
   */
  public static String day(LocalDate receiptDate) {
    return DAY.get(receiptDate);
  }

  private static String digits(LocalDate date) {
    int yymmdd = date.getYear() % 100 * 10_000 + date.getMonthValue() * 100 + date.getDayOfMonth();
    return Integer.toString(1_000_000 + yymmdd).substring(1);
  }

  public static String of(String receivingUnit, LocalDate receiptDate, long sequence) {
    return String.format(SEQUENCE_FORMAT, prefix(receivingUnit, receiptDate), sequence);
  }

  /** The n-th number (n &ge; 1) whose zero-padded form does not start with 9: the Redis path's n-th code. */
  public static long queueSequence(long n) {
    requirePositive(n);
    if (n <= QUEUE_FOUR_DIGITS) {
      return n;
    }
    long rest = n - QUEUE_FOUR_DIGITS;
    long base = 10_000; // first number of the next width; each width w > 4 holds 8 * 10^(w-1) of them
    while (rest > 8 * base) {
      rest -= 8 * base;
      base *= 10;
    }
    return base + rest - 1;
  }

  /**
   * The inverse of {@link #queueSequence}: which value of the Redis counter issued code number {@code sequence} (a
   * number of the Redis path's space, &ge; 1). What a counter is seeded with from the codes PostgreSQL holds.
   */
  public static long queueIndex(long sequence) {
    requirePositive(sequence);
    if (isDirect(sequence)) {
      throw new IllegalArgumentException(sequence + " is a number of the direct path, not of the Redis counter");
    }
    if (sequence <= QUEUE_FOUR_DIGITS) {
      return sequence;
    }
    long before = QUEUE_FOUR_DIGITS;
    long base = 10_000;
    while (sequence >= base * 10) {
      before += 8 * base;
      base *= 10;
    }
    return before + sequence - base + 1;
  }

  /** The k-th number (k &ge; 1) whose zero-padded form starts with 9: the direct path's k-th code. */
  public static long directSequence(long k) {
    requirePositive(k);
    long rest = k;
    long count = DIRECT_FOUR_DIGITS; // 9000..9999, then 90000..99999 (10^4 of them), ...
    long first = 9_000;
    while (rest > count) {
      rest -= count;
      count *= 10;
      first *= 10;
    }
    return first + rest - 1;
  }

  /** A code's three parts: the receiving unit, the day ({@link #day}'s digits) and the sequence number. */
  public record Parts(String receivingUnit, String yymmdd, long sequence) {
  }

  /**
   * The parts of a code of {@link #PATTERN}'s form; empty for any other text, for a number padded wider than
   * {@link #SEQUENCE_FORMAT} writes it ("-00001" is no code the hub gives, though 1 is a number a counter reaches),
   * and for a sequence no counter reaches (beyond a long's digits, or 0).
   */
  public static Optional<Parts> parts(String code) {
    if (code == null || !PATTERN.matcher(code).matches()) {
      return Optional.empty();
    }
    int dayStart = code.indexOf('-') + 1;
    int sequenceStart = dayStart + 7;
    String digits = code.substring(sequenceStart);
    if (digits.length() > MAX_SEQUENCE_DIGITS || digits.length() > 4 && digits.charAt(0) == '0') {
      return Optional.empty();
    }
    long sequence = Long.parseLong(digits);
    return sequence < 1 ? Optional.empty()
        : Optional.of(new Parts(code.substring(0, dayStart - 1), code.substring(dayStart, dayStart + 6), sequence));
  }

  /** Whether a sequence number belongs to the direct path's space (its zero-padded form starts with 9). */
  public static boolean isDirect(long sequence) {
    return String.format("%04d", sequence).charAt(0) == '9';
  }

  private static void requirePositive(long n) {
    if (n < 1) {
      throw new IllegalArgumentException("sequence numbers start at 1, was " + n);
    }
  }
}
