package vn.onewindow.common.dossier;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a dossier reached the one window (DOMAIN.md, KENH): the one vocabulary of the dossier's {@code channel} field,
 * the procedure catalogue's accepted channels and the {@code channel} metric tag.
 */
public enum Channel {
  ONLINE, COUNTER, POSTAL;

  /** Metric tag of a submission whose channel is not (yet) known: refused before its body was read. */
  public static final String UNKNOWN_TAG = "unknown";

  private static final List<Channel> ALL = List.of(values());

  // once per channel: each submission looks its channel up and counts under its tag (a new lower-case string per
  // call, hashed again in the counters' map, showed in the gateway's profile)
  private final String tag = name().toLowerCase(Locale.ROOT);

  /** Lower-case name, as in the dossier's {@code channel} field and in metric tags. */
  public String tag() {
    return tag;
  }

  /** The channel a dossier names, if it is one of the known ones (exact, lower-case). */
  public static Optional<Channel> of(String value) {
    for (Channel c : ALL) {
      if (c.tag.equals(value)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
