package vn.onewindow.intake;

import io.vertx.redis.client.Response;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link DeadLetterReplay} prints on standard output: a line per copy (kept, would-replay, replayed), then counts
 * per partition and reason, and the total. Entry ids, dossier ids and reasons only, never a payload or an error text
 * (they may quote personal data).
 */
final class ReplayReport {
  private final PrintStream out;
  private final boolean dryRun;
  /** Per "partition reason": copies replayed (or to replay), and copies that cannot be. */
  private final Map<String, long[]> counts = new TreeMap<>();
  private long notReplayable;

  ReplayReport(PrintStream out, boolean dryRun) {
    this.out = out;
    this.dryRun = dryRun;
  }

  /** A copy that lacks fields the intake needs: it stays on the dead-letter stream. */
  void kept(DeadLetterCopy copy, List<String> missing) {
    notReplayable++;
    count(copy)[1]++;
    out.println("kept " + describe(copy) + " lacks=" + String.join(",", missing));
  }

  void wouldReplay(DeadLetterCopy copy) {
    count(copy)[0]++;
    out.println("would-replay " + describe(copy));
  }

  /**
   * @param as the id XADD gave the entry on the partition's stream
   * @param marked whether its {@code dead_letter} row was found and marked replayed
   */
  void replayed(DeadLetterCopy copy, Response as, boolean marked) {
    count(copy)[0]++;
    out.println("replayed " + describe(copy) + " as=" + as + (marked ? "" : " warning=no-dead_letter-row"));
  }

  long notReplayable() {
    return notReplayable;
  }

  void summary() {
    String verb = dryRun ? "to-replay" : "replayed";
    long done = 0;
    for (Map.Entry<String, long[]> c : counts.entrySet()) {
      String[] key = c.getKey().split(" ");
      out.println("summary partition=" + Integer.parseInt(key[0]) + " reason=" + key[1] + " " + verb + "="
          + c.getValue()[0] + " kept=" + c.getValue()[1]);
      done += c.getValue()[0];
    }
    out.println("total " + verb + "=" + done + " kept=" + notReplayable + (dryRun ? " (dry run: nothing"
        + " changed)" : ""));
  }

  private static String describe(DeadLetterCopy copy) {
    String dossier = copy.dossierId();
    String entry = copy.originalEntryId();
    return "partition=" + copy.partition().index() + " copy=" + copy.copyId() + " entry="
        + (entry == null || entry.isEmpty() ? "-" : entry) + " dossier=" + (dossier == null ? "-" : dossier)
        + " reason=" + copy.reason();
  }

  /** Zero-padded partition first, so the summary lists partitions in numeric order. */
  private long[] count(DeadLetterCopy copy) {
    return counts.computeIfAbsent(String.format("%05d %s", copy.partition().index(), copy.reason()),
        k -> new long[2]);
  }
}
