package vn.onewindow.gateway.submit;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import vn.onewindow.common.dossier.PartitionKeys;

/**
 * One gateway of the hub seeds a partition at a time ({@link PartitionKeys#seedingLease}). After a data loss every
 * gateway meets every partition unseeded: without the lease N gateways seed each one together, N times the SHARE
 * locks on the writers and the PostgreSQL work (a cluster drill: 30 seedings of 16 partitions on two gateways). A
 * gateway that finds the lease taken waits for the marker its holder sets, and takes the lease over if it goes free
 * first (its holder failed, or died).
 */
final class SeedingLease {
  /** How often a gateway waiting for another's seeding looks for the marker. */
  static final long POLL_MS = 50;

  private SeedingLease() {
  }

  /**
   * True once this gateway holds the lease (it seeds the partition), false once the marker is there (another gateway
   * seeded it); failed past {@code deadlineNanos}. {@code lease}: how long the lease outlives a holder that died.
   */
  static Future<Boolean> takeOrAwait(Redis redis, PartitionKeys partition, String holder, Duration lease,
                                     long deadlineNanos) {
    // the marker first: a holder frees the lease once it has set it, and the lease free is no reason to seed again
    return redis.send(Request.cmd(Command.EXISTS).arg(partition.epoch()))
        .compose(marker -> marker.toInteger() == 1 ? Future.succeededFuture(false)
            : redis.send(Request.cmd(Command.SET).arg(partition.seedingLease()).arg(holder).arg("NX").arg("PX")
                .arg(lease.toMillis())).compose(taken -> {
                  if (taken != null) {
                    // the holder may have set the marker and freed the lease between the look and the take: a second
                    // seeding of a seeded partition (a cluster drill, after a FLUSHALL of every master)
                    return redis.send(Request.cmd(Command.EXISTS).arg(partition.epoch()))
                        .compose(seeded -> seeded.toInteger() == 1
                            ? release(redis, partition).map(false) : Future.succeededFuture(true));
                  }
                  // a nil reply: another gateway holds it
                  Context context = Vertx.currentContext();
                  if (context == null || System.nanoTime() - deadlineNanos >= 0) {
                    return Future.failedFuture(new TimeoutException("another gateway's seeding of partition "
                        + partition.index() + " did not end in time"));
                  }
                  Promise<Void> pause = Promise.promise();
                  context.owner().setTimer(POLL_MS, id -> pause.complete());
                  return pause.future().compose(v -> takeOrAwait(redis, partition, holder, lease, deadlineNanos));
                }));
  }

  /** Frees the lease once this gateway's seeding ended (the marker set, or not): the next need not wait it out. */
  static Future<Void> release(Redis redis, PartitionKeys partition) {
    return redis.send(Request.cmd(Command.DEL).arg(partition.seedingLease())).<Void>mapEmpty().otherwiseEmpty();
  }
}
