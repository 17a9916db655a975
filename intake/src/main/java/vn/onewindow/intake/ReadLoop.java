package vn.onewindow.intake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.IntakeConfig;

/**
 * New entries of one partition: a blocking XREADGROUP (NOACK) on a dedicated connection, then the batch, then the next read, each on a new
 * turn of the event loop. A read that fails or hangs past block + margin replaces its client: a half-dead socket is
 * torn down with its client, never reused.
 *
 * <p>A read that brought some entries but fewer than {@code intake.read-linger-below} is followed by a pause of
 * {@code intake.read-linger-ms} before the next read: below a few thousand dossiers a second (or with a partition's
 * 1/P share of the load) each read would otherwise bring one or two entries, each costing a read, an INSERT of its own
 * and an acknowledgement. Reads that already bring more go on at once: lingering there saves little and, in a process
 * that also runs the gateway, keeps entries in memory and the event loop busier (README, Performance). Entries only
 * wait longer for PostgreSQL; nothing is acknowledged before its row is committed.
 *
 * <p>The read connection carries nothing while the loop waits on PostgreSQL, and its client closes it once silent for
 * {@link #silenceBound}: a batch that took over half of {@code intake.read-margin-ms} has the connection replaced before
 * the next read, quietly. Read on, it would have been closed under (or before) that read, and the failure counted as
 * Redis's ({@code hub_intake_failures_total{upstream="redis"}} all through a PostgreSQL stall, in an alerting drill).
 */
final class ReadLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ReadLoop.class);

  private final Vertx vertx;
  private final IntakeConfig config;
  private final StreamReader reader;
  private final Batches batches;
  private final IntakeMetrics metrics;
  private final Supplier<Redis> newClient;
  private final String consumerName;
  private Redis client;
  private RedisConnection connection;
  /** System.nanoTime() of the read connection's last reply (or its connect). */
  private long lastHeardNanos;
  private volatile boolean stopped;

  ReadLoop(Vertx vertx, IntakeConfig config, StreamReader reader, Batches batches, IntakeMetrics metrics,
           Supplier<Redis> newClient, String consumerName) {
    this.vertx = vertx;
    this.config = config;
    this.reader = reader;
    this.batches = batches;
    this.metrics = metrics;
    this.newClient = newClient;
    this.consumerName = consumerName;
  }

  /**
   * How long a Redis connection of the intake may stay silent before it is presumed dead: a blocking read's block plus
   * {@code intake.read-margin-ms}. The read loop replaces its client after that long without a reply; the worker's
   * other connections (heartbeat, sweeps, acknowledgements, XGROUP CREATE) are closed by their client after that long
   * without a byte ({@code RedisClients.ring} with a silence).
   */
  static Duration silenceBound(IntakeConfig config) {
    return config.block().plus(config.readMargin());
  }

  /** Connects, then loops until {@link #stop}. */
  Future<Void> start() {
    return connect().onSuccess(v -> vertx.runOnContext(x -> round()));
  }

  Future<Void> stop() {
    stopped = true;
    return release();
  }

  private void round() {
    if (stopped) {
      return;
    }
    long wait = batches.backoffRemainingMs();
    if (wait > 0) {
      vertx.setTimer(wait, id -> round());
      return;
    }
    if (System.nanoTime() - lastHeardNanos >= config.readMargin().toNanos() / 2) {
      replaceIdleConnection();
      return;
    }
    long block = config.block().toMillis();
    reader.readNew(connection, config.batchSize(), block)
        .timeout(silenceBound(config).toMillis(), TimeUnit.MILLISECONDS)
        .onFailure(this::failed)
        .compose(read -> {
          lastHeardNanos = System.nanoTime();
          if (read.heldBack() > 0) {
            // not on enough replicas yet: delivered and still in the stream, a later sweep takes them
            metrics.unreplicated.increment();
          }
          int count = read.deliveries().size();
          Future<BatchProcessor.Result> done = stopped ? Future.succeededFuture(BatchProcessor.Result.EMPTY)
              : batches.process(read.deliveries());
          return done.map(result -> count > 0 && count < config.readLingerBelow()
              ? config.readLinger().toMillis() : 0L);
        })
        // a new turn of the event loop each round: the loop never grows the stack
        .onSuccess(pause -> {
          if (pause > 0 && !stopped) {
            vertx.setTimer(pause, id -> round());
          } else {
            vertx.runOnContext(x -> round());
          }
        });
  }

  private void failed(Throwable err) {
    if (stopped) {
      return;
    }
    metrics.redisFailures.increment();
    // one line per 10 s for the worker's failed reads, not one per retry: a Redis gone wrote two a second per worker
    // (rehearsal QA); hub_intake_failures_total{upstream="redis"} counts each
    long suppressed = metrics.outageLog.tryAcquire("redis-read");
    if (suppressed >= 0) {
      LOG.warn("XREADGROUP failed for consumer {} ({}); reconnecting in {} ms ({} more failed reads since the last "
          + "line)", consumerName, FailureKind.describe(err), config.retryBackoff().toMillis(), suppressed);
    }
    release(); // closes the socket itself with its client: a half-dead connection must not be reused
    vertx.timer(config.retryBackoff().toMillis())
        .compose(v -> stopped ? Future.failedFuture("stopped") : reader.ensureGroup(config.callBound()))
        .compose(v -> connect())
        .onSuccess(v -> round())
        .onFailure(this::failed);
  }

  /**
   * The connection has been silent while the loop waited on PostgreSQL, and may be closed under the next read: a new
   * client and connection, nothing counted. Only a connect that fails is Redis's failure.
   */
  private void replaceIdleConnection() {
    LOG.debug("read connection of {} idle for over half of intake.read-margin-ms; replacing it", consumerName);
    release();
    connect().onSuccess(v -> round()).onFailure(this::failed);
  }

  /**
   * Lets go of the read connection and closes its client, which closes the socket. The connection is handed back to
   * its pool first: closed only with its client, it stayed counted in use, and
   * vertx_pool_in_use{pool_name="redis-intake-read"} grew by one at every replacement (each failed read, each slow
   * batch of a PostgreSQL stall, each stop) while Redis held one read connection per loop (IntakeRedisLivenessTest,
   * IntakeRecoveryTest). A connection whose socket already broke is not handed back for reuse (the client's pool drops
   * a closed connection), and no other caller shares this client.
   */
  private Future<Void> release() {
    RedisConnection held = connection;
    connection = null;
    Redis owner = client;
    client = null;
    if (held != null) {
      held.close();
    }
    return owner == null ? Future.succeededFuture() : owner.close();
  }

  private Future<Void> connect() {
    if (client == null) {
      client = newClient.get();
    }
    return client.connect().map(c -> {
      c.exceptionHandler(err -> LOG.debug("read connection of {}: {}", consumerName, FailureKind.describe(err)));
      if (stopped) {
        c.close();
      } else {
        connection = c;
        lastHeardNanos = System.nanoTime();
      }
      return null;
    });
  }
}
