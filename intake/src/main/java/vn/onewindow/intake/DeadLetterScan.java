package vn.onewindow.intake;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.RedisReplies;

/**
 * Selects the dead letters a {@link DeadLetterReplay} run takes: on each partition's dead-letter stream, oldest first,
 * up to the copy that was the newest when the run began, those of the reason asked for, up to the limit. A copy
 * without the fields the intake needs is listed and left in place. Each page of selected copies is listed (dry run)
 * or handed to {@link ReplayBatch}.
 */
final class DeadLetterScan {
  /** Copies read from a dead-letter stream at a time, and replayed together. */
  private static final int PAGE = 100;

  private final DeadLetterReplay.Options options;
  private final ReplayCalls calls;
  private final ReplayBatch batch;
  private final ReplayReport report;
  /** Copies replayed (or listed, in a dry run) so far, against {@link DeadLetterReplay.Options#limit}. */
  private long selected;

  DeadLetterScan(DeadLetterReplay.Options options, ReplayCalls calls, ReplayBatch batch, ReplayReport report) {
    this.options = options;
    this.calls = calls;
    this.batch = batch;
    this.report = report;
  }

  void run(RedisKeys keys) {
    // where each stream ends now: copies a replay makes (an entry dead-lettered again) are for the next run
    List<String> ends = new ArrayList<>();
    for (PartitionKeys partition : keys.all()) {
      Response last = calls.redisCall("read " + partition.deadLetterStream(),
          Request.cmd(Command.XREVRANGE).arg(partition.deadLetterStream()).arg("+").arg("-").arg("COUNT").arg(1));
      ends.add(last.size() == 0 ? null : last.get(0).get(0).toString());
    }
    for (PartitionKeys partition : keys.all()) {
      String end = ends.get(partition.index());
      String from = "-";
      while (end != null && selected < options.limit()) {
        Response page = calls.redisCall("read " + partition.deadLetterStream(),
            Request.cmd(Command.XRANGE).arg(partition.deadLetterStream()).arg(from).arg(end).arg("COUNT").arg(PAGE));
        if (page.size() == 0) {
          break;
        }
        List<DeadLetterCopy> toReplay = new ArrayList<>();
        for (int i = 0; i < page.size() && selected < options.limit(); i++) {
          Response e = page.get(i);
          DeadLetterCopy copy = new DeadLetterCopy(partition, e.get(0).toString(), RedisReplies.pairs(e.get(1)));
          from = "(" + copy.copyId();
          if (options.reason() != null && !options.reason().equals(copy.reason())) {
            continue;
          }
          List<String> missing = copy.missing();
          if (missing.isEmpty()) {
            selected++;
            toReplay.add(copy);
          } else {
            report.kept(copy, missing);
          }
        }
        if (options.dryRun()) {
          toReplay.forEach(report::wouldReplay);
        } else {
          batch.replay(partition, toReplay);
        }
        if (page.size() < PAGE) {
          break;
        }
      }
    }
  }
}
