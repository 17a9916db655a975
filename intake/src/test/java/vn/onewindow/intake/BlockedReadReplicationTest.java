package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.EmbeddedServers;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.testing.TestServers;

/**
 * With {@code redis.min-replicas-ack}, the WAIT after a read must cover the entries that read delivered. Redis sets a
 * connection's WAIT target (its last write's offset) only for commands it runs for that connection: an
 * {@code XREADGROUP ... BLOCK ... NOACK} that an XADD from a script (the gateway's enqueue) served while it blocked
 * propagated its group update as part of the script's call, so the reader's WAIT that follows asked about an older
 * offset, the replica already had it, and an entry no replica held was written to PostgreSQL (a cluster tryout: one
 * dossier answered {@code 503 replication-unconfirmed}, its only replica SIGSTOPped, in PostgreSQL 3 ms after its
 * receipt; reproduced by hand on Redis 6.2 and 7.0, blocked read 1 acknowledgement, the same read unblocked 0).
 */
class BlockedReadReplicationTest {

  @Test
  void anEntryThatReachedABlockedReadIsNotWrittenBeforeAReplicaHasIt() throws Exception {
    Path dir = Files.createTempDirectory("intake-blocked-read");
    int masterPort = TestServers.freePort();
    int replicaPort = TestServers.freePort();
    try (EmbeddedServers master = new EmbeddedServers(); EmbeddedServers replica = new EmbeddedServers()) {
      String url = master.startRedis(dir.resolve("master"), masterPort, false);
      replica.startRedis(dir.resolve("replica"), replicaPort, false);
      TestServers.redisCommand("127.0.0.1", replicaPort, "REPLICAOF", "127.0.0.1", Integer.toString(masterPort));
      // long blocks: the reader sits in its XREADGROUP when the entry comes; reads mark the readers set at most once
      // a block, so the reader's last write of its own is that mark, which the replica has acknowledged
      try (IntakeHarness h = IntakeHarness.create(Map.of("redis.url", url, "redis.min-replicas-ack", "1",
          "redis.replica-ack-timeout-ms", "200", "intake.block-ms", "8000", "intake.claim-idle-ms", "1000"))) {
        h.deployWorker("worker-1");
        h.redisScriptXadd(Dossiers.entry(0));
        IntakeHarness.await(Duration.ofSeconds(15), "the first dossier written, its replica healthy",
            () -> h.sql("SELECT count(*) FROM dossier") == 1 && h.xlen(h.keys.stream()) == 0);
        for (int attempt = 0; attempt < 3; attempt++) {
          awaitReplicaCaughtUp(masterPort);
          long pid = redisPid(replicaPort);
          run("kill", "-STOP", Long.toString(pid));
          try {
            // as the gateway queues: XADD inside a script
            h.redisScriptXadd(Dossiers.entry(1 + attempt));
            Thread.sleep(1500);
            assertThat(h.sql("SELECT count(*) FROM dossier"))
                .as("attempt %d: an entry no replica has is not handed to PostgreSQL", attempt).isEqualTo(1 + attempt);
            assertThat(h.counter(MeterNames.UNREPLICATED_READS)).isGreaterThanOrEqualTo(1.0);
          } finally {
            run("kill", "-CONT", Long.toString(pid));
          }
          int expected = 2 + attempt;
          IntakeHarness.await(Duration.ofSeconds(20), "the held-back entry written once the replica has it",
              () -> h.sql("SELECT count(*) FROM dossier") == expected && h.xlen(h.keys.stream()) == 0);
        }
        assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(4);
      }
    }
  }

  /**
   * Until the replica has acknowledged everything the master had written when this was called (the reader's last
   * mark among it); the sweeper's marks keep the master's offset moving, so not up to the master's latest offset.
   */
  private static void awaitReplicaCaughtUp(int masterPort) {
    long target = replication(masterPort)[0];
    IntakeHarness.await(Duration.ofSeconds(15), "the replica online and caught up",
        () -> replication(masterPort)[1] >= target);
  }

  /** The master's replication offset and the offset its online replica last acknowledged (-1: none online). */
  private static long[] replication(int masterPort) {
    String info = info(masterPort, "replication");
    long offset = -1;
    long acked = -1;
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("master_repl_offset:")) {
        offset = Long.parseLong(line.substring("master_repl_offset:".length()).trim());
      } else if (line.startsWith("slave0:") && line.contains("state=online")) {
        for (String part : line.substring("slave0:".length()).split(",")) {
          if (part.startsWith("offset=")) {
            acked = Long.parseLong(part.substring("offset=".length()));
          }
        }
      }
    }
    return new long[] {offset, acked};
  }

  private static long redisPid(int port) {
    return info(port, "server").lines()
        .filter(line -> line.startsWith("process_id:"))
        .mapToLong(line -> Long.parseLong(line.substring("process_id:".length()).trim()))
        .findFirst().orElseThrow();
  }

  /** INFO {@code section} of the Redis on {@code port}, whole (TestServers.redisCommand gives the first line). */
  private static String info(int port, String section) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      String command = "*2\r\n$4\r\nINFO\r\n$" + section.length() + "\r\n" + section + "\r\n";
      socket.getOutputStream().write(command.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      StringBuilder header = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        header.append((char) c);
      }
      int length = Integer.parseInt(header.substring(1).trim());
      return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }
}
