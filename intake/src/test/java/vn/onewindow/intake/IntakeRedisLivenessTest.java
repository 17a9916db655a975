package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.LogCapture;
import vn.onewindow.common.testing.TcpProxy;

/**
 * A Redis that accepts connections and never answers on them (a peer gone without FIN or RST, a NAT that forgot the
 * connection, a server that never answers one command): the worker neither hangs nor keeps a dead connection, and
 * keeps writing. A connection silent for intake.block-ms + intake.read-margin-ms is presumed dead and closed; a
 * call of the worker's start is given up after two heartbeats.
 */
class IntakeRedisLivenessTest {
  @RegisterExtension
  final LogCapture readLog = LogCapture.of(ReadLoop.class);
  /** Connections presumed dead after 500 ms of silence. */
  private static final Map<String, String> SILENCE = Map.of("intake.read-margin-ms", "300",
      "intake.heartbeat-ms", "200", "redis.replica-ack-timeout-ms", "200");

  @Test
  void aConsumerGroupCheckRedisNeverAnswersDoesNotHoldTheWorkersStartAndIsRetried() throws Exception {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger verticle = (Logger) LoggerFactory.getLogger(IntakeVerticle.class);
    verticle.addAppender(logged);
    // XGROUP CREATE given up after 400 ms, well before its silent connection is closed (3.2 s)
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.read-margin-ms", "3000", "intake.heartbeat-ms", "200"));
         TcpProxy proxy = proxyTo(h)) {
      proxy.up();
      // XGROUP CREATE never answered: the connection that carries it goes silent, the others serve
      proxy.blackHoleOn("XGROUP");
      long started = System.nanoTime();
      // deployed from another thread: before the fix the deployment never completed
      CompletableFuture<SimpleMeterRegistry> deployed =
          CompletableFuture.supplyAsync(() -> h.deployWorker(proxied(h, proxy), "worker-1"));
      IntakeHarness.await(Duration.ofSeconds(10), "the worker started though Redis never answers its XGROUP",
          deployed::isDone);
      assertThat(deployed.get()).isNotNull();
      IntakeHarness.await(Duration.ofSeconds(5), "a log line naming the silent group check",
          () -> logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("could not start on partition 0")
              && e.getFormattedMessage().contains("XGROUP CREATE")
              && e.getFormattedMessage().contains("did not answer within 400 ms")));
      System.out.printf("[intake] silent XGROUP: started in %d ms%n", (System.nanoTime() - started) / 1_000_000);

      proxy.blackHoleOn(null);
      h.xadd(Dossiers.entries(20));
      IntakeHarness.await(Duration.ofSeconds(15), "20 dossiers and an empty stream once Redis answers again",
          () -> h.sql("SELECT count(*) FROM dossier") == 20 && h.xlen(h.keys.stream()) == 0);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(20);
    } finally {
      verticle.detachAppender(logged);
    }
  }

  @Test
  void aWorkerWhoseRedisConnectionsWentSilentReplacesThemAndKeepsWriting() throws Exception {
    try (IntakeHarness h = IntakeHarness.create(SILENCE); TcpProxy proxy = proxyTo(h)) {
      proxy.up();
      h.deployWorker(proxied(h, proxy), "worker-1");
      h.xadd(Dossiers.entries(40).subList(0, 20));
      IntakeHarness.await(Duration.ofSeconds(10), "20 dossiers before the silence",
          () -> h.sql("SELECT count(*) FROM dossier") == 20 && h.xlen(h.keys.stream()) == 0);

      // every connection the worker holds (its blocking read, its heartbeat's, sweeps' and acknowledgements') goes
      // silent; a new connection reaches Redis
      proxy.blackHole();
      assertThat(proxy.silentConnections()).isPositive();
      long silenced = System.nanoTime();
      h.xadd(Dossiers.entries(40).subList(20, 40));
      IntakeHarness.await(Duration.ofSeconds(10), "every silent connection closed by the worker",
          () -> proxy.silentConnections() == 0);
      long closedMs = (System.nanoTime() - silenced) / 1_000_000;
      IntakeHarness.await(Duration.ofSeconds(15), "40 dossiers and an empty stream after the silence",
          () -> h.sql("SELECT count(*) FROM dossier") == 40 && h.xlen(h.keys.stream()) == 0);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(40);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isZero();
      IntakeHarness.await(Duration.ofSeconds(5), "the worker's heartbeat alive on its new connections",
          () -> heartbeatExpiry(h, "worker-1") > redisNowMs(h));
      System.out.printf("[intake] silent connections: all closed %d ms after the silence, recovered in %d ms%n",
          closedMs, (System.nanoTime() - silenced) / 1_000_000);
    }
  }

  /**
   * Redis gone (its connections refused): the read loop retries every intake.retry-backoff-ms and logged a WARN each
   * time, two a second per worker for as long as the outage lasted (rehearsal QA: 42 lines in 21 s). One line per
   * 10 s per read loop now, hub_intake_failures_total{upstream="redis"} counting every failure; writing resumes when
   * Redis is back.
   */
  @Test
  void aRedisOutageLogsOneReadFailurePerTenSecondsAndTheWorkerResumes() throws Exception {
    try (IntakeHarness h = IntakeHarness.create(Map.of("intake.retry-backoff-ms", "100"));
         TcpProxy proxy = proxyTo(h)) {
      proxy.up();
      h.deployWorker(proxied(h, proxy), "worker-1");
      h.xadd(Dossiers.entries(20).subList(0, 10));
      IntakeHarness.await(Duration.ofSeconds(10), "10 dossiers before the outage",
          () -> h.sql("SELECT count(*) FROM dossier") == 10 && h.xlen(h.keys.stream()) == 0);

      proxy.down();
      long down = System.nanoTime();
      double before = h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "redis");
      IntakeHarness.await(Duration.ofSeconds(10), "read failures during the outage",
          () -> h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "redis") - before >= 10);
      long windows = 1 + (System.nanoTime() - down) / 10_000_000_000L;
      List<String> lines = readLog.lines("XREADGROUP failed");
      assertThat(lines).as("read-failure lines in %d window(s) of 10 s", windows)
          .hasSizeBetween(1, (int) windows)
          .allMatch(line -> line.contains("more failed reads since the last line"));

      proxy.up();
      h.xadd(Dossiers.entries(20).subList(10, 20));
      IntakeHarness.await(Duration.ofSeconds(15), "20 dossiers after the outage",
          () -> h.sql("SELECT count(*) FROM dossier") == 20 && h.xlen(h.keys.stream()) == 0);
    }
  }

  /**
   * The read loop's reconnection after a failed read (Redis reset, then back) closed the old client but never handed
   * its connection back: vertx_pool_in_use{pool_name="redis-intake-read"} grew by one for every failed read and never
   * came down (and by one more at each stop of a read loop), so the gauge said two read connections where Redis held
   * one. Compared with the read connections Redis itself lists (by connection name, last command XREADGROUP).
   */
  @Test
  void theReadPoolGaugeCountsTheReadConnectionsRedisHoldsAcrossAReconnection() throws Exception {
    try (IntakeHarness h = IntakeHarness.withVertxMeters(Map.of("intake.retry-backoff-ms", "100"));
         TcpProxy proxy = proxyTo(h)) {
      proxy.up();
      String name = "intake-read-" + java.util.UUID.randomUUID().toString().substring(0, 8);
      HubConfig named = h.config.withRedis(h.config.redis()
          .withUrl("redis://127.0.0.1:" + proxy.port() + "?client=" + name));
      h.deployWorker(named, "worker-1");
      h.xadd(Dossiers.entries(20).subList(0, 10));
      IntakeHarness.await(Duration.ofSeconds(10), "10 dossiers and one read connection before the outage",
          () -> h.sql("SELECT count(*) FROM dossier") == 10 && readConnections(h, name) == 1);
      assertThat(h.readConnectionsInUse()).as("read connections in use, by Vert.x's pool meter").isEqualTo(1.0);

      proxy.down();
      double before = h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "redis");
      IntakeHarness.await(Duration.ofSeconds(10), "failed reads during the outage",
          () -> h.counter(MeterNames.INTAKE_FAILURES, MeterNames.TAG_UPSTREAM, "redis") - before >= 3);
      proxy.up();
      h.xadd(Dossiers.entries(20).subList(10, 20));
      IntakeHarness.await(Duration.ofSeconds(15), "20 dossiers and a read connection again after the outage",
          () -> h.sql("SELECT count(*) FROM dossier") == 20 && readConnections(h, name) == 1);

      assertThat(h.readConnectionsInUse()).as("read connections in use by the meter, after a reconnection")
          .isEqualTo((double) readConnections(h, name));
      h.undeployAll();
      assertThat(h.readConnectionsInUse()).as("read connections in use once the worker stopped").isZero();
    }
  }

  /** Connections under {@code name} whose last command was a stream read: the read loops'. */
  private static long readConnections(IntakeHarness h, String name) {
    String list = h.send(Request.cmd(Command.CLIENT).arg("LIST")).toString();
    return list.lines().filter(line -> line.contains(" name=" + name + " ") && line.contains(" cmd=xreadgroup "))
        .count();
  }


  private static HubConfig proxied(IntakeHarness h, TcpProxy proxy) {
    return h.config.withRedis(h.config.redis().withUrl("redis://127.0.0.1:" + proxy.port()));
  }

  private static TcpProxy proxyTo(IntakeHarness h) {
    URI target = URI.create(h.config.redis().url());
    return new TcpProxy(target.getHost(), target.getPort());
  }

  private static double heartbeatExpiry(IntakeHarness h, String worker) {
    Response score = h.send(Request.cmd(Command.ZSCORE).arg(h.keys.members()).arg(worker));
    return score == null ? 0 : Double.parseDouble(score.toString());
  }

  private static long redisNowMs(IntakeHarness h) {
    Response time = h.send(Request.cmd(Command.TIME));
    return time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
  }
}
