package vn.onewindow.intake;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.IntakeConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;

/**
 * One consumer of the intake group: a read loop (blocking XREADGROUP on a dedicated connection, then batch write and
 * ack) and a claim loop (XPENDING + XCLAIM of entries idle too long on any consumer, crashed workers' and its own
 * unacked ones). Each dossier ends up in PostgreSQL exactly once: writes are idempotent on the dossier id, and an
 * entry is acked only after the commit.
 */
public final class IntakeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IntakeVerticle.class);
  private static final long STOP_DRAIN_MS = 5_000;
  /** XREADGROUP gets block-ms plus this to answer before its connection is presumed dead and replaced. */
  private static final long READ_MARGIN_MS = 10_000;
  /** Bound on one batch (statement, dead letters, acks): a silent connection must not stall a loop for good. */
  private static final long BATCH_TIMEOUT_MS = 90_000;
  /** Bound on a claim round (its Redis calls and its batch). */
  private static final long CLAIM_ROUND_TIMEOUT_MS = BATCH_TIMEOUT_MS + 30_000;

  private final HubConfig config;
  private final IntakeConfig intake;
  private final String consumerName;
  private final MeterRegistry registry;

  private Redis redis;
  /** A client of its own for the blocking read, so a dead read connection is torn down, never handed back to a pool. */
  private Redis readClient;
  private RedisConnection readConnection;
  private Pool pool;
  private StreamReader reader;
  private BatchProcessor processor;
  private IntakeMetrics metrics;

  private volatile boolean stopped;
  private long claimTimer = -1;
  private boolean claiming;
  /** System.nanoTime() before which PostgreSQL is left alone after a transient failure. */
  private long postgresBackoffUntil = System.nanoTime();
  /** Entry ids being processed by this verticle right now: never claimed from under ourselves. */
  private final Set<String> inFlight = new HashSet<>();
  private final Set<Future<?>> batches = new HashSet<>();

  public IntakeVerticle(HubConfig config, String consumerName, MeterRegistry registry) {
    this.config = config;
    this.intake = config.intake();
    this.consumerName = consumerName;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
    metrics = new IntakeMetrics(registry);
    redis = RedisClients.create(vertx, config.redis(), "intake");
    pool = PostgresClients.pool(vertx, config.postgres(), "intake");
    reader = new StreamReader(redis, keys, consumerName);
    DeadLetters deadLetters = new DeadLetters(pool, reader, registry);
    processor = new BatchProcessor(new DossierWriter(pool), reader, deadLetters, metrics, intake.maxDeliveries());
    return reader.ensureGroup()
        .compose(v -> connectReader())
        .onSuccess(v -> {
          LOG.info("intake consumer {} reading {} (group {}, batch {}, max deliveries {})", consumerName,
              keys.stream(), keys.group(), intake.batchSize(), intake.maxDeliveries());
          vertx.runOnContext(x -> readRound());
          claimTimer = vertx.setPeriodic(intake.claimInterval().toMillis(), id -> claimRound());
        })
        .onFailure(err -> {
          LOG.error("intake consumer {} failed to start ({})", consumerName, FailureKind.describe(err));
          closeClients();
        });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (claimTimer >= 0) {
      vertx.cancelTimer(claimTimer);
    }
    return Future.join(new ArrayList<>(batches))
        .timeout(STOP_DRAIN_MS, TimeUnit.MILLISECONDS)
        .recover(err -> {
          LOG.warn("intake consumer {} stopped with a batch still in flight; its entries stay pending", consumerName);
          return Future.succeededFuture();
        })
        .eventually(this::closeClients);
  }

  // ---- read loop ------------------------------------------------------------------------------------------------

  private void readRound() {
    if (stopped) {
      return;
    }
    long wait = remainingBackoffMs();
    if (wait > 0) {
      vertx.setTimer(wait, id -> readRound());
      return;
    }
    long block = intake.block().toMillis();
    reader.readNew(readConnection, intake.batchSize(), block)
        .timeout(block + READ_MARGIN_MS, TimeUnit.MILLISECONDS)
        .onFailure(this::readFailed)
        .compose(batch -> stopped ? Future.succeededFuture(BatchProcessor.Result.EMPTY) : process(batch))
        .onSuccess(result -> {
          if (result.transientFailure()) {
            startPostgresBackoff();
          }
          // a new turn of the event loop each round: the loop never grows the stack
          vertx.runOnContext(x -> readRound());
        });
  }

  private void readFailed(Throwable err) {
    if (stopped) {
      return;
    }
    metrics.redisFailures.increment();
    LOG.warn("XREADGROUP failed for consumer {} ({}); reconnecting in {} ms", consumerName,
        FailureKind.describe(err), intake.retryBackoff().toMillis());
    readConnection = null;
    Redis broken = readClient;
    readClient = null;
    if (broken != null) {
      broken.close(); // closes the socket itself: a half-dead connection must not be reused
    }
    vertx.timer(intake.retryBackoff().toMillis())
        .compose(v -> stopped ? Future.failedFuture("stopped") : reader.ensureGroup())
        .compose(v -> connectReader())
        .onSuccess(v -> readRound())
        .onFailure(this::readFailed);
  }

  private Future<Void> connectReader() {
    if (readClient == null) {
      readClient = RedisClients.create(vertx, config.redis(), "intake-read");
    }
    return readClient.connect().map(connection -> {
      connection.exceptionHandler(err -> LOG.debug("read connection of {}: {}", consumerName,
          FailureKind.describe(err)));
      if (stopped) {
        connection.close();
      } else {
        readConnection = connection;
      }
      return null;
    });
  }

  // ---- claim loop -----------------------------------------------------------------------------------------------

  private void claimRound() {
    if (stopped || claiming || remainingBackoffMs() > 0) {
      return;
    }
    claiming = true;
    long minIdle = intake.claimIdle().toMillis();
    reader.pendingIdle(minIdle, intake.batchSize())
        .map(pending -> pending.stream().filter(p -> !inFlight.contains(p.entryId())).toList())
        .compose(pending -> pending.isEmpty()
            ? Future.succeededFuture(new StreamReader.Claimed(List.of(), List.of()))
            : reader.claim(pending, minIdle))
        .compose(this::processClaimed)
        .timeout(CLAIM_ROUND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          claiming = false;
          if (ar.failed()) {
            metrics.redisFailures.increment();
            LOG.warn("claim round of consumer {} failed ({})", consumerName, FailureKind.describe(ar.cause()));
          } else if (ar.result() >= intake.batchSize() && remainingBackoffMs() == 0) {
            vertx.runOnContext(x -> claimRound()); // a full batch: more may be waiting
          }
        });
  }

  private Future<Integer> processClaimed(StreamReader.Claimed claimed) {
    int count = claimed.deliveries().size() + claimed.vanished().size();
    if (count == 0) {
      return Future.succeededFuture(0);
    }
    metrics.claimed.increment(count);
    LOG.info("consumer {} claimed {} idle pending entries ({} already deleted)", consumerName, count,
        claimed.vanished().size());
    return reader.ackAndDelete(claimed.vanished())
        .compose(v -> stopped ? Future.succeededFuture(BatchProcessor.Result.EMPTY) : process(claimed.deliveries()))
        .map(result -> {
          if (result.transientFailure()) {
            startPostgresBackoff();
          }
          return count;
        });
  }

  // ---- shared ---------------------------------------------------------------------------------------------------

  private Future<BatchProcessor.Result> process(List<Delivery> batch) {
    if (batch.isEmpty()) {
      return Future.succeededFuture(BatchProcessor.Result.EMPTY);
    }
    batch.forEach(d -> inFlight.add(d.entryId()));
    Future<BatchProcessor.Result> done = Future.<Void>succeededFuture()
        .compose(v -> processor.process(batch))
        .timeout(BATCH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .andThen(ar -> {
          batch.forEach(d -> inFlight.remove(d.entryId()));
          if (ar.failed()) {
            LOG.error("batch of {} entries failed unexpectedly ({}); they stay pending", batch.size(),
                FailureKind.describe(ar.cause()));
          } else if (LOG.isDebugEnabled()) {
            LOG.debug("consumer {} batch {}", consumerName, ar.result());
          }
        })
        .recover(err -> Future.succeededFuture(new BatchProcessor.Result(0, 0, 0, batch.size(), false)));
    batches.add(done);
    done.onComplete(ar -> batches.remove(done));
    return done;
  }

  private void startPostgresBackoff() {
    postgresBackoffUntil = System.nanoTime() + intake.retryBackoff().toNanos();
  }

  private long remainingBackoffMs() {
    long left = postgresBackoffUntil - System.nanoTime();
    return left > 0 ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)) : 0;
  }

  private Future<Void> closeClients() {
    List<Future<?>> closing = new ArrayList<>();
    if (readClient != null) {
      closing.add(readClient.close());
    }
    if (redis != null) {
      closing.add(redis.close());
    }
    if (pool != null) {
      closing.add(pool.close());
    }
    return Future.join(closing).mapEmpty();
  }
}
