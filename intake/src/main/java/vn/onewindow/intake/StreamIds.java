package vn.onewindow.intake;

/** Stream entry ids ({@code <ms>-<seq>}) in the order Redis gives them. */
final class StreamIds {
  private StreamIds() {
  }

  static int compare(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int byTime = Long.compareUnsigned(Long.parseUnsignedLong(a.substring(0, da)), Long.parseUnsignedLong(b.substring(0, db)));
    return byTime != 0 ? byTime
        : Long.compareUnsigned(Long.parseUnsignedLong(a.substring(da + 1)), Long.parseUnsignedLong(b.substring(db + 1)));
  }
}
