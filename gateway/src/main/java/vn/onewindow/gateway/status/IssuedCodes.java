package vn.onewindow.gateway.status;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * Whether a code PostgreSQL does not hold was issued: a dossier queued behind a backlog has its receipt's code, but
 * no row to be found by until the intake writes it (normally within a second; on a deadline day's backlog minutes:
 * 97 of 101 receipts were still unknown by code after 60 s in a QA tryout), and a citizen told "not found" files
 * again. The Redis path numbers a unit's day with one counter, so a code of its number space at or below that
 * counter's value was issued. One GET, on the not-found path only; nothing is stored for it.
 *
 * <p>A code of the direct path's space is written to PostgreSQL (the primary) before its 202, so one PostgreSQL does
 * not hold was never issued. After a loss of Redis's data a counter is seeded from the highest number PostgreSQL holds,
 * and the numbers up to that floor that PostgreSQL lacks were lost with Redis, not queued: not received either
 * ({@link vn.onewindow.common.dossier.PartitionKeys#seededFloors}). A counter expires two days after its first number
 * or its seeding (CodeSequences#SEQUENCE_TTL_SECONDS): an older code not in PostgreSQL is unknown, as before. A
 * dossier held for review (its dead letter) was issued too and reads as received, which it was.
 */
public final class IssuedCodes {
  private final Redis redis;
  private final RedisKeys keys;
  private final Duration timeout;

  public IssuedCodes(Redis redis, RedisKeys keys, Duration timeout) {
    this.redis = redis;
    this.keys = keys;
    this.timeout = timeout;
  }

  /**
   * The view of a dossier received under {@code code} and not recorded yet, or empty when the hub never issued it.
   * Redis not answering is the 503 the look-up by id gives then: the code may be queued, so not a 404.
   */
  Future<Optional<JsonObject>> notYetRecorded(String code) {
    Optional<DossierCode.Parts> parts = DossierCode.parts(code);
    if (parts.isEmpty() || DossierCode.isDirect(parts.get().sequence())) {
      return Future.succeededFuture(Optional.empty());
    }
    DossierCode.Parts p = parts.get();
    PartitionKeys partition = keys.forUnit(p.receivingUnit());
    String counter = partition.sequence(p.receivingUnit(), p.yymmdd());
    long n = DossierCode.queueIndex(p.sequence());
    // two keys of one slot, read together: the counter, and the floor a seeding after a data loss left on it
    return Future.all(redis.send(Request.cmd(Command.GET).arg(counter)),
            redis.send(Request.cmd(Command.HGET).arg(partition.seededFloors()).arg(counter)))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(HttpFailure.unavailable("status (redis)", err)))
        .map(read -> number(read.resultAt(1)) < n && n <= number(read.resultAt(0))
            ? Optional.of(DossierViews.received(code)) : Optional.empty());
  }

  private static long number(Response value) {
    return value == null ? 0 : value.toLong();
  }
}
