package vn.onewindow.common.infra;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.dossier.ConsumerGroup;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.Backlog.Partition;
import vn.onewindow.common.infra.BacklogReadings.Masters;
import vn.onewindow.common.metrics.MeterNames;

/**
 * Samples the queue between gateways and workers every few seconds, per partition (one pipelined batch on the
 * partition's slot): stream length, pending (delivered to a worker, not yet written and deleted) and undelivered
 * entries, age of the oldest entry, dead letters and the workers reading it; and the memory of every Redis master, and
 * whether it has a replica. Exported as gauges ({@link BacklogGauges}), per partition and in total, and read by load
 * shedding, which must never wait on Redis itself.
 */
public final class BacklogMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(BacklogMonitor.class);
  /** Most entries counted one by one when Redis cannot tell a partition's lag ({@link #countUndelivered}). */
  static final int COUNT_DELIVERED_MAX = 1_000;

  private final Context context;
  private final Redis redis;
  /** Cluster mode: the partitions' batches (null in standalone mode: one connection per sample, as ever). */
  private final Redis ring;
  private final RedisConfig redisConfig;
  private final RedisKeys keys;
  private final Duration interval;
  private final long activeWindowMs;
  private volatile Backlog latest;
  /** Read with every sample's INFO memory; refuses the start on an evicting Redis. */
  private final EvictionPolicy eviction = new EvictionPolicy();
  private boolean failing;
  private volatile boolean stopped;

  /**
   * One monitor per process, on a small Redis client of its own. It makes sure every partition's consumer group exists
   * (so pending counts mean something before any worker ran) and takes a first sample; a Redis that is down at start
   * does not stop the process, the gauges just keep their last values until it answers.
   */
  public static Future<BacklogMonitor> start(Vertx vertx, HubConfig config, MeterRegistry registry) {
    // A ring is used on one event loop only, and start is called from the hub's main thread, on no vert.x context:
    // vert.x then makes an event-loop context, on which the monitor creates its clients and takes every sample.
    Context context = vertx.getOrCreateContext();
    Promise<BacklogMonitor> started = Promise.promise();
    context.runOnContext(v -> {
      RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
      Duration poll = config.resilience().shedding().backlogPoll();
      Duration silence = silence(poll);
      Redis redis = RedisClients.create(vertx, config.redis().withPoolSize(2), "monitor", silence);
      // cluster mode: a pooled connect() fails for every shard while a dead master is still in the slot map, and with
      // it every partition's gauges froze (operator tryout); the ring keeps reaching the healthy masters
      Redis ring = config.redis().cluster() ? RedisClients.ring(vertx, config.redis(), redis, "monitor", 1, silence)
          : null;
      // a reader blocks up to block-ms per round and gets read-margin-ms more: silent longer, it is not reading
      long activeWindowMs = config.intake().block().plus(config.intake().readMargin()).toMillis();
      BacklogMonitor monitor = new BacklogMonitor(context, redis, ring, config.redis(), keys, poll, activeWindowMs,
          registry);
      // a Redis that accepts the connection and never answers must not hold the process's start for good; a Redis
      // that is down does not stop it either: the workers create their groups, and a sample that finds a stream
      // missing creates them all (failed)
      Deadlines.bounded(ConsumerGroup.ensureAll(redis, keys), "XGROUP CREATE of the consumer groups",
          config.intake().callBound())
          .onFailure(err -> LOG.warn("consumer groups not checked at start ({}); starting anyway, they are created "
              + "once Redis answers", err.toString()))
          .recover(err -> Future.succeededFuture())
          .compose(ignored -> monitor.sample())
          .otherwiseEmpty()
          // a Redis that answered and evicts keys: no start (one that did not answer is told of once it does)
          .compose(ignored -> monitor.eviction.checkAtStart())
          .onFailure(err -> {
            monitor.stop();
            redis.close();
          })
          .onSuccess(ignored -> {
            vertx.setPeriodic(monitor.interval.toMillis(), id -> {
              if (monitor.stopped) {
                vertx.cancelTimer(id);
              } else {
                monitor.sample();
              }
            });
          })
          .map(monitor)
          .onComplete(started);
    });
    return started.future();
  }

  /**
   * How long a monitor's connection may receive nothing before it is closed as dead (a silent one would hold the
   * samples of a pool of two for good): four polls. Each connection carries a sample every poll, whose replies are
   * awaited at most a poll ({@link #timeoutMs}), so a healthy one is never silent that long, and a sample sent on it
   * never has its connection closed under it.
   */
  static Duration silence(Duration poll) {
    return Duration.ofMillis(4 * Math.max(100, poll.toMillis()));
  }

  /**
   * Stops sampling, before a drain closes vert.x and with it this monitor's client: a sample still in flight then
   * fails quietly, and the gauges keep the last sample.
   */
  public void stop() {
    stopped = true;
    if (ring != null) {
      // as the verticles close theirs: a member lost by a sample in flight is not renewed against a closing vert.x
      context.runOnContext(v -> ring.close());
    }
  }

  private BacklogMonitor(Context context, Redis redis, Redis ring, RedisConfig redisConfig, RedisKeys keys,
                         Duration interval, long activeWindowMs, MeterRegistry registry) {
    this.context = context;
    this.redis = redis;
    this.ring = ring;
    this.redisConfig = redisConfig;
    this.keys = keys;
    this.interval = interval;
    this.activeWindowMs = activeWindowMs;
    this.latest = Backlog.unknown(keys.partitions().count(), System.currentTimeMillis());
    BacklogGauges.register(registry, this, keys.partitions().count(), redisConfig.replicasExpected());
  }

  public Backlog latest() {
    return latest;
  }

  /** Whether a master's maxmemory-policy evicts keys, as last read ({@link MeterNames#REDIS_EVICTING}). */
  public boolean evicting() {
    return eviction.evicting();
  }

  /**
   * Standalone: one connection per sample, each partition's batch on it. Cluster mode: {@link #sampleEach}. A sample
   * that failed as a whole keeps the last one.
   */
  public Future<Backlog> sample() {
    long now = System.currentTimeMillis();
    Future<Masters> masters = masters();
    if (ring != null) {
      return sampleEach(masters, now).onFailure(err -> failed(err, ""));
    }
    Future<List<Partition>> partitions = redis.connect().compose(connection -> {
      List<Future<Partition>> sampled = new ArrayList<>();
      keys.all().forEach(p -> sampled.add(samplePartition(connection::batch, p, now)));
      return Future.all(sampled).eventually(connection::close)
          .map(done -> sampled.stream().map(Future::result).toList());
    });
    return Future.all(partitions, masters)
        .timeout(timeoutMs(), TimeUnit.MILLISECONDS)
        .map(done -> BacklogReadings.toBacklog(partitions.result(), masters.result(), now))
        .onSuccess(b -> {
          latest = b;
          failing = false;
        })
        .onFailure(err -> failed(err, ""));
  }

  /**
   * Cluster mode: each partition's batch on its slot's master through the ring, and a partition whose batch fails (its
   * master is down, or not yet replaced in the slot map) keeps its last sample while the others update; the sample
   * fails as a whole only when no partition answered. If INFO fails on some master, the masters' figures keep their
   * last values too rather than taking the masters that answered: the fullest master may be the one that did not
   * answer, and shedding must not stop protecting it (its replica takes over its memory with its slots); nor is a master
   * that did not answer known to have lost its replica (its promoted replica, without one, is counted once it answers).
   */
  private Future<Backlog> sampleEach(Future<Masters> masters, long now) {
    List<PartitionKeys> all = keys.all();
    List<Future<Partition>> sampled = new ArrayList<>();
    all.forEach(p -> sampled.add(samplePartition(ring::batch, p, now).timeout(timeoutMs(), TimeUnit.MILLISECONDS)));
    Future<Masters> figures = masters.timeout(timeoutMs(), TimeUnit.MILLISECONDS);
    List<Future<?>> every = new ArrayList<>(sampled);
    every.add(figures);
    return Future.join(every).transform(done -> {
      Backlog last = latest;
      List<Partition> partitions = new ArrayList<>();
      List<Integer> missing = new ArrayList<>();
      Throwable cause = null;
      for (int i = 0; i < all.size(); i++) {
        Future<Partition> p = sampled.get(i);
        partitions.add(p.succeeded() ? p.result() : last.partitions().get(i));
        if (p.failed()) {
          missing.add(all.get(i).index());
          cause = cause == null ? p.cause() : cause;
        }
      }
      if (missing.size() == all.size()) {
        return Future.failedFuture(cause);
      }
      Backlog read = BacklogReadings.toBacklog(partitions, figures.succeeded() ? figures.result() : Masters.of(last),
          now);
      // dated as the last full sample while some figures are kept from it: the sample's age tells they are old
      Backlog b = cause == null && figures.succeeded() ? read : read.datedAs(last);
      latest = b;
      if (cause == null && figures.failed()) {
        failed(figures.cause(), " for the INFO of a master");
      } else if (cause != null) {
        failed(cause, " for partition(s) " + missing);
      } else {
        failing = false;
      }
      return Future.succeededFuture(b);
    });
  }

  /**
   * INFO memory of every master and, where replicas are expected, INFO replication: a command of its own, as Redis
   * 6.2 (the embedded server) takes one section per INFO. Fails when any master does not answer.
   */
  private Future<Masters> masters() {
    List<Request> info = new ArrayList<>(List.of(Request.cmd(Command.INFO).arg("memory")));
    if (redisConfig.replicasExpected()) {
      info.add(Request.cmd(Command.INFO).arg("replication"));
    }
    return RedisClients.onEveryMaster(redis, redisConfig, info)
        .onSuccess(replies -> eviction.read(BacklogReadings.evictionPolicy(replies.get(0))))
        .map(replies -> BacklogReadings.masters(replies.get(0), replies.size() > 1 ? replies.get(1) : List.of()));
  }

  private long timeoutMs() {
    return Math.max(100, interval.toMillis());
  }

  /** Logs the first failure of a run of them; {@code what}: which part of the sample failed ("": all of it). */
  private void failed(Throwable err, String what) {
    if (stopped || RedisErrors.has(err, "CONNECTION_CLOSED")) {
      // stopped: this process is shutting down. A closed connection: Redis went away mid-sample (or the client
      // closed under a sample of a monitor nobody stopped); the next sample, failing to connect, says so
      return;
    }
    if (!failing) {
      LOG.warn("backlog sampling failed{}, keeping the last sample: {}", what, err.toString());
    }
    failing = true;
    if (RedisErrors.has(err, "NOGROUP") || String.valueOf(err.getMessage()).contains("no such key")) {
      // Redis (a master, in cluster mode) came back empty (XINFO: no such key): the next sample finds the groups again
      ConsumerGroup.ensureAll(ring != null ? ring : redis, keys);
    }
  }

  /**
   * {@code batch}: a connection's, or the ring's (cluster mode). The workers read with NOACK, so the group has no
   * pending list: what was delivered and not yet written is told apart from what was never delivered by the group's
   * lag ({@link BacklogReadings#undelivered}).
   */
  private Future<Partition> samplePartition(Function<List<Request>, Future<List<Response>>> batch, PartitionKeys p,
                                            long now) {
    return batch.apply(List.of(
            Request.cmd(Command.XINFO).arg("STREAM").arg(p.stream()),
            Request.cmd(Command.XINFO).arg("GROUPS").arg(p.stream()),
            Request.cmd(Command.XLEN).arg(p.deadLetterStream()),
            Request.cmd(Command.ZCOUNT).arg(p.readers()).arg(now - activeWindowMs).arg("+inf")))
        .compose(replies -> {
          Map<String, Response> stream = BacklogReadings.fields(replies.get(0));
          Map<String, String> group = ConsumerGroup.info(replies.get(1), keys.group());
          long length = stream.get("length").toLong();
          Long undelivered = BacklogReadings.undelivered(stream, group, length);
          Future<Long> counted = undelivered != null ? Future.succeededFuture(undelivered)
              : countUndelivered(batch, p, group, length);
          double oldest = BacklogReadings.oldestAge(stream.get("first-entry"), now);
          return counted.map(u -> new Partition(length, length - u, u, oldest,
              replies.get(2).toLong(), replies.get(3).toInteger()));
        });
  }

  /**
   * When Redis cannot tell: the entries up to the group's last-delivered-id are counted ({@code XRANGE}, at most
   * {@link #COUNT_DELIVERED_MAX}; more are taken as that many, so pending is then a lower bound and undelivered an
   * upper one). Delivered and not yet written is few entries unless workers fail.
   */
  private Future<Long> countUndelivered(Function<List<Request>, Future<List<Response>>> batch, PartitionKeys p,
                                        Map<String, String> group, long length) {
    String last = group.get("last-delivered-id");
    if (last == null) {
      return Future.succeededFuture(length);
    }
    return batch.apply(List.of(Request.cmd(Command.XRANGE).arg(p.stream()).arg("-").arg(last)
            .arg("COUNT").arg(COUNT_DELIVERED_MAX)))
        .map(replies -> Math.max(0, length - (replies.get(0) == null ? 0 : replies.get(0).size())));
  }

}
