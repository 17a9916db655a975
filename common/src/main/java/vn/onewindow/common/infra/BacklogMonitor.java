package vn.onewindow.common.infra;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.ConsumerGroup;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.metrics.MeterNames;

/**
 * Samples the queue between gateway and workers every few seconds (one pipelined round trip): stream length,
 * pending and undelivered entries, age of the oldest entry, dead letters and Redis memory. Exported as gauges and
 * read by load shedding, which must never wait on Redis itself.
 */
public final class BacklogMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(BacklogMonitor.class);

  /** One sample; {@code maxMemoryBytes} is 0 when Redis has no memory limit. */
  public record Backlog(long length, long pending, long undelivered, double oldestAgeSeconds, long deadLetters,
                        long usedMemoryBytes, long maxMemoryBytes, long sampledAtMillis) {
    public static final Backlog UNKNOWN = new Backlog(0, 0, 0, 0, 0, 0, 0, 0);

    public double memoryRatio() {
      return maxMemoryBytes <= 0 ? 0 : (double) usedMemoryBytes / maxMemoryBytes;
    }
  }

  private final Redis redis;
  private final RedisKeys keys;
  private final Duration interval;
  private volatile Backlog latest = Backlog.UNKNOWN;
  private boolean failing;

  /**
   * One monitor per process, on a small Redis client of its own. It makes sure the consumer group exists (so pending
   * counts mean something before any worker ran) and takes a first sample; a Redis that is down at start does not
   * stop the process, the gauges just keep their last values until it answers.
   */
  public static Future<BacklogMonitor> start(Vertx vertx, HubConfig config, MeterRegistry registry) {
    RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
    Redis redis = RedisClients.create(vertx, config.redis().withPoolSize(2), "monitor");
    BacklogMonitor monitor = new BacklogMonitor(redis, keys, config.resilience().shedding().backlogPoll(), registry);
    return ConsumerGroup.ensure(redis, keys)
        .compose(v -> monitor.sample())
        .otherwiseEmpty()
        .onComplete(ignored -> vertx.setPeriodic(monitor.interval.toMillis(), id -> monitor.sample()))
        .map(monitor);
  }

  private BacklogMonitor(Redis redis, RedisKeys keys, Duration interval, MeterRegistry registry) {
    this.redis = redis;
    this.keys = keys;
    this.interval = interval;
    gauge(registry, MeterNames.STREAM_LENGTH, "Entries queued in the dossier stream", Backlog::length);
    gauge(registry, MeterNames.STREAM_PENDING, "Entries delivered to a worker, not yet acknowledged", Backlog::pending);
    gauge(registry, MeterNames.STREAM_LAG, "Entries not yet delivered to any worker", Backlog::undelivered);
    gauge(registry, MeterNames.STREAM_OLDEST_AGE, "Age of the oldest queued entry", Backlog::oldestAgeSeconds);
    gauge(registry, MeterNames.DEAD_LETTER_LENGTH, "Entries in the dead-letter stream", Backlog::deadLetters);
  }

  private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<Backlog> value) {
    Gauge.builder(name, this, m -> value.applyAsDouble(m.latest)).description(description).register(registry);
  }

  public Backlog latest() {
    return latest;
  }

  public Future<Backlog> sample() {
    List<Request> requests = List.of(
        Request.cmd(Command.XLEN).arg(keys.stream()),
        Request.cmd(Command.XPENDING).arg(keys.stream()).arg(keys.group()),
        Request.cmd(Command.XRANGE).arg(keys.stream()).arg("-").arg("+").arg("COUNT").arg(1),
        Request.cmd(Command.XLEN).arg(keys.deadLetterStream()),
        Request.cmd(Command.INFO).arg("memory"));
    return redis.batch(requests)
        .timeout(Math.max(100, interval.toMillis()), TimeUnit.MILLISECONDS)
        .map(this::toBacklog)
        .onSuccess(b -> {
          latest = b;
          failing = false;
        })
        .onFailure(err -> {
          if (!failing) {
            LOG.warn("backlog sampling failed, keeping the last sample: {}", err.toString());
          }
          failing = true;
        });
  }

  private Backlog toBacklog(List<Response> replies) {
    long length = replies.get(0).toLong();
    Response pendingSummary = replies.get(1);
    // XPENDING on a stream without the group yet is an error reply inside the batch; treat as nothing pending.
    long pending = pendingSummary != null && pendingSummary.size() > 0 && pendingSummary.get(0) != null
        ? pendingSummary.get(0).toLong() : 0;
    double oldestAge = 0;
    Response first = replies.get(2);
    long now = System.currentTimeMillis();
    if (first != null && first.size() > 0) {
      String id = first.get(0).get(0).toString();
      oldestAge = Math.max(0, (now - Long.parseLong(id.substring(0, id.indexOf('-')))) / 1000.0);
    }
    long dead = replies.get(3).toLong();
    String info = replies.get(4).toString();
    return new Backlog(length, pending, Math.max(0, length - pending), oldestAge, dead,
        infoField(info, "used_memory:"), infoField(info, "maxmemory:"), now);
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
