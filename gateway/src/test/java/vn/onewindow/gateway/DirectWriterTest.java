package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.infra.Digests;
import vn.onewindow.common.infra.Migrations;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.testing.TestServers;
import vn.onewindow.gateway.submit.DirectWriter;
import vn.onewindow.gateway.submit.EnqueueResult;
import vn.onewindow.gateway.submit.Receipt;
import vn.onewindow.gateway.submit.Submission;

/**
 * The degraded direct write (Redis down) on real PostgreSQL, including the race of a Redis enqueue that timed out
 * but ran: the worker may already hold the very same dossier when the direct path starts.
 */
class DirectWriterTest {
  private static HubConfig config;
  private static Vertx vertx;
  private static Pool pool;
  private static DirectWriter writer;

  @BeforeAll
  static void start() {
    config = TestServers.get().migratedConfig(Map.of());
    Migrations.apply(config.postgres());
    vertx = Vertx.vertx();
    pool = PostgresClients.pool(vertx, config.postgres(), "test");
    writer = new DirectWriter(pool, Duration.ofDays(1));
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  static Submission submission(String id, String key, String body) throws Exception {
    return submission(id, key, body, Instant.parse("2026-11-23T08:00:00Z"), LocalDate.parse("2026-11-24"));
  }

  static Submission submission(String id, String key, String body, Instant receivedAt, LocalDate expectedResultBy)
      throws Exception {
    String sha = Digests.sha256Hex(body);
    return new Submission(id, "portal-web", key, sha, body.getBytes(StandardCharsets.UTF_8), "1.001612.000.00.00.H48", "000.00.53.H48",
        "000.21.53.H48", "online", "citizen", receivedAt, receivedAt.atZone(ZoneId.of("Asia/Ho_Chi_Minh")).toLocalDate(),
        expectedResultBy, "", "");
  }

  static String body(int n) {
    return GatewayFixture.birthRegistration().put("note", "dossier " + n).encode();
  }

  /** What the intake worker stores for a dossier that came through the queue. */
  static void storedByWorker(Submission s, String code) {
    storedByWorker(s, s.dossierId(), code);
  }

  /** The same under {@code id}: since ids are named by stream entries, the one its entry gave the dossier. */
  static void storedByWorker(Submission s, String id, String code) {
    TestServers.execute(config.postgres().url(), "INSERT INTO dossier (id, code, client_id, procedure_code, "
        + "receiving_unit, handling_agency, channel, applicant_type, idempotency_key, payload, received_at, "
        + "stream_entry_id, body_sha256) VALUES ('" + id + "', '" + code + "', 'portal-web', "
        + "'1.001612.000.00.00.H48', '000.00.53.H48', '000.21.53.H48', 'online', 'citizen', "
        + (s.idempotencyKey() == null ? "NULL" : "'" + s.idempotencyKey() + "'") + ", '{}', now(), '1-0', '"
        + s.bodySha256() + "')");
  }

  @Test
  void shouldWriteANewDossierWithACodeFromTheDirectRange() throws Exception {
    EnqueueResult result = writer.write(submission(UUID.randomUUID().toString(), null,
        GatewayFixture.example("birth-registration.json"))).await();

    assertThat(result).isInstanceOf(EnqueueResult.Accepted.class);
    String code = ((EnqueueResult.Accepted) result).receipt().code();
    assertThat(DossierCode.isDirect(Long.parseLong(code.substring(code.lastIndexOf('-') + 1)))).as(code).isTrue();
  }

  @Test
  void shouldAnswerWithTheQueuedReceiptWhenTheWorkerStoredThisDossierFirst() throws Exception {
    Submission withKey = submission(UUID.randomUUID().toString(), "race-" + UUID.randomUUID(), body(1));
    Submission withoutKey = submission(UUID.randomUUID().toString(), null, body(2));
    storedByWorker(withKey, "000.00.53.H48-261123-0007");
    storedByWorker(withoutKey, "000.00.53.H48-261123-0008");

    EnqueueResult keyed = writer.write(withKey).await();
    EnqueueResult unkeyed = writer.write(withoutKey).await();

    assertThat(keyed).isInstanceOf(EnqueueResult.Accepted.class);
    assertThat(((EnqueueResult.Accepted) keyed).receipt().code()).isEqualTo("000.00.53.H48-261123-0007");
    assertThat(((EnqueueResult.Accepted) keyed).receipt().replayed()).isFalse();
    assertThat(unkeyed).isInstanceOf(EnqueueResult.Accepted.class);
    assertThat(((EnqueueResult.Accepted) unkeyed).receipt().code()).isEqualTo("000.00.53.H48-261123-0008");
    assertThat(TestServers.queryLong(config.postgres().url(), "SELECT count(*) FROM dossier WHERE id IN ('"
        + withKey.dossierId() + "','" + withoutKey.dossierId() + "')")).isEqualTo(2);
  }

  @Test
  void shouldNotCallItsOwnQueuedDossierAReplay() throws Exception {
    // a call that timed out but ran: the worker stored the dossier under the id its stream entry names (the entry's
    // time and sequence, then this submission's pre-id's last 64 bits); PostgreSQL's answer is this submission's first
    String key = "sent-" + UUID.randomUUID();
    Submission sent = submission(UUID.randomUUID().toString(), key, body(5));
    String entryNamed = Partitions.entryDossierId(sent.dossierId(), "1764912000000-3");
    storedByWorker(sent, entryNamed, "000.00.53.H48-261123-0010");

    EnqueueResult own = writer.lookUp(sent).await();
    EnqueueResult retry = writer.lookUp(submission(UUID.randomUUID().toString(), key, body(5))).await();

    assertThat(((EnqueueResult.Accepted) own).receipt().dossierId()).isEqualTo(entryNamed);
    assertThat(((EnqueueResult.Accepted) own).receipt().replayed()).as("Idempotent-Replayed of its own answer")
        .isFalse();
    assertThat(((EnqueueResult.Accepted) retry).receipt().replayed()).as("another submission's").isTrue();
  }

  @Test
  void shouldReplayTheStoredReceiptTimesNotTheRetrysOwn() throws Exception {
    // the first submission's receipt promised 2026-11-24; its retry the next afternoon (in Hanoi, within the key's 24 h)
    // would promise a later day
    String key = "next-day-" + UUID.randomUUID();
    Submission first = submission(UUID.randomUUID().toString(), key, body(6),
        Instant.parse("2026-11-23T08:00:00.250Z"), LocalDate.parse("2026-11-24"));
    EnqueueResult written = writer.write(first).await();
    Submission nextDay = submission(UUID.randomUUID().toString(), key, body(6),
        Instant.parse("2026-11-24T07:30:00.500Z"), LocalDate.parse("2026-11-26"));

    EnqueueResult replayed = writer.write(nextDay).await();
    EnqueueResult lookedUp = writer.lookUp(nextDay).await();

    Receipt original = ((EnqueueResult.Accepted) written).receipt();
    for (EnqueueResult again : new EnqueueResult[] {replayed, lookedUp}) {
      Receipt receipt = ((EnqueueResult.Accepted) again).receipt();
      assertThat(receipt.replayed()).isTrue();
      assertThat(receipt.code()).isEqualTo(original.code());
      assertThat(receipt.expectedResultBy()).as("the date the first receipt promised").isEqualTo("2026-11-24");
      assertThat(receipt.receivedAt()).isEqualTo(original.receivedAt()).isEqualTo("2026-11-23T08:00:00.250Z");
    }
  }

  @Test
  void shouldReplayOrRefuseAnotherSubmissionWithTheSameKey() throws Exception {
    String key = "retry-" + UUID.randomUUID();
    Submission first = submission(UUID.randomUUID().toString(), key, body(3));
    storedByWorker(first, "000.00.53.H48-261123-0009");

    EnqueueResult sameBody = writer.write(submission(UUID.randomUUID().toString(), key, body(3))).await();
    EnqueueResult otherBody = writer.write(submission(UUID.randomUUID().toString(), key, body(4))).await();

    assertThat(((EnqueueResult.Accepted) sameBody).receipt().dossierId()).isEqualTo(first.dossierId());
    assertThat(((EnqueueResult.Accepted) sameBody).receipt().replayed()).isTrue();
    assertThat(otherBody).isInstanceOf(EnqueueResult.Conflict.class);
  }
}
