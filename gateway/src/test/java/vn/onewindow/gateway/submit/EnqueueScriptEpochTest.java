package vn.onewindow.gateway.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.testing.TestServers;

/**
 * The enqueue script's epoch check, called as DossierQueue calls it, on real Redis under the test's own key prefix:
 * without the partition's marker a dossier that needs a number is answered "unseeded" and nothing of it is written;
 * what needs no number (a replay of a known key, a read-only look-up) is answered as ever.
 */
class EnqueueScriptEpochTest {
  private static final String UNIT = "000.00.53.H48";
  private static final String DAY = "261206";

  private Vertx vertx;
  private Redis redis;
  private PartitionKeys partition;

  @BeforeEach
  void setUp() {
    HubConfig config = TestServers.get().config(Map.of());
    vertx = Vertx.vertx();
    redis = RedisClients.create(vertx, config.redis(), "test");
    partition = RedisKeys.of(config.redis(), config.stream()).partition(0);
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void shouldAnswerUnseededAndWriteNothingWithoutTheEpochMarker() {
    List<Response> replies = call(dossier("key-one", "enqueue"), dossier("", "enqueue"), dossier("key-two", "replay"));

    assertThat(replies.get(0).get(0).toString()).isEqualTo("unseeded");
    assertThat(replies.get(1).get(0).toString()).isEqualTo("unseeded");
    assertThat(replies.get(2).get(0).toString()).as("a read-only look-up needs no number").isEqualTo("absent");
    assertThat(send(Command.EXISTS, partition.stream(), partition.sequence(UNIT, DAY),
        partition.idempotency("client", "key-one"), partition.epoch()).toInteger()).as("keys written").isZero();
  }

  @Test
  void shouldNumberWithTheMarkerAndAnswerAKnownKeyFromItsRecordWithoutIt() {
    send(Command.SET, partition.epoch(), "test");
    List<Response> first = call(dossier("key-one", "enqueue"), dossier("", "enqueue"));
    assertThat(first.get(0).get(0).toString()).isEqualTo("accepted");
    assertThat(first.get(0).get(1).toString()).isEqualTo(UNIT + "-" + DAY + "-0001");
    assertThat(first.get(1).get(1).toString()).isEqualTo(UNIT + "-" + DAY + "-0002");
    assertThat(send(Command.TTL, partition.sequence(UNIT, DAY)).toLong())
        .isBetween(1L, CodeSequences.SEQUENCE_TTL_SECONDS);

    send(Command.DEL, partition.epoch());
    List<Response> again = call(dossier("key-one", "enqueue"), dossier("key-new", "enqueue"));
    assertThat(again.get(0).get(0).toString()).as("the retry of a known key").isEqualTo("duplicate");
    assertThat(again.get(0).get(2).toString()).isEqualTo(UNIT + "-" + DAY + "-0001");
    assertThat(again.get(1).get(0).toString()).isEqualTo("unseeded");
    assertThat(send(Command.GET, partition.sequence(UNIT, DAY)).toString()).as("the counter").isEqualTo("2");
    assertThat(send(Command.XLEN, partition.stream()).toInteger()).isEqualTo(2);
  }

  private List<Response> call(List<String> keysAndArgs, List<String>... more) {
    List<List<String>> dossiers = new ArrayList<>();
    dossiers.add(keysAndArgs);
    dossiers.addAll(List.of(more));
    List<String> keys = new ArrayList<>(List.of(partition.stream(), partition.epoch()));
    List<Object> args = new ArrayList<>(List.of("3600", "3600", "0", partition.receipt("")));
    for (List<String> d : dossiers) {
      keys.addAll(d.subList(0, 2));
      args.addAll(d.subList(2, d.size()));
    }
    List<Response> replies = new ArrayList<>();
    DossierQueue.ENQUEUE.run(redis, keys, args).await().forEach(replies::add);
    return replies;
  }

  /** A dossier's two keys then its eleven values, in enqueue-dossier.lua's order (no deadline). */
  private List<String> dossier(String idempotencyKey, String mode) {
    String idem = idempotencyKey.isEmpty() ? partition.noIdempotency()
        : partition.idempotency("client", idempotencyKey);
    return List.of(idem, partition.sequence(UNIT, DAY), "sha-" + idempotencyKey, UUID.randomUUID().toString(),
        UNIT + "-" + DAY, "2026-12-20", "2026-12-06T03:00:00Z", idempotencyKey, "{}", "client", mode, "14", "0");
  }

  private Response send(Command command, String... args) {
    Request request = Request.cmd(command);
    for (String arg : args) {
      request.arg(arg);
    }
    return redis.send(request).await();
  }
}
