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
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig.Role;
import vn.onewindow.common.testing.TestRedisCluster;

/**
 * Readiness while one master of the cluster is down (operator tryout: a SIGKILLed master turned every gateway's
 * readiness 503 now and then, and every intake process's all the time, until its replica was promoted; a load
 * balancer following it takes out the gateways that are still queueing on the healthy masters). A master is
 * SIGKILLed and both roles are asked, before the cluster has even flagged it failed: the dead node is still in every
 * client's slot map, the healthy masters answer. A private cluster: a node is killed.
 */
class ClusterReadinessTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void shouldStayReadyOnEveryRoleWhileOneMasterIsDown() throws Exception {
    try (TestRedisCluster cluster = TestRedisCluster.startFresh();
         ClusterRun run = new ClusterRun(cluster, Map.of());
         Hub gateway = Hub.start(run.config.withRole(Role.GATEWAY));
         Hub intake = Hub.start(run.config.withRole(Role.INTAKE))) {
      assertThat(ready(gateway.httpPort())).contains(" 200 ");
      assertThat(ready(intake.httpPort())).contains(" 200 ");

      long killed = System.nanoTime();
      cluster.killNode(cluster.masters().get(0).port());
      List<String> answers = new ArrayList<>();
      // well within cluster-node-timeout: the master is not even flagged failed yet
      while (System.nanoTime() - killed < Duration.ofMillis(TestRedisCluster.NODE_TIMEOUT_MS * 3L / 4).toNanos()) {
        answers.add("gateway " + ready(gateway.httpPort()));
        answers.add("intake " + ready(intake.httpPort()));
        Thread.sleep(50);
      }

      assertThat(answers).hasSizeGreaterThan(10).allMatch(a -> a.contains(" 200 "), "readiness answered 200");
    }
  }

  private static String ready(int port) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return " " + r.statusCode() + " " + r.body();
  }
}
