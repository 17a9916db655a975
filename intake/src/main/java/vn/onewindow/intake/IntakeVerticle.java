package vn.onewindow.intake;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.IntakeConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;

/**
 * One consumer of the intake group: a {@link ReadLoop} of new entries and a {@link ClaimLoop} of stale pending ones,
 * sharing their in-flight {@link Batches}. Each dossier ends up in PostgreSQL exactly once: writes are idempotent on
 * the dossier id, and an entry is acknowledged only after the commit.
 */
public final class IntakeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IntakeVerticle.class);

  private final HubConfig config;
  private final IntakeConfig intake;
  private final String consumerName;
  private final MeterRegistry registry;
  private final Duration drainTimeout;

  private Redis redis;
  private Pool pool;
  private Batches batches;
  private ReadLoop readLoop;
  private ClaimLoop claimLoop;

  public IntakeVerticle(HubConfig config, String consumerName, MeterRegistry registry) {
    this.config = config;
    this.intake = config.intake();
    this.consumerName = consumerName;
    this.registry = registry;
    this.drainTimeout = config.resilience().drainTimeout();
  }

  @Override
  public Future<?> start() {
    RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
    IntakeMetrics metrics = new IntakeMetrics(registry);
    redis = RedisClients.create(vertx, config.redis(), "intake");
    pool = PostgresClients.pool(vertx, config.postgres(), "intake");
    StreamReader reader = new StreamReader(redis, keys, consumerName);
    BatchProcessor processor = new BatchProcessor(new DossierWriter(pool, intake.statementTimeout()), reader,
        new DeadLetters(pool, reader, registry), metrics, intake.maxDeliveries());
    batches = new Batches(processor, intake.batchTimeout(), intake.retryBackoff(), consumerName);
    // a client of its own for the blocking read: a dead read connection is torn down, never pooled again
    readLoop = new ReadLoop(vertx, intake, reader, batches, metrics,
        () -> RedisClients.create(vertx, config.redis(), "intake-read"), consumerName);
    claimLoop = new ClaimLoop(vertx, intake, reader, batches, metrics, consumerName);
    return reader.ensureGroup()
        .compose(v -> readLoop.start())
        .onSuccess(v -> {
          claimLoop.start();
          LOG.info("intake consumer {} reading {} (group {}, batch {}, max deliveries {})", consumerName,
              keys.stream(), keys.group(), intake.batchSize(), intake.maxDeliveries());
        })
        .onFailure(err -> {
          LOG.error("intake consumer {} failed to start ({})", consumerName, FailureKind.describe(err));
          closeClients();
        });
  }

  /** Lets the batches in flight finish within {@code drain.timeout-ms}; unfinished ones stay pending. */
  @Override
  public Future<?> stop() {
    claimLoop.stop();
    return batches.drain(drainTimeout)
        .eventually(() -> readLoop.stop())
        .eventually(this::closeClients);
  }

  private Future<Void> closeClients() {
    return Future.join(redis.close(), pool.close()).mapEmpty();
  }
}
