package vn.onewindow.common.infra;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.dossier.ConsumerGroup;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.metrics.MeterNames;

/**
 * Samples the queue between gateways and workers every few seconds, per partition (one pipelined batch on the
 * partition's slot): stream length, pending and undelivered entries, age of the oldest entry, dead letters and the
 * workers reading it; and the memory of every Redis master. Exported as gauges, per partition and in total, and read
 * by load shedding, which must never wait on Redis itself.
 */
public final class BacklogMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(BacklogMonitor.class);

  /**
   * One partition's sample; {@code consumers}: workers that asked it for entries within the active window (block +
   * read margin), from the readers set each read round updates (clocks of workers and monitor compared).
   */
  public record Partition(long length, long pending, long undelivered, double oldestAgeSeconds, long deadLetters,
                          int consumers) {
    static final Partition UNKNOWN = new Partition(0, 0, 0, 0, 0, 0);
  }

  /**
   * One sample, totals over the partitions (oldest age: the oldest of all) and the fullest master's memory;
   * {@code maxMemoryBytes} is 0 when Redis has no memory limit.
   */
  public record Backlog(long length, long pending, long undelivered, double oldestAgeSeconds, long deadLetters,
                        long usedMemoryBytes, long maxMemoryBytes, long sampledAtMillis, List<Partition> partitions) {

    static Backlog unknown(int partitions) {
      return new Backlog(0, 0, 0, 0, 0, 0, 0, 0, java.util.Collections.nCopies(partitions, Partition.UNKNOWN));
    }

    public double memoryRatio() {
      return maxMemoryBytes <= 0 ? 0 : (double) usedMemoryBytes / maxMemoryBytes;
    }
  }

  private final Redis redis;
  private final RedisConfig redisConfig;
  private final RedisKeys keys;
  private final Duration interval;
  private final long activeWindowMs;
  private volatile Backlog latest;
  private boolean failing;
  private volatile boolean stopped;

  /**
   * One monitor per process, on a small Redis client of its own. It makes sure every partition's consumer group exists
   * (so pending counts mean something before any worker ran) and takes a first sample; a Redis that is down at start
   * does not stop the process, the gauges just keep their last values until it answers.
   */
  public static Future<BacklogMonitor> start(Vertx vertx, HubConfig config, MeterRegistry registry) {
    RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
    Redis redis = RedisClients.create(vertx, config.redis().withPoolSize(2), "monitor");
    // a reader blocks up to block-ms per round and gets read-margin-ms more: silent longer, it is not reading
    long activeWindowMs = config.intake().block().plus(config.intake().readMargin()).toMillis();
    BacklogMonitor monitor = new BacklogMonitor(redis, config.redis(), keys, config.resilience().shedding().backlogPoll(),
        activeWindowMs, registry);
    return ConsumerGroup.ensureAll(redis, keys)
        .compose(v -> monitor.sample())
        .otherwiseEmpty()
        .onComplete(ignored -> vertx.setPeriodic(monitor.interval.toMillis(), id -> {
          if (monitor.stopped) {
            vertx.cancelTimer(id);
          } else {
            monitor.sample();
          }
        }))
        .map(monitor);
  }

  /**
   * Stops sampling, before a drain closes vert.x and with it this monitor's client: a sample still in flight then
   * fails quietly, and the gauges keep the last sample.
   */
  public void stop() {
    stopped = true;
  }

  private BacklogMonitor(Redis redis, RedisConfig redisConfig, RedisKeys keys, Duration interval, long activeWindowMs,
                         MeterRegistry registry) {
    this.redis = redis;
    this.redisConfig = redisConfig;
    this.keys = keys;
    this.interval = interval;
    this.activeWindowMs = activeWindowMs;
    this.latest = Backlog.unknown(keys.partitions().count());
    gauge(registry, MeterNames.STREAM_LENGTH, "Entries queued in the dossier streams", Backlog::length);
    gauge(registry, MeterNames.STREAM_PENDING, "Entries delivered to a worker, not yet acknowledged", Backlog::pending);
    gauge(registry, MeterNames.STREAM_LAG, "Entries not yet delivered to any worker", Backlog::undelivered);
    gauge(registry, MeterNames.STREAM_OLDEST_AGE, "Age of the oldest queued entry", Backlog::oldestAgeSeconds);
    gauge(registry, MeterNames.DEAD_LETTER_LENGTH, "Entries in the dead-letter streams", Backlog::deadLetters);
    gauge(registry, MeterNames.REDIS_MEMORY_USED, "Memory used by the fullest Redis master", Backlog::usedMemoryBytes);
    gauge(registry, MeterNames.REDIS_MEMORY_MAX, "maxmemory of the fullest Redis master (0: no limit)",
        Backlog::maxMemoryBytes);
    for (int i = 0; i < keys.partitions().count(); i++) {
      partitionGauge(registry, i, MeterNames.PARTITION_LENGTH, "Entries queued in one partition", Partition::length);
      partitionGauge(registry, i, MeterNames.PARTITION_PENDING, "Entries of one partition delivered, not acknowledged",
          Partition::pending);
      partitionGauge(registry, i, MeterNames.PARTITION_LAG, "Entries of one partition not yet delivered",
          Partition::undelivered);
      partitionGauge(registry, i, MeterNames.PARTITION_OLDEST_AGE, "Age of the oldest entry of one partition",
          Partition::oldestAgeSeconds);
      partitionGauge(registry, i, MeterNames.PARTITION_CONSUMERS, "Workers reading one partition recently",
          Partition::consumers);
    }
  }

  private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<Backlog> value) {
    Gauge.builder(name, this, m -> value.applyAsDouble(m.latest)).description(description).register(registry);
  }

  private void partitionGauge(MeterRegistry registry, int index, String name, String description,
                              ToDoubleFunction<Partition> value) {
    Gauge.builder(name, this, m -> value.applyAsDouble(m.latest.partitions().get(index)))
        .tag(MeterNames.TAG_PARTITION, Integer.toString(index)).description(description).register(registry);
  }

  public Backlog latest() {
    return latest;
  }

  /** One connection per sample (in cluster mode it reaches every master), each partition's batch on its slot. */
  public Future<Backlog> sample() {
    long now = System.currentTimeMillis();
    Future<List<Response>> memory = RedisClients.onEveryMaster(redis, redisConfig, Request.cmd(Command.INFO).arg("memory"));
    Future<List<Partition>> partitions = redis.connect().compose(connection -> {
      List<Future<Partition>> sampled = new ArrayList<>();
      keys.all().forEach(p -> sampled.add(samplePartition(connection, p, now)));
      return Future.all(sampled).eventually(connection::close)
          .map(done -> sampled.stream().map(Future::result).toList());
    });
    return Future.all(partitions, memory)
        .timeout(Math.max(100, interval.toMillis()), TimeUnit.MILLISECONDS)
        .map(done -> toBacklog(partitions.result(), memory.result(), now))
        .onSuccess(b -> {
          latest = b;
          failing = false;
        })
        .onFailure(err -> {
          if (stopped || RedisErrors.has(err, "CONNECTION_CLOSED")) {
            // stopped: this process is shutting down. A closed connection: Redis went away mid-sample (or the client
            // closed under a sample of a monitor nobody stopped); the next sample, failing to connect, says so
            return;
          }
          if (!failing) {
            LOG.warn("backlog sampling failed, keeping the last sample: {}", err.toString());
          }
          failing = true;
          if (RedisErrors.has(err, "NOGROUP")) {
            ConsumerGroup.ensureAll(redis, keys); // Redis came back empty: the next sample finds the groups again
          }
        });
  }

  private Future<Partition> samplePartition(RedisConnection connection, PartitionKeys p, long now) {
    return connection.batch(List.of(
            Request.cmd(Command.XLEN).arg(p.stream()),
            Request.cmd(Command.XPENDING).arg(p.stream()).arg(keys.group()),
            Request.cmd(Command.XRANGE).arg(p.stream()).arg("-").arg("+").arg("COUNT").arg(1),
            Request.cmd(Command.XLEN).arg(p.deadLetterStream()),
            Request.cmd(Command.ZCOUNT).arg(p.readers()).arg(now - activeWindowMs).arg("+inf")))
        .map(replies -> toPartition(replies, now));
  }

  private Partition toPartition(List<Response> replies, long now) {
    long length = replies.get(0).toLong();
    Response pendingSummary = replies.get(1);
    long pending = pendingSummary != null && pendingSummary.size() > 0 && pendingSummary.get(0) != null
        ? pendingSummary.get(0).toLong() : 0;
    double oldestAge = 0;
    Response first = replies.get(2);
    if (first != null && first.size() > 0) {
      String id = first.get(0).get(0).toString();
      oldestAge = Math.max(0, (now - Long.parseLong(id.substring(0, id.indexOf('-')))) / 1000.0);
    }
    return new Partition(length, pending, Math.max(0, length - pending), oldestAge, replies.get(3).toLong(),
        replies.get(4).toInteger());
  }

  private static Backlog toBacklog(List<Partition> partitions, List<Response> memory, long now) {
    long used = 0;
    long max = 0;
    double fullest = -1;
    for (Response info : memory) {
      long u = infoField(info.toString(), "used_memory:");
      long m = infoField(info.toString(), "maxmemory:");
      double ratio = m <= 0 ? 0 : (double) u / m;
      // the fullest by ratio; without any maxmemory (every ratio 0), the one using the most
      if (ratio > fullest || ratio == fullest && u > used) {
        fullest = ratio;
        used = u;
        max = m;
      }
    }
    return new Backlog(
        partitions.stream().mapToLong(Partition::length).sum(),
        partitions.stream().mapToLong(Partition::pending).sum(),
        partitions.stream().mapToLong(Partition::undelivered).sum(),
        partitions.stream().mapToDouble(Partition::oldestAgeSeconds).max().orElse(0),
        partitions.stream().mapToLong(Partition::deadLetters).sum(),
        used, max, now, List.copyOf(partitions));
  }

  private static long infoField(String info, String field) {
    int at = info.indexOf("\n" + field);
    if (at < 0) {
      return 0;
    }
    int start = at + field.length() + 1;
    int end = info.indexOf('\r', start);
    return Long.parseLong(info.substring(start, end < 0 ? info.indexOf('\n', start) : end).trim());
  }
}
