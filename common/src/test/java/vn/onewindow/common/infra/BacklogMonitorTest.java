package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.ConsumerGroup;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * The workers read with NOACK, so the group has no pending list: pending (delivered, not yet written and deleted) and
 * undelivered come from the group's lag, or what stands in for it when Redis leaves it nil.
 */
class BacklogMonitorTest {

  @Test
  void shouldTellDeliveredFromUndeliveredEntriesWithoutAPendingList() {
    HubConfig config = TestServers.get().config(Map.of("shed.backlog-poll-ms", "600000"));
    RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
    String stream = keys.stream();
    Vertx vertx = Vertx.vertx();
    Redis redis = RedisClients.create(vertx, config.redis(), "test");
    try {
      BacklogMonitor monitor = BacklogMonitor.start(vertx, config, new SimpleMeterRegistry()).await();
      for (int i = 1; i <= 6; i++) {
        redis.send(Request.cmd(Command.XADD).arg(stream).arg(i + "-0").arg("f").arg("v")).await();
      }
      read(redis, keys, 2); // 1, 2
      Backlog.Partition p = monitor.sample().await().partitions().get(0);
      assertThat(p.length()).isEqualTo(6);
      assertThat(p.pending()).isEqualTo(2);
      assertThat(p.undelivered()).isEqualTo(4);

      // 1 and 2 written; 3 and 4 read, only 4 written: Redis's lag is nil (a deletion at the last delivered id,
      // an older entry left), entries-added - entries-read stands in
      redis.send(Request.cmd(Command.XDEL).arg(stream).arg("1-0").arg("2-0")).await();
      read(redis, keys, 2);
      redis.send(Request.cmd(Command.XDEL).arg(stream).arg("4-0")).await();
      p = monitor.sample().await().partitions().get(0);
      assertThat(p.length()).isEqualTo(3);
      assertThat(p.pending()).as("3 delivered, not written").isEqualTo(1);
      assertThat(p.undelivered()).as("5 and 6").isEqualTo(2);

      // the group set on (no entries-read either): the delivered entries still there are counted
      redis.send(Request.cmd(Command.XGROUP).arg("SETID").arg(stream).arg(keys.group()).arg("5-0")).await();
      p = monitor.sample().await().partitions().get(0);
      assertThat(p.length()).isEqualTo(3);
      assertThat(p.pending()).as("3 and 5").isEqualTo(2);
      assertThat(p.undelivered()).as("6").isEqualTo(1);
      monitor.stop();
    } finally {
      redis.close();
      vertx.close().await();
    }
  }

  /**
   * While Redis does not answer, every backlog gauge keeps its last value (shedding must go on with the last figures),
   * so a dashboard showed a frozen backlog with nothing saying so: the sample's age tells, from the monitor's start
   * when no sample was ever taken (not from 1970).
   */
  @Test
  void shouldTellHowOldTheFiguresAreWhileRedisDoesNotAnswer() throws Exception {
    URI target = URI.create(TestServers.get().redisUrl());
    try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort())) {
      HubConfig config = TestServers.get().config(Map.of("shed.backlog-poll-ms", "600000",
          "redis.url", "redis://127.0.0.1:" + proxy.port()));
      Vertx vertx = Vertx.vertx();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      // refused, not silent: a silent Redis would hold the start's sample for its timeout, a poll (10 min here)
      proxy.up();
      proxy.down();
      try {
        long beforeStart = System.currentTimeMillis();
        BacklogMonitor monitor = BacklogMonitor.start(vertx, config, registry).await();
        assertThat(age(registry)).as("never sampled: counted from the start").isBetween(0.0,
            (System.currentTimeMillis() - beforeStart) / 1000.0);

        proxy.up();
        Redis redis = RedisClients.create(vertx, config.redis(), "test");
        ConsumerGroup.ensureAll(redis, RedisKeys.of(config.redis(), config.stream())).await();
        Backlog fresh = monitor.sample().await();
        assertThat(fresh.sampledAtMillis()).isGreaterThanOrEqualTo(beforeStart);
        proxy.down();
        assertThat(monitor.sample().transform(done -> Future.succeededFuture(done.failed())).await())
            .as("the sample failed").isTrue();
        assertThat(monitor.latest().sampledAtMillis()).as("the figures kept, and their time")
            .isEqualTo(fresh.sampledAtMillis());
        long lower = System.currentTimeMillis() - fresh.sampledAtMillis();
        double age = age(registry);
        assertThat(age).isBetween(lower / 1000.0, (System.currentTimeMillis() - fresh.sampledAtMillis()) / 1000.0);
        monitor.stop();
      } finally {
        vertx.close().await();
      }
    }
  }

  private static double age(SimpleMeterRegistry registry) {
    return registry.get(MeterNames.STREAM_SAMPLE_AGE).gauge().value();
  }

  private static void read(Redis redis, RedisKeys keys, int count) {
    redis.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(keys.group()).arg("w").arg("COUNT").arg(count)
        .arg("NOACK").arg("STREAMS").arg(keys.stream()).arg(">")).await();
  }
}
