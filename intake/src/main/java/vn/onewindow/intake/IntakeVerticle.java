package vn.onewindow.intake;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.IntakeConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.metrics.EventLoopProbe;

/**
 * One intake worker: a consumer of the partitions assigned to it. Its {@link Membership} heartbeat tells which ones
 * (workers share the partitions; one that joins takes a share, one that dies leaves its share to the others), and a
 * {@link PartitionConsumer} reads each. Each dossier ends up in PostgreSQL exactly once: writes are idempotent on
 * the dossier id, and an entry is acknowledged only after the commit.
 *
 * <p>The PostgreSQL pool is the process's, shared by its workers and closed by its owner once every worker has
 * stopped: a worker that finished draining first and closed its share of a pool the verticles had opened themselves
 * closed the connection under another worker's batch still in flight (a drain left that batch unwritten, 1 run in 3
 * with two workers; {@code IntakeDrainTest}).
 */
public final class IntakeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IntakeVerticle.class);

  private final HubConfig config;
  private final IntakeConfig intake;
  private final String consumerName;
  private final MeterRegistry registry;
  private final Duration drainTimeout;
  private final Pool pool;
  private final Map<Integer, PartitionConsumer> consumers = new TreeMap<>();

  private RedisKeys keys;
  private Redis redis;
  private IntakeMetrics metrics;
  private DossierWriter writer;
  private Membership membership;
  private Future<Void> reassigning = Future.succeededFuture();
  private boolean stopping;
  private boolean started;

  /** @param pool the process's intake pool ({@code PostgresClients.pool(vertx, postgres, "intake")}), not closed here */
  public IntakeVerticle(HubConfig config, String consumerName, Pool pool, MeterRegistry registry) {
    this.config = config;
    this.pool = pool;
    this.intake = config.intake();
    this.consumerName = consumerName;
    this.registry = registry;
    this.drainTimeout = config.resilience().drainTimeout();
  }

  @Override
  public Future<?> start() {
    // a worker runs entirely on its event loop: a stalled loop stops reading and writing (alert HubEventLoopLagHigh)
    EventLoopProbe.start(vertx, registry);
    keys = RedisKeys.of(config.redis(), config.stream());
    metrics = new IntakeMetrics(registry);
    // a connection silent past a read's allowance is closed and replaced: a command whose reply never comes
    // (a peer gone without FIN or RST) must not leave its connection dead in the ring or the pool for good
    redis = RedisClients.ring(vertx, config.redis(), "intake", ReadLoop.silenceBound(intake));
    // one writer for all of this worker's partitions: their batches are written together (group commit)
    writer = new DossierWriter(pool, intake.statementTimeout(), intake.batchSize(), this::committedLate);
    membership = new Membership(vertx, redis, keys, intake, consumerName, this::assign);
    return membership.start()
        .compose(v -> reassigning)
        .onSuccess(v -> started = true)
        .onSuccess(v -> LOG.info("intake consumer {} reading partitions {} of {} (group {}, batch {}, max deliveries {})",
            consumerName, consumers.entrySet().stream().filter(e -> e.getValue().reads()).map(Map.Entry::getKey)
                .toList(), keys.partitions().count(), keys.group(), intake.batchSize(), intake.maxDeliveries()))
        .onFailure(err -> {
          LOG.error("intake consumer {} failed to start ({})", consumerName, FailureKind.describe(err));
          closeClients();
        });
  }

  /**
   * Applies an assignment after the previous one finished: stops the partitions that moved away (or between reading
   * and only standing by for the sweep), starts new ones.
   */
  private void assign(Assignment.Share share) {
    if (stopping) {
      return;
    }
    Set<Integer> assigned = share.reads();
    reassigning = reassigning.eventually(() -> {
      List<Future<Void>> changes = new ArrayList<>();
      for (Integer p : List.copyOf(consumers.keySet())) {
        if (!share.consumed().contains(p) || consumers.get(p).reads() != assigned.contains(p)) {
          changes.add(consumers.remove(p).stop(drainTimeout));
        }
      }
      for (Integer p : share.consumed()) {
        if (!consumers.containsKey(p)) {
          PartitionConsumer consumer = new PartitionConsumer(vertx, config, keys.partition(p), keys.group(),
              consumerName, assigned.contains(p), redis,
              () -> RedisClients.create(vertx, config.redis(), "intake-read", ReadLoop.silenceBound(intake)), pool,
              writer, metrics, registry);
          consumers.put(p, consumer);
          changes.add(consumer.start().recover(err -> {
            LOG.warn("consumer {} could not start on partition {} ({}); retrying at the next heartbeat",
                consumerName, p, FailureKind.describe(err));
            consumers.remove(p);
            return consumer.stop(Duration.ZERO);
          }));
        }
      }
      consumers.forEach((p, consumer) -> consumer.sweep(share.sweepRole(p)));
      if (!changes.isEmpty() && started) {
        LOG.info("intake consumer {} now reads partitions {} of {} (stands by for the sweep of {})", consumerName,
            assigned, keys.partitions().count(), share.standbys());
      }
      return Future.join(changes).<Void>mapEmpty().otherwiseEmpty();
    });
  }

  /**
   * A statement given up on at intake.statement-timeout-ms that committed after all: its dossiers are counted now,
   * as nobody else will count them (their entries stay pending, and the redelivery finds them written).
   */
  private void committedLate(DossierWriter.Written late) {
    if (late.inserted() == 0) {
      return; // a retry of rows another statement wrote meanwhile
    }
    metrics.inserted(late);
    long suppressed = metrics.outageLog.tryAcquire("postgres-late-commit");
    if (suppressed >= 0) {
      LOG.info("a dossier INSERT given up after {} ms committed later, {} dossiers inserted and counted now; a sweep "
          + "acknowledges their entries ({} more such statements since the last line)",
          intake.statementTimeout().toMillis(), late.inserted(), suppressed);
    }
  }

  /**
   * Leaves the members (the others take its partitions at their next heartbeat), then lets the batches in flight
   * finish within {@code drain.timeout-ms}; unfinished ones stay in the stream for a sweep.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    return membership.stop()
        .eventually(() -> reassigning)
        .eventually(() -> Future.join(consumers.values().stream().map(c -> c.stop(drainTimeout)).toList()))
        .eventually(this::closeClients);
  }

  private Future<Void> closeClients() {
    return redis.close();
  }
}
