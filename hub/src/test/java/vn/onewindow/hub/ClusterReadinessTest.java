package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig.Role;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.PartitionTags;
import vn.onewindow.common.testing.TestRedisCluster;

/**
 * Readiness while one master of the cluster is down (operator tryout: a SIGKILLed master turned every gateway's
 * readiness 503 now and then, and every intake process's all the time, until its replica was promoted; a load
 * balancer following it takes out the gateways that are still queueing on the healthy masters). A master is
 * SIGKILLed and both roles are asked, before the cluster has even flagged it failed: the dead node is still in every
 * client's slot map, the healthy masters answer. A private cluster: a node is killed.
 *
 * <p>The backlog gauges too (same tryout: while the dead master was in the slot map every sample failed as a whole,
 * and every partition's gauges, healthy ones included, froze): a partition on a live master shows an entry queued
 * after the kill, one on the dead master keeps its last sample.
 */
class ClusterReadinessTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /**
   * Queues an entry no worker will read (the group's cursor moved past it in the same script), so the partition's
   * length gauge shows it for as long as the test needs.
   */
  private static final String UNREAD_ENTRY = "redis.call('XADD', KEYS[1], '*', 'probe', '1') "
      + "redis.call('XGROUP', 'SETID', KEYS[1], ARGV[1], '$') return 1";

  @Test
  void shouldStayReadyOnEveryRoleWhileOneMasterIsDown() throws Exception {
    try (TestRedisCluster cluster = TestRedisCluster.startFresh();
         ClusterRun run = new ClusterRun(cluster, Map.of());
         Hub gateway = Hub.start(run.config.withRole(Role.GATEWAY));
         Hub intake = Hub.start(run.config.withRole(Role.INTAKE))) {
      assertThat(ready(gateway.httpPort())).contains(" 200 ");
      assertThat(ready(intake.httpPort())).contains(" 200 ");
      // the master of a partition (right after the cluster's creation, a node still becoming a replica can show as a
      // master owning no slot: masters().get(0) once named one, and no partition lived there)
      int victim = cluster.masterOf(run.keys.all().get(0).stream()).port();
      PartitionKeys dead = run.keys.all().stream()
          .filter(p -> cluster.masterOf(p.stream()).port() == victim).findFirst().orElseThrow();
      PartitionKeys live = run.keys.all().stream()
          .filter(p -> cluster.masterOf(p.stream()).port() != victim).findFirst().orElseThrow();
      int livePort = cluster.masterOf(live.stream()).port();
      cluster.cli(victim, "EVAL", UNREAD_ENTRY, "1", dead.stream(), run.keys.group());
      awaitLength(gateway.httpPort(), dead, 1);
      awaitLength(intake.httpPort(), dead, 1);

      long killed = System.nanoTime();
      cluster.killNode(victim);
      cluster.cli(livePort, "EVAL", UNREAD_ENTRY, "1", live.stream(), run.keys.group());
      List<String> answers = new ArrayList<>();
      // well within cluster-node-timeout: the master is not even flagged failed yet
      while (System.nanoTime() - killed < Duration.ofMillis(TestRedisCluster.NODE_TIMEOUT_MS * 3L / 4).toNanos()) {
        answers.add("gateway " + ready(gateway.httpPort()));
        answers.add("intake " + ready(intake.httpPort()));
        Thread.sleep(50);
      }

      assertThat(answers).hasSizeGreaterThan(10).allMatch(a -> a.contains(" 200 "), "readiness answered 200");
      // a sample taken before the dead master's slots have moved (clients' slot maps hold it at least until then)
      int deadSlot = PartitionTags.slot(dead.stream());
      for (Hub process : List.of(gateway, intake)) {
        String metrics;
        do {
          metrics = metrics(process.httpPort());
          assertThat(promoted(cluster, deadSlot)).as("replica promoted before the live partition's gauge moved: %s",
              lengths(metrics, dead, live)).isFalse();
          Thread.sleep(100);
        } while (length(metrics, live) != 1);
        assertThat(length(metrics, dead)).as("the dead master's partition keeps its last sample").isEqualTo(1);
      }
    }
  }

  private static boolean promoted(TestRedisCluster cluster, int slot) {
    try {
      cluster.masterOf(slot);
      return true;
    } catch (IllegalStateException stillOnTheDeadMaster) {
      return false;
    }
  }

  private static void awaitLength(int port, PartitionKeys partition, double expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (length(metrics(port), partition) != expected) {
      assertThat(System.nanoTime()).as("partition %d's length gauge on :%d", partition.index(), port)
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static String lengths(String metrics, PartitionKeys... partitions) {
    StringBuilder out = new StringBuilder();
    for (PartitionKeys p : partitions) {
      out.append("partition ").append(p.index()).append(": ").append(length(metrics, p)).append("; ");
    }
    return out.toString();
  }

  private static double length(String metrics, PartitionKeys partition) {
    Matcher m = Pattern.compile("(?m)^hub_stream_partition_length\\{partition=\"" + partition.index() + "\"} (\\S+)$")
        .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  private static String metrics(int port) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static String ready(int port) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return " " + r.statusCode() + " " + r.body();
  }
}
