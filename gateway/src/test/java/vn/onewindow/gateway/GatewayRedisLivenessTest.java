package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.ResilienceConfig;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * The gateway's Redis connections go silent (Redis's host gone without FIN or RST, a NAT that forgot them, a server
 * that stopped answering): submissions get fast answers meanwhile (direct writes, 503s), never a hang, and once Redis
 * answers new connections again they are queued through Redis again, because the silent connections were closed and
 * replaced rather than kept as ring members every later command queued behind.
 */
class GatewayRedisLivenessTest {

  @Test
  void aGatewayWhoseRedisConnectionsWentSilentAnswersFastMeanwhileAndQueuesAgainOnNewConnections() throws Exception {
    URI target = URI.create(TestServers.get().redisUrl());
    try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort())) {
      proxy.up();
      // longest reply awaited: 1 s (the readiness PING's bound; enqueue 300, limiter 50, status read 500 ms), so a
      // connection that received nothing for 2 s is presumed dead. The breaker stays open 10 s: the submissions after
      // the 503s that open it (6, against the 6 queued before) are all answered meanwhile, directly, on a loaded box
      // too (open 1 s, each half-open turn cost up to 5 more 503s: beside two busy loops 11 of the 30, 2 runs of 3)
      try (GatewayFixture gw = new GatewayFixture(Map.of("redis.url", "redis://127.0.0.1:" + proxy.port(),
          "timeout.redis-enqueue-ms", "300", "ratelimit.redis-timeout-ms", "50", "timeout.postgres-read-ms", "500",
          "breaker.minimum-calls", "5", "breaker.open-seconds", "10", "ratelimit.client-classes",
          "standard:1000/1000", "ratelimit.fallback-instances", "1"))) {
        Redis direct = RedisClients.create(gw.vertx, gw.config.redis().withUrl(TestServers.get().redisUrl()),
            "check");
        ResilienceConfig resilience = gw.config.resilience();
        long worstCaseMs = resilience.rateLimits().redisTimeout().toMillis()
            + resilience.breakers().redisEnqueueTimeout().toMillis()
            + resilience.breakers().postgresWriteTimeout().toMillis();
        Set<String> queued = new HashSet<>(); // dossier codes
        // set-up: the first submission seeds the counters, which can outlast 300 ms on a loaded box
        for (int i = 0; i < 5; i++) {
          queued.add(queuedCode(gw.postUntilAccepted(AdmissionTest.dossierOf(i), "steady-" + UUID.randomUUID())));
        }
        long steadyStarted = System.nanoTime();
        queued.add(queuedCode(gw.post(AdmissionTest.dossierOf(5))));
        long steadyMs = Await.millisSince(steadyStarted);

        // every connection the gateway holds goes silent, and so does every new one: Redis accepts, never answers
        proxy.silenceNewConnections(true);
        proxy.blackHole();
        assertThat(proxy.silentConnections()).isPositive();
        Set<String> directIds = new HashSet<>();
        List<HttpResponse<Buffer>> refused = new ArrayList<>();
        long maxWaitMs = 0;
        for (int i = 0; i < 30; i++) {
          long started = System.nanoTime();
          HttpResponse<Buffer> r = gw.post(AdmissionTest.dossierOf(100 + i));
          maxWaitMs = Math.max(maxWaitMs, Await.millisSince(started));
          if (r.statusCode() == 202) {
            assertThat(isDirect(r)).as(r.bodyAsString()).isTrue();
            directIds.add(r.bodyAsJsonObject().getString("id"));
          } else {
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(503);
            refused.add(r);
          }
        }
        assertThat(maxWaitMs).as("no submission waits past the limiter + enqueue + direct write timeouts")
            .isLessThan(worstCaseMs);
        assertThat(directIds).as("the degraded path answers while Redis is silent").hasSizeGreaterThan(20);
        assertThat(refused).allSatisfy(r -> {
          assertThat(r.getHeader("Retry-After")).isNotBlank();
          assertThat(r.bodyAsJsonObject().getString("type")).containsAnyOf("/problems/upstream-unavailable",
              "/problems/circuit-open");
        });

        int directMeanwhile = directIds.size();
        // Redis answers new connections again; the silent ones stay silent (no FIN, no RST) until the gateway closes
        proxy.silenceNewConnections(false);
        long answering = System.nanoTime();
        AtomicInteger n = new AtomicInteger(1000);
        AtomicLong firstQueuedMs = new AtomicLong();
        AtomicReference<HttpResponse<Buffer>> last = new AtomicReference<>();
        Await.until(resilience.breakers().open().multipliedBy(3), "a submission queued through Redis again", () -> {
          long started = System.nanoTime();
          HttpResponse<Buffer> r = gw.post(AdmissionTest.dossierOf(n.getAndIncrement()));
          last.set(r);
          if (r.statusCode() == 202 && !isDirect(r)) {
            firstQueuedMs.set(Await.millisSince(started));
            return true;
          }
          if (r.statusCode() == 202) {
            directIds.add(r.bodyAsJsonObject().getString("id"));
          }
          return false;
        });
        long queuedAgainMs = Await.millisSince(answering);
        queued.add(last.get().bodyAsJsonObject().getString("code"));
        Await.until(Duration.ofSeconds(10), "every silent connection closed by the gateway",
            () -> proxy.silentConnections() == 0);
        long closedMs = Await.millisSince(answering);
        for (int i = 0; i < 5; i++) {
          queued.add(queuedCode(gw.post(AdmissionTest.dossierOf(2000 + i))));
        }

        String db = gw.config.postgres().url();
        assertThat(TestServers.queryLong(db, "SELECT count(*) FROM dossier WHERE stream_entry_id = 'direct' AND id IN ('"
            + String.join("','", directIds) + "')")).isEqualTo(directIds.size());
        assertThat(TestServers.queryLong(db, "SELECT count(*) FROM dossier")).as("no intake runs: only the direct ones")
            .isEqualTo(directIds.size());
        Response entries = direct.send(Request.cmd(Command.XRANGE).arg(gw.keys.stream()).arg("-").arg("+")).await();
        Set<String> inStream = new HashSet<>();
        entries.forEach(e -> inStream.add(field(e.get(1), StreamEntry.CODE)));
        assertThat(inStream).as("in Redis: the queued dossiers, none of the silent period's").isEqualTo(queued);
        direct.close();
        System.out.printf("[gateway] silent Redis: %d submissions answered in at most %d ms (%d direct, %d 503); "
                + "queued through Redis again %d ms after Redis answered, all silent connections closed after %d ms; "
                + "first request on new connections %d ms (steady %d ms)%n", 30, maxWaitMs, directMeanwhile,
            refused.size(), queuedAgainMs, closedMs, firstQueuedMs.get(), steadyMs);
      }
    }
  }

  private static String queuedCode(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    assertThat(isDirect(r)).as(r.bodyAsString()).isFalse();
    return r.bodyAsJsonObject().getString("code");
  }

  private static boolean isDirect(HttpResponse<Buffer> r) {
    String code = r.bodyAsJsonObject().getString("code");
    return DossierCode.isDirect(Long.parseLong(code.substring(code.lastIndexOf('-') + 1)));
  }

  private static String field(Response fields, String name) {
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      if (fields.get(i).toString().equals(name)) {
        return fields.get(i + 1).toString();
      }
    }
    return null;
  }
}
