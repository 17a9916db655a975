package vn.onewindow.common.calendar;

/**
 * A day the loaded official calendar does not cover: no working day can be told for it, so no due date can be
 * computed. A subtype of {@link IllegalArgumentException} so that callers can tell this expected, data-driven limit
 * (a receipt time a client chose, or today once the loaded years run out) from a bug, and answer it precisely.
 *
 * <p>The message names years only, never the day or time asked about: it reaches logs, and a receipt time next to a
 * request id is enough to find a citizen's dossier.
 */
public final class CalendarNotCoveredException extends IllegalArgumentException {
  /** The years a loaded calendar covers; {@link #toString()} writes them as people read them: 2025-2028, or 2027. */
  public record Years(int first, int last) {
    @Override
    public String toString() {
      return first == last ? Integer.toString(first) : first + "-" + last;
    }
  }

  private final Years covered;

  /** {@code year}: the year of the day asked about, named in the message only (the file to add). */
  public CalendarNotCoveredException(Years covered, int year) {
    super("the official calendar covers " + covered.first() + ".." + covered.last() + " only; a day in " + year
        + " is outside (add config/calendar/vn/" + year + ".yaml and load it)");
    this.covered = covered;
  }

  /** The years the loaded calendar covers. */
  public Years covered() {
    return covered;
  }
}
