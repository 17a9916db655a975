package vn.onewindow.intake;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import vn.onewindow.common.dossier.PartitionKeys;

/**
 * Puts a page of one partition's dead-letter copies back on its stream, in an order that loses nothing: XADD of every
 * copy's entry fields (its explicit {@code id} among them), then {@code replayed_at} on their {@code dead_letter} rows
 * (V13), then XDEL of the copies. Stopped anywhere, no copy is gone whose entry is not on the stream, and what is left
 * is replayed again by the next run (a no-op for stored dossiers).
 */
final class ReplayBatch {
  static final String MARK_REPLAYED = """
      UPDATE dead_letter SET replayed_at = now()
      FROM unnest($1::text[], $2::text[]) AS t(entry, dossier)
      WHERE dead_letter.stream IN ($3, '') AND dead_letter.stream_entry_id = t.entry
        AND dead_letter.dossier_id IS NOT DISTINCT FROM t.dossier
      RETURNING dead_letter.stream_entry_id""";

  private final ReplayCalls calls;
  private final ReplayReport report;

  ReplayBatch(ReplayCalls calls, ReplayReport report) {
    this.calls = calls;
    this.report = report;
  }

  void replay(PartitionKeys partition, List<DeadLetterCopy> copies) {
    if (copies.isEmpty()) {
      return;
    }
    List<Request> adds = new ArrayList<>(copies.size());
    for (DeadLetterCopy copy : copies) {
      Request add = Request.cmd(Command.XADD).arg(partition.stream()).arg("*");
      copy.entryFields().forEach((name, value) -> add.arg(name).arg(value == null ? "" : value));
      adds.add(add);
    }
    List<Response> added = calls.redisBatch("put the entries back on " + partition.stream(), adds);
    String[] entries = new String[copies.size()];
    String[] dossiers = new String[copies.size()];
    for (int i = 0; i < copies.size(); i++) {
      entries[i] = copies.get(i).originalEntryId();
      dossiers[i] = copies.get(i).dossierId();
    }
    Set<String> marked = new HashSet<>();
    for (Row row : calls.sqlCall("record the replay in dead_letter", MARK_REPLAYED, Tuple.tuple()
        .addArrayOfString(entries).addArrayOfString(dossiers).addString(partition.stream()))) {
      marked.add(row.getString(0));
    }
    Request delete = Request.cmd(Command.XDEL).arg(partition.deadLetterStream());
    copies.forEach(copy -> delete.arg(copy.copyId()));
    calls.redisCall("delete the replayed copies from " + partition.deadLetterStream(), delete);
    for (int i = 0; i < copies.size(); i++) {
      DeadLetterCopy copy = copies.get(i);
      report.replayed(copy, added.get(i), marked.contains(copy.originalEntryId()));
    }
  }
}
