package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.common.testing.TestServers;

/**
 * The dossier counters and PostgreSQL: while Redis holds the partition's epoch marker it numbers alone (PostgreSQL
 * unreachable changes nothing); without it (Redis lost its data) a submission waits for the counters to be seeded
 * from PostgreSQL, and with PostgreSQL unreachable too it is a fast 503 with nothing queued, never a code that may be
 * someone else's. PostgreSQL behind a proxy the test cuts.
 */
class CodeSequencesTest {

  @Test
  void shouldNumberWithoutPostgresWhileTheEpochIsThereAndRefuseFastWithoutIt() throws Exception {
    HubConfig direct = TestServers.get().config(Map.of());
    URI pg = URI.create(direct.postgres().url().replace("postgresql://", "http://"));
    try (TcpProxy proxy = new TcpProxy(pg.getHost(), pg.getPort())) {
      proxy.up();
      String viaProxy = direct.postgres().url().replace(pg.getHost() + ":" + pg.getPort(), "127.0.0.1:" + proxy.port());
      try (GatewayFixture gw = new GatewayFixture(direct.withPostgres(direct.postgres().withUrl(viaProxy)))) {
        PartitionKeys partition = gw.keys.partition(0);
        HttpResponse<Buffer> first = gw.post(AdmissionTest.dossierOf(1));
        assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
        assertThat(sequence(first)).as("a fresh install numbers from 1").isEqualTo(1);
        assertThat(gw.redis(Command.EXISTS, partition.epoch()).toInteger()).as("the epoch marker").isEqualTo(1);
        assertThat(gw.redis(Command.TTL, partition.epoch()).toLong()).as("the marker never expires").isEqualTo(-1);

        proxy.down();
        HttpResponse<Buffer> second = gw.post(AdmissionTest.dossierOf(2));
        assertThat(second.statusCode()).as("numbered by Redis alone: " + second.bodyAsString()).isEqualTo(202);
        assertThat(sequence(second)).isEqualTo(2);

        // Redis lost its data as far as the counters' owner can tell; PostgreSQL is still unreachable
        gw.redis(Command.DEL, partition.epoch());
        long queued = gw.queued();
        long started = System.nanoTime();
        HttpResponse<Buffer> refused = gw.post(AdmissionTest.dossierOf(3));
        long refusedMs = Await.millisSince(started);
        assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
        assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
        assertThat(refused.getHeader("Retry-After")).isNotBlank();
        assertThat(refused.bodyAsJsonObject().getString("detail")).contains("nothing was queued");
        assertThat(refusedMs).as("fast: within the enqueue's timeout")
            .isLessThan(gw.config.resilience().breakers().redisEnqueueTimeout().toMillis());
        assertThat(gw.queued()).as("nothing queued").isEqualTo(queued);
        assertThat(gw.redis(Command.EXISTS, partition.epoch()).toInteger()).isZero();

        proxy.up();
        HttpResponse<Buffer> seeded = gw.post(AdmissionTest.dossierOf(4));
        assertThat(seeded.statusCode()).as(seeded.bodyAsString()).isEqualTo(202);
        assertThat(sequence(seeded)).as("a counter that moved on is never lowered by a seeding").isEqualTo(3);
        assertThat(gw.redis(Command.EXISTS, partition.epoch()).toInteger()).isEqualTo(1);
      }
    }
  }

  private static long sequence(HttpResponse<Buffer> receipt) {
    String code = receipt.bodyAsJsonObject().getString("code");
    return Long.parseLong(code.substring(code.lastIndexOf('-') + 1));
  }
}
